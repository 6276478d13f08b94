// An AXI4 manager that plays a traffic script fed one command at a time
// on its cmd_* inputs: bursts of every type, size and length, any ID,
// exclusive or not. Write data is a function of the command's seed and the
// beat; strobes cover the beat's bytes, thinned at random when seed[0] is
// set. Up to 8 bursts are outstanding; a command with cmd_fence waits until
// every earlier burst has its response. BREADY and RREADY drop at random
// with probability cfg_bp/16.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
module axi_traffic #(parameter int DW = 64, parameter int AW = 32, parameter int IDW = 4) (
    input logic clk, input logic rstn,
    input logic [3:0] cfg_bp,
    input logic cmd_valid, output logic cmd_ready, input logic cmd_write, input logic cmd_fence,
    input logic [IDW-1:0] cmd_id, input logic [AW-1:0] cmd_addr, input logic [7:0] cmd_len,
    input logic [2:0] cmd_size, input logic [1:0] cmd_burst, input logic cmd_lock, input logic [2:0] cmd_prot,
    input logic [31:0] cmd_seed,
    output logic [31:0] writes_done, output logic [31:0] reads_done,
    output logic [IDW-1:0] awid, output logic [AW-1:0] awaddr, output logic [7:0] awlen, output logic [2:0] awsize,
    output logic [1:0] awburst, output logic awlock, output logic [3:0] awcache, output logic [2:0] awprot,
    output logic [3:0] awqos, output logic awvalid, input logic awready,
    output logic [DW-1:0] wdata, output logic [DW/8-1:0] wstrb, output logic wlast, output logic wvalid, input logic wready,
    input logic [IDW-1:0] bid, input logic [1:0] bresp, input logic bvalid, output logic bready,
    output logic [IDW-1:0] arid, output logic [AW-1:0] araddr, output logic [7:0] arlen, output logic [2:0] arsize,
    output logic [1:0] arburst, output logic arlock, output logic [3:0] arcache, output logic [2:0] arprot,
    output logic [3:0] arqos, output logic arvalid, input logic arready,
    input logic [IDW-1:0] rid, input logic [DW-1:0] rdata, input logic [1:0] rresp, input logic rlast,
    input logic rvalid, output logic rready);
  localparam int NB = DW / 8;
  typedef struct packed {
    logic [IDW-1:0] id; logic [AW-1:0] addr; logic [7:0] len; logic [2:0] size; logic [1:0] burst;
    logic lock; logic [2:0] prot; logic [31:0] seed;
  } cmd_t;
  cmd_t awq [4], wq [4], arq [4];
  logic [2:0] awn, wn, arn;
  logic [1:0] awr, aww, wr, ww, arr_, arw;
  logic [7:0] w_beat;
  logic [4:0] outstanding;
  logic [31:0] rnd;

  function automatic logic [AW-1:0] beat_addr(input cmd_t q, input logic [7:0] n);
    logic [AW-1:0] bytes = AW'(1) << q.size;
    logic [AW-1:0] aligned = q.addr & ~(bytes - 1);
    logic [AW-1:0] total = bytes * (AW'(q.len) + 1);
    logic [AW-1:0] lower = q.addr & ~(total - 1);
    case (q.burst)
      2'b00: return q.addr;
      2'b10: return lower + ((aligned - lower + AW'(n) * bytes) & (total - 1));
      default: return n == 0 ? q.addr : aligned + AW'(n) * bytes;
    endcase
  endfunction
  function automatic logic [31:0] xorshift(input logic [31:0] x);
    x = x ^ (x << 13);
    x = x ^ (x >> 17);
    return x ^ (x << 5);
  endfunction

  cmd_t cmd_now, w_head;
  assign cmd_now = '{id: cmd_id, addr: cmd_addr, len: cmd_len, size: cmd_size, burst: cmd_burst,
                     lock: cmd_lock, prot: cmd_prot, seed: cmd_seed};
  assign w_head = wq[wr];
  assign cmd_ready = awn != 4 && wn != 4 && arn != 4 && outstanding < 8 && !(cmd_fence && outstanding != 0);

  assign awvalid = awn != 0;
  assign {awid, awaddr, awlen, awsize, awburst, awlock, awprot} =
      {awq[awr].id, awq[awr].addr, awq[awr].len, awq[awr].size, awq[awr].burst, awq[awr].lock, awq[awr].prot};
  assign awcache = 4'b0011;
  assign awqos = 4'd0;
  assign arvalid = arn != 0;
  assign {arid, araddr, arlen, arsize, arburst, arlock, arprot} =
      {arq[arr_].id, arq[arr_].addr, arq[arr_].len, arq[arr_].size, arq[arr_].burst, arq[arr_].lock, arq[arr_].prot};
  assign arcache = 4'b0011;
  assign arqos = 4'd0;

  // Write data and strobes from the seed and the beat: stable until taken.
  wire [AW-1:0] w_addr = beat_addr(w_head, w_beat);
  wire [31:0] w_mix = xorshift(w_head.seed ^ {24'd0, w_beat} ^ 32'h9e3779b9);
  always_comb begin
    logic [AW-1:0] first = w_addr;
    logic [AW-1:0] stop = (w_addr & ~((AW'(1) << w_head.size) - 1)) + (AW'(1) << w_head.size);
    for (int i = 0; i < NB; i++) begin
      logic [AW-1:0] la = (w_addr & ~AW'(NB - 1)) + AW'(i);
      wdata[8*i +: 8] = w_head.seed[15:8] + 8'(w_beat) * 8'd7 + 8'(i) * 8'd13;
      wstrb[i] = la >= first && la < stop && (!w_head.seed[0] || w_mix[i % 32]);
    end
  end
  assign wvalid = wn != 0;
  assign wlast = w_beat == w_head.len;
  assign bready = !(rnd[3:0] < cfg_bp);
  assign rready = !(rnd[7:4] < cfg_bp);

  always_ff @(posedge clk) begin
    if (!rstn) begin
      awn <= 0; wn <= 0; arn <= 0; awr <= 0; aww <= 0; wr <= 0; ww <= 0; arr_ <= 0; arw <= 0;
      w_beat <= 0; outstanding <= 0; writes_done <= 0; reads_done <= 0; rnd <= 32'h1234567 ^ {28'd0, cfg_bp};
    end else begin
      rnd <= xorshift(rnd);
      if (cmd_valid && cmd_ready) begin
        if (cmd_write) begin awq[aww] <= cmd_now; aww <= aww + 1; wq[ww] <= cmd_now; ww <= ww + 1; end
        else begin arq[arw] <= cmd_now; arw <= arw + 1; end
      end
      if (awvalid && awready) awr <= awr + 1;
      if (arvalid && arready) arr_ <= arr_ + 1;
      if (wvalid && wready) begin
        if (wlast) begin w_beat <= 0; wr <= wr + 1; end
        else w_beat <= w_beat + 1;
      end
      awn <= awn + 3'(cmd_valid && cmd_ready && cmd_write) - 3'(awvalid && awready);
      wn <= wn + 3'(cmd_valid && cmd_ready && cmd_write) - 3'(wvalid && wready && wlast);
      arn <= arn + 3'(cmd_valid && cmd_ready && !cmd_write) - 3'(arvalid && arready);
      outstanding <= outstanding + 5'(cmd_valid && cmd_ready) - 5'(bvalid && bready) - 5'(rvalid && rready && rlast);
      if (bvalid && bready) writes_done <= writes_done + 1;
      if (rvalid && rready && rlast) reads_done <= reads_done + 1;
    end
  end
endmodule

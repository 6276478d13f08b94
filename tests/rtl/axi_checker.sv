// AXI4 protocol rules as assertions, on a bus observed from outside: VALID
// held until READY with a stable payload, legal bursts (no 4 KiB crossing,
// WRAP lengths and alignment, FIXED at most 16 beats, no reserved type, size
// within the bus), WLAST on the last beat of each burst (whichever comes
// first, address or data), no response without a request, RLAST on the last
// beat of each read per ID, every VALID low in reset.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
module axi_checker #(parameter int DW = 64, parameter int AW = 32, parameter int IDW = 4) (
    input logic clk, input logic rstn,
    input logic [IDW-1:0] awid, input logic [AW-1:0] awaddr, input logic [7:0] awlen, input logic [2:0] awsize,
    input logic [1:0] awburst, input logic awlock, input logic [3:0] awcache, input logic [2:0] awprot,
    input logic [3:0] awqos, input logic awvalid, input logic awready,
    input logic [DW-1:0] wdata, input logic [DW/8-1:0] wstrb, input logic wlast, input logic wvalid, input logic wready,
    input logic [IDW-1:0] bid, input logic [1:0] bresp, input logic bvalid, input logic bready,
    input logic [IDW-1:0] arid, input logic [AW-1:0] araddr, input logic [7:0] arlen, input logic [2:0] arsize,
    input logic [1:0] arburst, input logic arlock, input logic [3:0] arcache, input logic [2:0] arprot,
    input logic [3:0] arqos, input logic arvalid, input logic arready,
    input logic [IDW-1:0] rid, input logic [DW-1:0] rdata, input logic [1:0] rresp, input logic rlast,
    input logic rvalid, input logic rready);
  localparam int NID = 1 << IDW;
  localparam int MAXSIZE = $clog2(DW / 8);
  localparam int AWBITS = IDW + AW + 8 + 3 + 2 + 1 + 4 + 3 + 4;

  wire [AWBITS-1:0] aw_now = {awid, awaddr, awlen, awsize, awburst, awlock, awcache, awprot, awqos};
  wire [AWBITS-1:0] ar_now = {arid, araddr, arlen, arsize, arburst, arlock, arcache, arprot, arqos};
  logic [AWBITS-1:0] aw_held, ar_held;
  logic [DW+DW/8:0] w_held;
  logic [IDW+1:0] b_held;
  logic [IDW+DW+2:0] r_held;
  logic aw_wait, w_wait, b_wait, ar_wait, r_wait, was_reset;

  // Burst lengths by arrival, to pair address and data whichever comes first.
  logic [7:0] aw_lens [64];
  logic [7:0] w_lens [64];
  logic [5:0] awl_w, awl_r, wl_w, wl_r;
  logic [7:0] w_beats;
  logic [31:0] aws, wbursts, bs;
  // Reads outstanding per ID, their lengths in order.
  logic [7:0] r_lens [NID][16];
  logic [3:0] rl_w [NID];
  logic [3:0] rl_r [NID];
  logic [4:0] rl_n [NID];
  logic [7:0] r_beat [NID];

  function automatic logic legal(input logic [AW-1:0] addr, input logic [7:0] len, input logic [2:0] size,
                                 input logic [1:0] burst);
    logic [12:0] first = {1'b0, addr[11:0]} & ~((13'd1 << size) - 13'd1);
    logic [20:0] span = (21'(len) + 21'd1) << size;
    if (burst == 2'b11 || size > MAXSIZE) return 0;
    if (burst == 2'b01) return 21'(first) + span <= 21'd4096;
    if (burst == 2'b10) return (len == 1 || len == 3 || len == 7 || len == 15) && (addr & ((1 << size) - 1)) == 0;
    return len < 16;
  endfunction

  always_ff @(posedge clk) begin
    if (!rstn) begin
      if (was_reset) assert (!awvalid && !wvalid && !arvalid && !bvalid && !rvalid)
        else $error("AXI4: VALID high during reset");
      {aw_wait, w_wait, b_wait, ar_wait, r_wait} <= '0;
      awl_w <= 0; awl_r <= 0; wl_w <= 0; wl_r <= 0; w_beats <= 0; aws <= 0; wbursts <= 0; bs <= 0;
      for (int i = 0; i < NID; i++) begin rl_w[i] <= 0; rl_r[i] <= 0; rl_n[i] <= 0; r_beat[i] <= 0; end
      was_reset <= 1;
    end else begin
      was_reset <= 0;
      if (aw_wait) assert (awvalid && aw_now == aw_held) else $error("AXI4: AW dropped or changed before AWREADY");
      if (w_wait) assert (wvalid && {wdata, wstrb, wlast} == w_held) else $error("AXI4: W dropped or changed before WREADY");
      if (b_wait) assert (bvalid && {bid, bresp} == b_held) else $error("AXI4: B dropped or changed before BREADY");
      if (ar_wait) assert (arvalid && ar_now == ar_held) else $error("AXI4: AR dropped or changed before ARREADY");
      if (r_wait) assert (rvalid && {rid, rdata, rresp, rlast} == r_held) else $error("AXI4: R dropped or changed before RREADY");
      aw_wait <= awvalid && !awready; aw_held <= aw_now;
      w_wait <= wvalid && !wready; w_held <= {wdata, wstrb, wlast};
      b_wait <= bvalid && !bready; b_held <= {bid, bresp};
      ar_wait <= arvalid && !arready; ar_held <= ar_now;
      r_wait <= rvalid && !rready; r_held <= {rid, rdata, rresp, rlast};

      if (awvalid) assert (legal(awaddr, awlen, awsize, awburst))
        else $error("AXI4: illegal write burst (4 KiB crossing, WRAP length or alignment, FIXED length, size or type)");
      if (arvalid) assert (legal(araddr, arlen, arsize, arburst))
        else $error("AXI4: illegal read burst (4 KiB crossing, WRAP length or alignment, FIXED length, size or type)");

      // WLAST: pair each burst's length with the beats its data had.
      if (awvalid && awready) begin aw_lens[awl_w] <= awlen; awl_w <= awl_w + 1; aws <= aws + 1; end
      if (wvalid && wready) begin
        if (wlast) begin w_lens[wl_w] <= w_beats; wl_w <= wl_w + 1; w_beats <= 0; wbursts <= wbursts + 1; end
        else w_beats <= w_beats + 1;
      end
      if (awl_r != awl_w && wl_r != wl_w) begin
        assert (aw_lens[awl_r] == w_lens[wl_r]) else $error("AXI4: WLAST not on the last beat of the burst");
        awl_r <= awl_r + 1; wl_r <= wl_r + 1;
      end
      if (bvalid && bready) begin
        assert (bs < aws && bs < wbursts) else $error("AXI4: a write response without a complete write");
        bs <= bs + 1;
      end

      // Reads: RLAST on the last beat of the oldest read of that ID.
      if (arvalid && arready) begin
        r_lens[arid][rl_w[arid]] <= arlen; rl_w[arid] <= rl_w[arid] + 1;
      end
      if (rvalid && rready) begin
        assert (rl_n[rid] != 0) else $error("AXI4: read data for an ID with no read outstanding");
        assert (rlast == (r_beat[rid] == r_lens[rid][rl_r[rid]])) else $error("AXI4: RLAST not on the last beat of the read");
        if (rlast) begin r_beat[rid] <= 0; rl_r[rid] <= rl_r[rid] + 1; end
        else r_beat[rid] <= r_beat[rid] + 1;
      end
      for (int i = 0; i < NID; i++) begin
        rl_n[i] <= rl_n[i] + 5'(arvalid && arready && arid == IDW'(i)) - 5'(rvalid && rready && rlast && rid == IDW'(i));
      end
    end
  end
endmodule

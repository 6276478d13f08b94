// An AXI4 RAM of MEM_BYTES bytes that makes a bridge's life hard on
// request: random backpressure on every channel (READY low, and gaps in
// RVALID/BVALID, with probability cfg_bp/16), a random response latency of
// 0..cfg_lat cycles, and, with cfg_reorder, responses in any order across
// IDs (never within one ID). All bursts types and sizes, WSTRB, an exclusive
// monitor (EXOKAY), and errors: addresses from MEM_BYTES to 2*MEM_BYTES
// answer SLVERR, higher ones DECERR. It asserts that write strobes stay
// inside each beat's bytes. With cfg_bp = cfg_lat = 0 it moves one beat
// per clock on each data channel, across bursts.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
/* verilator lint_off BLKSEQ */
module axi_ram #(parameter int DW = 64, parameter int AW = 32, parameter int IDW = 4, parameter int MEM_BYTES = 65536) (
    input logic clk, input logic rstn,
    input logic [3:0] cfg_bp, input logic [3:0] cfg_lat, input logic cfg_reorder, input logic [31:0] cfg_seed,
    input logic [IDW-1:0] awid, input logic [AW-1:0] awaddr, input logic [7:0] awlen, input logic [2:0] awsize,
    input logic [1:0] awburst, input logic awlock, input logic [3:0] awcache, input logic [2:0] awprot,
    input logic [3:0] awqos, input logic awvalid, output logic awready,
    input logic [DW-1:0] wdata, input logic [DW/8-1:0] wstrb, input logic wlast, input logic wvalid, output logic wready,
    output logic [IDW-1:0] bid, output logic [1:0] bresp, output logic bvalid, input logic bready,
    input logic [IDW-1:0] arid, input logic [AW-1:0] araddr, input logic [7:0] arlen, input logic [2:0] arsize,
    input logic [1:0] arburst, input logic arlock, input logic [3:0] arcache, input logic [2:0] arprot,
    input logic [3:0] arqos, input logic arvalid, output logic arready,
    output logic [IDW-1:0] rid, output logic [DW-1:0] rdata, output logic [1:0] rresp, output logic rlast,
    output logic rvalid, input logic rready);
  localparam int NB = DW / 8;
  localparam int S = 4;  // queue depths and response slots

  logic [7:0] mem [MEM_BYTES];
  logic [31:0] rnd;
  wire stall_aw = rnd[3:0] < cfg_bp, stall_w = rnd[7:4] < cfg_bp, stall_ar = rnd[11:8] < cfg_bp;
  wire stall_r = rnd[15:12] < cfg_bp, stall_b = rnd[19:16] < cfg_bp;
  wire [3:0] draw = rnd[23:20] % (cfg_lat + 5'd1);
  wire [1:0] rot = rnd[25:24];

  typedef struct packed {
    logic [AW-1:0] addr; logic [7:0] len; logic [2:0] size; logic [1:0] burst; logic [IDW-1:0] id; logic lock;
  } req_t;

  function automatic logic [AW-1:0] beat_addr(input req_t q, input logic [7:0] n);
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

  function automatic logic [1:0] resp_of(input logic [AW-1:0] a);
    if (64'(a) < 64'(MEM_BYTES)) return 2'b00;
    if (64'(a) < 64'(2 * MEM_BYTES)) return 2'b10;
    return 2'b11;
  endfunction

  function automatic logic [31:0] xorshift(input logic [31:0] x);
    x = x ^ (x << 13);
    x = x ^ (x >> 17);
    return x ^ (x << 5);
  endfunction

  function automatic logic [1:0] worst(input logic [1:0] a, input logic [1:0] b);
    return a > b ? a : b;
  endfunction

  // ---- writes: addresses queue, data against the head, responses in slots
  req_t aq [S];
  logic [2:0] aq_n;
  logic [1:0] aq_r, aq_w;
  logic [7:0] w_beat;
  logic [1:0] w_resp;
  logic mon_valid;
  logic [AW-1:0] mon_addr;
  logic [IDW-1:0] mon_id;

  logic bs_valid [S];
  logic [IDW-1:0] bs_id [S];
  logic [1:0] bs_resp [S];
  logic [3:0] bs_delay [S];
  logic [7:0] bs_seq [S];
  logic [7:0] b_seq;
  logic [1:0] b_cur;

  // ---- reads: slots, one burst on R at a time
  logic rs_valid [S];
  req_t rs [S];
  logic [3:0] rs_delay [S];
  logic [7:0] rs_seq [S];
  logic [7:0] r_seq;
  logic [1:0] r_cur;
  logic r_active;
  logic [7:0] r_beat;

  function automatic logic older(input logic [7:0] a, input logic [7:0] b);
    logic [7:0] d = a - b;
    return d[7];
  endfunction

  // The response slot to answer next, other than `skip`: ready (no delay
  // left) and the oldest of its ID; with reordering, any such slot.
  function automatic logic [2:0] pick_b(input logic [1:0] skip, input logic use_skip);
    logic [2:0] best = 3'b100;
    for (int k = 0; k < S; k++) begin
      int i = cfg_reorder ? (k + rot) % S : k;
      logic ok = bs_valid[i] && !(use_skip && 2'(i) == skip) && bs_delay[i] == 0;
      for (int j = 0; j < S; j++)
        if (bs_valid[j] && j != i && !(use_skip && 2'(j) == skip) && older(bs_seq[j], bs_seq[i]) &&
            (!cfg_reorder || bs_id[j] == bs_id[i])) ok = 0;
      if (ok && best[2]) best = 3'(i);
    end
    return best;
  endfunction
  function automatic logic [2:0] pick_r(input logic [1:0] skip, input logic use_skip);
    logic [2:0] best = 3'b100;
    for (int k = 0; k < S; k++) begin
      int i = cfg_reorder ? (k + rot) % S : k;
      logic ok = rs_valid[i] && !(use_skip && 2'(i) == skip) && rs_delay[i] == 0;
      for (int j = 0; j < S; j++)
        if (rs_valid[j] && j != i && !(use_skip && 2'(j) == skip) && older(rs_seq[j], rs_seq[i]) &&
            (!cfg_reorder || rs[j].id == rs[i].id)) ok = 0;
      if (ok && best[2]) best = 3'(i);
    end
    return best;
  endfunction

  logic [2:0] b_free, r_free;
  always_comb begin
    b_free = 3'b100;
    r_free = 3'b100;
    for (int i = S - 1; i >= 0; i--) begin
      if (!bs_valid[i]) b_free = 3'(i);
      if (!rs_valid[i]) r_free = 3'(i);
    end
  end

  req_t aw_now, ar_now, aw_head;
  assign aw_now = '{addr: awaddr, len: awlen, size: awsize, burst: awburst, id: awid, lock: awlock};
  assign ar_now = '{addr: araddr, len: arlen, size: arsize, burst: arburst, id: arid, lock: arlock};
  assign aw_head = aq[aq_r];
  wire [AW-1:0] w_addr = beat_addr(aw_head, w_beat);
  wire excl_ok = aw_head.lock && mon_valid && mon_addr == aw_head.addr && mon_id == aw_head.id;

  assign awready = aq_n != S && !stall_aw;
  assign wready = aq_n != 0 && !b_free[2] && !stall_w;
  assign arready = !r_free[2] && !stall_ar;

  // The lanes a beat at `a` of 2^size bytes may strobe.
  function automatic logic [NB-1:0] lanes(input logic [AW-1:0] a, input logic [2:0] size);
    logic [NB-1:0] m = '0;
    logic [AW-1:0] end_ = (a & ~((AW'(1) << size) - 1)) + (AW'(1) << size);
    for (int i = 0; i < NB; i++) begin
      logic [AW-1:0] la = (a & ~AW'(NB - 1)) + AW'(i);
      m[i] = la >= a && la < end_;
    end
    return m;
  endfunction

  always_ff @(posedge clk) begin
    if (!rstn) begin
      rnd <= cfg_seed | 32'd1;
      aq_n <= 0; aq_r <= 0; aq_w <= 0; w_beat <= 0; w_resp <= 0; mon_valid <= 0;
      b_seq <= 0; r_seq <= 0; bvalid <= 0; rvalid <= 0; r_active <= 0; r_beat <= 0;
      for (int i = 0; i < S; i++) begin bs_valid[i] <= 0; rs_valid[i] <= 0; end
    end else begin
      rnd <= xorshift(rnd);
      for (int i = 0; i < S; i++) begin
        if (bs_valid[i] && bs_delay[i] != 0) bs_delay[i] <= bs_delay[i] - 1;
        if (rs_valid[i] && rs_delay[i] != 0) rs_delay[i] <= rs_delay[i] - 1;
      end

      // AW
      if (awvalid && awready) begin aq[aq_w] <= aw_now; aq_w <= aq_w + 1; end
      aq_n <= aq_n + 3'(awvalid && awready) - 3'(wvalid && wready && w_beat == aw_head.len);

      // W
      if (wvalid && wready) begin
        automatic logic [1:0] r = resp_of(w_addr);
        assert ((wstrb & ~lanes(w_addr, aw_head.size)) == '0)
          else $error("AXI4: WSTRB set outside the bytes of the beat");
        assert (wlast == (w_beat == aw_head.len)) else $error("AXI4: WLAST not on the last beat");
        if (r == 2'b00 && (!aw_head.lock || excl_ok))
          for (int i = 0; i < NB; i++)
            if (wstrb[i]) mem[(w_addr & ~AW'(NB - 1)) + i] <= wdata[8*i +: 8];
        if (!aw_head.lock && mon_valid && (w_addr >> 6) == (mon_addr >> 6)) mon_valid <= 0;
        if (w_beat == aw_head.len) begin
          bs_valid[b_free[1:0]] <= 1;
          bs_id[b_free[1:0]] <= aw_head.id;
          bs_resp[b_free[1:0]] <= worst(w_resp, r) == 2'b00 && aw_head.lock ? (excl_ok ? 2'b01 : 2'b00) : worst(w_resp, r);
          bs_delay[b_free[1:0]] <= draw;
          bs_seq[b_free[1:0]] <= b_seq;
          b_seq <= b_seq + 1;
          if (aw_head.lock) mon_valid <= 0;
          aq_r <= aq_r + 1;
          w_beat <= 0;
          w_resp <= 0;
        end else begin
          w_beat <= w_beat + 1;
          w_resp <= worst(w_resp, r);
        end
      end

      // B
      if (bvalid && bready) begin bs_valid[b_cur] <= 0; bvalid <= 0; end
      if ((!bvalid || bready) && !stall_b) begin
        automatic logic [2:0] p = pick_b(b_cur, bvalid && bready);
        if (!p[2]) begin
          b_cur <= p[1:0]; bvalid <= 1; bid <= bs_id[p[1:0]]; bresp <= bs_resp[p[1:0]];
        end
      end

      // AR
      if (arvalid && arready) begin
        rs_valid[r_free[1:0]] <= 1;
        rs[r_free[1:0]] <= ar_now;
        rs_delay[r_free[1:0]] <= draw;
        rs_seq[r_free[1:0]] <= r_seq;
        r_seq <= r_seq + 1;
        if (arlock) begin mon_valid <= 1; mon_addr <= araddr; mon_id <= arid; end
      end

      // R: the beat after a handshake, or a new burst right after the last.
      begin
        automatic logic done = rvalid && rready && rlast;
        automatic logic [2:0] p = pick_r(r_cur, r_active);
        automatic logic [1:0] slot = r_cur;
        automatic logic [7:0] beat = r_beat;
        automatic logic present = 0;
        if (done) rs_valid[r_cur] <= 0;
        if (!r_active || done) begin
          if (!p[2] && !stall_r) begin
            slot = p[1:0]; beat = 0; present = 1;
            r_cur <= p[1:0]; r_active <= 1; r_beat <= 0;
          end else begin
            r_active <= 0; rvalid <= 0;
          end
        end else if (rvalid && rready) begin
          beat = r_beat + 1; r_beat <= r_beat + 1;
          present = !stall_r;
          if (stall_r) rvalid <= 0;
        end else if (!rvalid && !stall_r) present = 1;
        if (present) begin
          automatic logic [AW-1:0] a = beat_addr(rs[slot], beat);
          automatic logic [1:0] r = resp_of(a);
          for (int i = 0; i < NB; i++) rdata[8*i +: 8] <= r == 2'b00 ? mem[(a & ~AW'(NB - 1)) + i] : 8'd0;
          rresp <= r == 2'b00 && rs[slot].lock ? 2'b01 : r;
          rid <= rs[slot].id;
          rlast <= beat == rs[slot].len;
          rvalid <= 1;
        end
      end
    end
  end
endmodule

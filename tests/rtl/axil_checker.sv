// AXI4-Lite protocol rules as assertions, on a bus observed from outside.
/* verilator lint_off UNUSEDSIGNAL */
module axil_checker #(parameter int DW = 32, parameter int AW = 32) (
    input logic clk, input logic rstn,
    input logic [AW-1:0] awaddr, input logic [2:0] awprot, input logic awvalid, input logic awready,
    input logic [DW-1:0] wdata, input logic [DW/8-1:0] wstrb, input logic wvalid, input logic wready,
    input logic [1:0] bresp, input logic bvalid, input logic bready,
    input logic [AW-1:0] araddr, input logic [2:0] arprot, input logic arvalid, input logic arready,
    input logic [DW-1:0] rdata, input logic [1:0] rresp, input logic rvalid, input logic rready);
  logic aw_wait, w_wait, b_wait, ar_wait, r_wait, was_reset;
  logic [AW+2:0] aw_held, ar_held;
  logic [DW+DW/8-1:0] w_held;
  logic [1:0] b_held;
  logic [DW+1:0] r_held;
  logic [31:0] aws, ws, bs, ars, rs;
  always_ff @(posedge clk) begin
    if (!rstn) begin
      if (was_reset) assert (!awvalid && !wvalid && !arvalid && !bvalid && !rvalid)
        else $error("AXI-Lite: VALID high during reset");
      {aw_wait, w_wait, b_wait, ar_wait, r_wait} <= '0;
      aws <= 0; ws <= 0; bs <= 0; ars <= 0; rs <= 0; was_reset <= 1;
    end else begin
      if (aw_wait) assert (awvalid && {awaddr, awprot} == aw_held) else $error("AXI-Lite: AW dropped or changed before AWREADY");
      if (w_wait) assert (wvalid && {wdata, wstrb} == w_held) else $error("AXI-Lite: W dropped or changed before WREADY");
      if (b_wait) assert (bvalid && bresp == b_held) else $error("AXI-Lite: B dropped or changed before BREADY");
      if (ar_wait) assert (arvalid && {araddr, arprot} == ar_held) else $error("AXI-Lite: AR dropped or changed before ARREADY");
      if (r_wait) assert (rvalid && {rdata, rresp} == r_held) else $error("AXI-Lite: R dropped or changed before RREADY");
      if (bvalid) assert (bs < aws && bs < ws) else $error("AXI-Lite: a write response without a write");
      if (rvalid) assert (rs < ars) else $error("AXI-Lite: read data without a read");
      aw_wait <= awvalid && !awready; aw_held <= {awaddr, awprot};
      w_wait <= wvalid && !wready; w_held <= {wdata, wstrb};
      b_wait <= bvalid && !bready; b_held <= bresp;
      ar_wait <= arvalid && !arready; ar_held <= {araddr, arprot};
      r_wait <= rvalid && !rready; r_held <= {rdata, rresp};
      aws <= aws + 32'(awvalid && awready); ws <= ws + 32'(wvalid && wready);
      bs <= bs + 32'(bvalid && bready); ars <= ars + 32'(arvalid && arready); rs <= rs + 32'(rvalid && rready);
      was_reset <= 0;
    end
  end
endmodule

// An AXI4-Lite RAM of MEM_BYTES bytes. Addresses from MEM_BYTES to
// 2*MEM_BYTES answer SLVERR, higher ones DECERR.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
module axil_ram #(parameter int DW = 32, parameter int AW = 32, parameter int MEM_BYTES = 4096) (
    input logic clk, input logic rstn,
    input logic [AW-1:0] awaddr, input logic [2:0] awprot, input logic awvalid, output logic awready,
    input logic [DW-1:0] wdata, input logic [DW/8-1:0] wstrb, input logic wvalid, output logic wready,
    output logic [1:0] bresp, output logic bvalid, input logic bready,
    input logic [AW-1:0] araddr, input logic [2:0] arprot, input logic arvalid, output logic arready,
    output logic [DW-1:0] rdata, output logic [1:0] rresp, output logic rvalid, input logic rready);
  localparam int NB = DW / 8;
  logic [7:0] mem [MEM_BYTES];
  logic aw_have, w_have;
  logic [AW-1:0] aw_addr;
  logic [DW-1:0] w_data;
  logic [NB-1:0] w_strb;

  function automatic logic [1:0] resp_of(input logic [AW-1:0] a);
    if (64'(a) < 64'(MEM_BYTES)) return 2'b00;
    if (64'(a) < 64'(2 * MEM_BYTES)) return 2'b10;
    return 2'b11;
  endfunction

  assign awready = !aw_have;
  assign wready = !w_have;
  assign arready = !rvalid;

  always_ff @(posedge clk) begin
    if (!rstn) begin
      aw_have <= 0; w_have <= 0; bvalid <= 0; rvalid <= 0;
    end else begin
      if (awvalid && awready) begin aw_have <= 1; aw_addr <= awaddr; end
      if (wvalid && wready) begin w_have <= 1; w_data <= wdata; w_strb <= wstrb; end
      if (bvalid && bready) bvalid <= 0;
      if (aw_have && w_have && (!bvalid || bready)) begin
        if (resp_of(aw_addr) == 2'b00)
          for (int i = 0; i < NB; i++) if (w_strb[i]) mem[(aw_addr & ~AW'(NB - 1)) + i] <= w_data[8*i +: 8];
        bresp <= resp_of(aw_addr);
        bvalid <= 1;
        aw_have <= 0;
        w_have <= 0;
      end
      if (rvalid && rready) rvalid <= 0;
      if (arvalid && arready) begin
        for (int i = 0; i < NB; i++)
          rdata[8*i +: 8] <= resp_of(araddr) == 2'b00 ? mem[(araddr & ~AW'(NB - 1)) + i] : 8'd0;
        rresp <= resp_of(araddr);
        rvalid <= 1;
      end
    end
  end
endmodule

// A small AXI4 DMA engine: copies `bytes` bytes from `src` to `dst` in
// bursts of `beats` full-width beats (INCR), reading a burst into its
// buffer, then writing it out. `src`, `dst` and `bytes` are multiples of
// the burst size, which is at most 4 KiB, so no burst crosses 4 KiB.
// A pulse on `start` begins; `done` rises at the end (and stays until the
// next start), `error` if any response was not OKAY.
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off WIDTH */
module axi_dma #(parameter int DW = 64, parameter int AW = 32, parameter int IDW = 4) (
    input logic clk, input logic rstn,
    input logic start, input logic [AW-1:0] src, input logic [AW-1:0] dst, input logic [31:0] bytes,
    input logic [8:0] beats, output logic busy, output logic done, output logic error,
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
  typedef enum logic [2:0] {IDLE, READ_ADDR, READ_DATA, WRITE, WRITE_RESP} state_t;
  state_t state;
  logic [DW-1:0] buffer [256];
  logic [AW-1:0] from, to;
  logic [31:0] left;
  logic [8:0] n;
  logic aw_sent;

  assign busy = state != IDLE;
  assign {awid, arid} = '0;
  assign {awlen, arlen} = {8'(beats - 1), 8'(beats - 1)};
  assign {awsize, arsize} = {3'($clog2(NB)), 3'($clog2(NB))};
  assign {awburst, arburst} = {2'b01, 2'b01};
  assign {awlock, arlock} = 2'b00;
  assign {awcache, arcache} = {4'b0011, 4'b0011};
  assign {awprot, arprot} = {3'b000, 3'b000};
  assign {awqos, arqos} = 8'd0;
  assign awaddr = to;
  assign araddr = from;
  assign arvalid = state == READ_ADDR;
  assign rready = state == READ_DATA;
  assign awvalid = (state == WRITE || state == WRITE_RESP) && !aw_sent;
  assign wvalid = state == WRITE;
  assign wdata = buffer[n[7:0]];
  assign wstrb = '1;
  assign wlast = n == beats - 1;
  assign bready = state == WRITE_RESP;

  always_ff @(posedge clk) begin
    if (!rstn) begin
      state <= IDLE; done <= 0; error <= 0;
    end else begin
      case (state)
        IDLE: if (start) begin
          from <= src; to <= dst; left <= bytes; done <= 0; error <= 0;
          state <= bytes == 0 ? IDLE : READ_ADDR;
          if (bytes == 0) done <= 1;
        end
        READ_ADDR: if (arready) begin n <= 0; state <= READ_DATA; end
        READ_DATA: if (rvalid) begin
          buffer[n[7:0]] <= rdata;
          if (rresp != 2'b00) error <= 1;
          n <= n + 1;
          if (rlast) begin n <= 0; aw_sent <= 0; state <= WRITE; end
        end
        WRITE: begin
          if (awvalid && awready) aw_sent <= 1;
          if (wready) begin
            n <= n + 1;
            if (wlast) state <= WRITE_RESP;
          end
        end
        WRITE_RESP: if (awvalid && awready) aw_sent <= 1;
        else if (bvalid) begin
          if (bresp != 2'b00) error <= 1;
          from <= from + AW'(beats) * NB;
          to <= to + AW'(beats) * NB;
          left <= left - 32'(beats) * NB;
          if (left == 32'(beats) * NB) begin state <= IDLE; done <= 1; end
          else state <= READ_ADDR;
        end
        default: state <= IDLE;
      endcase
    end
  end
endmodule

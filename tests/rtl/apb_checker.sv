// APB4 protocol rules as assertions, on a bus observed from outside (all
// inputs). Verilated with --assert; a failing rule stops the simulation.
/* verilator lint_off UNUSEDSIGNAL */
module apb_checker #(parameter int DW = 32, parameter int AW = 32) (
    input logic clk, input logic rstn,
    input logic [AW-1:0] paddr, input logic psel, input logic penable, input logic pwrite,
    input logic [DW-1:0] pwdata, input logic [DW/8-1:0] pstrb, input logic [2:0] pprot,
    input logic pready, input logic [DW-1:0] prdata, input logic pslverr);
  logic was_setup, was_waiting, was_done, was_reset;
  logic [AW+DW+DW/8+3:0] held;
  wire [AW+DW+DW/8+3:0] now = {paddr, pwrite, pwrite ? pwdata : '0, pstrb, pprot};
  always_ff @(posedge clk) begin
    if (!rstn) begin
      if (was_reset) assert (!psel) else $error("APB: PSEL high during reset");
      was_setup <= 0; was_waiting <= 0; was_done <= 0; was_reset <= 1;
    end else begin
      if (was_setup) assert (psel && penable && now == held)
        else $error("APB: the access phase must follow the setup phase with the same transfer");
      if (was_waiting) assert (psel && penable && now == held)
        else $error("APB: PSEL, PENABLE and the transfer must hold until PREADY");
      if (psel && penable) assert (was_setup || was_waiting) else $error("APB: PENABLE without a setup phase");
      if (was_done) assert (!penable) else $error("APB: PENABLE high right after a completed transfer");
      if (psel && !pwrite) assert (pstrb == '0) else $error("APB4: PSTRB must be low for a read");
      was_setup <= psel && !penable;
      was_waiting <= psel && penable && !pready;
      was_done <= psel && penable && pready;
      was_reset <= 0;
      held <= now;
    end
  end
endmodule

// An APB4 register block with a down-counting timer that raises an
// interrupt (tests and examples/rtl_apb_timer.cpp).
//   0x00 CTRL    [0] run  [1] interrupt enable  [2] periodic (reload at 0)
//   0x04 LOAD    reload value; a write also loads COUNT
//   0x08 COUNT   current value, read-only (a write is PSLVERR)
//   0x0C STATUS  [0] expired; write 1 to clear
//   0x10 SCRATCH read/write, by byte (PSTRB)
//   0x14 ID      0x41504254 ("APBT"), read-only
//   0x18 WAITS   wait states before PREADY, 0..7
//   0x1C SECRET  like SCRATCH, privileged accesses only (PPROT[0]), else PSLVERR
// Anything else answers PSLVERR.
/* verilator lint_off UNUSEDSIGNAL */
module apb_timer (
    input logic clk, input logic rstn,
    input logic [11:0] paddr, input logic psel, input logic penable, input logic pwrite,
    input logic [31:0] pwdata, input logic [3:0] pstrb, input logic [2:0] pprot,
    output logic pready, output logic [31:0] prdata, output logic pslverr,
    output logic irq);
  // ctrl is readable from C++ (riscv-virt stops the block's clock while it is not running).
  logic [2:0] ctrl /*verilator public_flat_rd*/;
  logic [2:0] waits, waited;
  logic [31:0] load, count, scratch, secret;
  logic expired;
  wire [2:0] idx = paddr[4:2];
  wire access = psel && penable;
  wire error = paddr[11:5] != 0 || (pwrite && (idx == 3'd2 || idx == 3'd5)) || (idx == 3'd7 && !pprot[0]);
  wire writing = access && pready && pwrite && !error;

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] d, input logic [3:0] s);
    for (int i = 0; i < 4; i++) if (s[i]) old[8*i +: 8] = d[8*i +: 8];
    return old;
  endfunction

  assign pready = access && waited == waits;
  assign pslverr = access && pready && error;
  assign irq = expired && ctrl[1];
  always_comb begin
    case (idx)
      3'd0: prdata = {29'd0, ctrl};
      3'd1: prdata = load;
      3'd2: prdata = count;
      3'd3: prdata = {31'd0, expired};
      3'd4: prdata = scratch;
      3'd5: prdata = 32'h41504254;
      3'd6: prdata = {29'd0, waits};
      default: prdata = pprot[0] ? secret : 32'd0;
    endcase
    if (!access || error) prdata = 32'd0;
  end

  always_ff @(posedge clk) begin
    if (!rstn) begin
      ctrl <= 0; waits <= 0; waited <= 0; load <= 0; count <= 0; scratch <= 0; secret <= 0; expired <= 0;
    end else begin
      waited <= access && !pready ? waited + 1 : 0;
      if (ctrl[0]) begin
        if (count == 0) begin
          expired <= 1;
          if (ctrl[2]) count <= load; else ctrl[0] <= 0;
        end else count <= count - 1;
      end
      if (writing) begin
        case (idx)
          3'd0: if (pstrb[0]) ctrl <= pwdata[2:0];
          3'd1: begin load <= merge(load, pwdata, pstrb); count <= merge(load, pwdata, pstrb); end
          3'd3: if (pstrb[0] && pwdata[0]) expired <= 0;
          3'd4: scratch <= merge(scratch, pwdata, pstrb);
          3'd6: if (pstrb[0]) waits <= pwdata[2:0];
          3'd7: secret <= merge(secret, pwdata, pstrb);
          default: ;
        endcase
      end
    end
  end
endmodule

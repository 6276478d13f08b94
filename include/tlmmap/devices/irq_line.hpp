// An interrupt line between a device and an interrupt controller or a CPU.
//
// A device's output changes from whichever process makes the device act:
// the CPU's thread during an MMIO access, the device's own timer method, a
// host input thread. sc_signal's default policy refuses a second writing
// process (E115), so lines take any writer; the value written is always
// recomputed from the device's state, so the last write is the right one.
#pragma once

#include <systemc>

namespace tlmmap {

using IrqLine = sc_core::sc_signal<bool, sc_core::SC_UNCHECKED_WRITERS>;

}  // namespace tlmmap

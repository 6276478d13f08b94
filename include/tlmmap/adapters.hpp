// tlmmap::adapters in one include: bridges between TLM-2.0 and the pins of
// AMBA buses (APB4, AXI4-Lite, AXI4), for RTL co-simulated with Verilator.
#pragma once

#include "tlmmap/adapters/amba.hpp"
#include "tlmmap/adapters/apb_to_tlm.hpp"
#include "tlmmap/adapters/axi_to_tlm.hpp"
#include "tlmmap/adapters/pins.hpp"
#include "tlmmap/adapters/signal_sets.hpp"
#include "tlmmap/adapters/tlm_to_apb.hpp"
#include "tlmmap/adapters/tlm_to_axi.hpp"

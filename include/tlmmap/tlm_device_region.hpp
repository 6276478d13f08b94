// An existing TLM-2.0 device model as an MMIO region: bind the device's
// target socket to `socket` and put region() into the map like any region.
//
//   tlmmap::TlmDeviceRegion<32> uart_window{"uart", 0x1000};
//   uart_window.socket.bind(uart.target_socket);
//   system.add_subregion(0x10000000, uart_window.region());
//
// The device sees addresses relative to the region. Its DMI grants are
// translated back and clipped to the window they are reached through; its
// invalidate_direct_mem_ptr() is translated back through every window where
// the region is visible, aliases included, in every address space target.
#pragma once

#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/detail/device_link.hpp"

namespace tlmmap {

template <unsigned int BUSWIDTH = 64>
class TlmDeviceRegion : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TlmDeviceRegion, BUSWIDTH> socket;

  // The region is named after the module unless `region_name` is given.
  TlmDeviceRegion(sc_core::sc_module_name name, u128 size, std::string region_name = "")
      : sc_core::sc_module(name),
        socket("socket"),
        link_(region_name.empty() ? std::string(basename()) : std::move(region_name), size,
              [this] { return socket.operator->(); }) {
    socket.register_nb_transport_bw(this, &TlmDeviceRegion::nb_transport_bw);
    socket.register_invalidate_direct_mem_ptr(this, &TlmDeviceRegion::invalidate_direct_mem_ptr);
  }

  // The MMIO region to place in containers (kind mmio).
  MmioRegion& region() noexcept { return link_.region(); }

 private:
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    return link_.nb_transport_bw(gp, phase, delay);
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
    link_.invalidate_direct_mem_ptr(start, end);
  }

  detail::DeviceLink link_;
};

}  // namespace tlmmap

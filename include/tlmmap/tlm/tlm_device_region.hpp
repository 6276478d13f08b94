// An existing TLM-2.0 device model as an MMIO region: bind the device's
// target socket to `socket`, then place the region like any other.
//
//   tlmmap::TlmDeviceRegion<32> uart_window{"uart", 0x1000};
//   uart_window.socket.bind(uart.target_socket);
//   system.add_subregion(0x10000000, uart_window);
//
// (Bus::bind() does all of this in one call.) The device sees addresses
// relative to the region. Its DMI grants are translated back and clipped to
// the window they are reached through; its invalidate_direct_mem_ptr() is
// translated back through every window where the region is visible, aliases
// included, in every address space.
//
// It owns an sc_module for its socket, so it is made during elaboration,
// like any socket.
#pragma once

#include <memory>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/tlm/detail/device_link.hpp"

namespace tlmmap {

namespace detail {

// The module the device socket lives in; its backward path goes to the link.
template <unsigned int BUSWIDTH>
class DeviceSocketModule : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<DeviceSocketModule, BUSWIDTH> socket;

  explicit DeviceSocketModule(sc_core::sc_module_name name)
      : sc_core::sc_module(name), socket("socket"), link([this] { return socket.operator->(); }) {
    socket.register_nb_transport_bw(this, &DeviceSocketModule::nb_transport_bw);
    socket.register_invalidate_direct_mem_ptr(this, &DeviceSocketModule::invalidate_direct_mem_ptr);
  }

  DeviceLink link;

 private:
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase, sc_core::sc_time& delay) {
    return link.nb_transport_bw(gp, phase, delay);
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { link.invalidate_direct_mem_ptr(start, end); }
};

// SystemC object names cannot hold every character a region name can.
std::string module_name_for(const std::string& region_name);

// Made before the region, which forwards to its link (base-from-member).
template <unsigned int BUSWIDTH>
struct DeviceSocketHolder {
  explicit DeviceSocketHolder(const std::string& region_name)
      : module(std::make_unique<DeviceSocketModule<BUSWIDTH>>(
            sc_core::sc_gen_unique_name(module_name_for(region_name).c_str()))) {}
  std::unique_ptr<DeviceSocketModule<BUSWIDTH>> module;
};

}  // namespace detail

template <unsigned int BUSWIDTH = 32>
class TlmDeviceRegion : private detail::DeviceSocketHolder<BUSWIDTH>, public MmioRegion {
  using Holder = detail::DeviceSocketHolder<BUSWIDTH>;

 public:
  TlmDeviceRegion(std::string name, u128 size)
      : Holder(name), MmioRegion(name, size, Holder::module->link), socket(Holder::module->socket) {
    Holder::module->link.attach(*this);
  }
  // Out of the map before the socket and the link go.
  ~TlmDeviceRegion() override { unmap(); }

  // Bind the device's target socket here.
  tlm_utils::simple_initiator_socket<detail::DeviceSocketModule<BUSWIDTH>, BUSWIDTH>& socket;
};

}  // namespace tlmmap

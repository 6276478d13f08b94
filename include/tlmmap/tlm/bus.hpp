// A bus in one module: a root container, the address space rendered from it
// and its target socket. The short way to put existing TLM models and
// regions together:
//
//   tlmmap::Bus<32> bus{"bus"};
//   cpu.socket.bind(bus.target_socket);
//   bus.bind(timer.socket, 0x10001000, 0x1000);   // an existing TLM target
//   bus.map(0x80000000, ram);                     // any region
//
// Everything else is the region API: bus.root() is an ordinary container.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/container_region.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"

namespace tlmmap {

template <unsigned int BUSWIDTH = 32>
class Bus : public sc_core::sc_module {
 public:
  // The address space is named after the module (as `info mtree` shows it);
  // the root spans the whole 64-bit space unless `size` says otherwise.
  explicit Bus(sc_core::sc_module_name name, u128 size = k64BitSpace)
      : sc_core::sc_module(name),
        root_(std::string(basename()), size),
        space_(root_, std::string(basename())),
        target_("target", space_),
        target_socket(target_.target_socket) {}

  // Binds an existing TLM target (of any bus width) at [address, address +
  // size): the device sees offsets from 0. With a priority it may overlap
  // others (QEMU's add_subregion_overlap()). The window, named after the
  // socket's module, is owned by the bus.
  template <unsigned int DEVICE_WIDTH>
  TlmDeviceRegion<DEVICE_WIDTH>& bind(
      tlm::tlm_base_target_socket_b<DEVICE_WIDTH, tlm::tlm_fw_transport_if<>, tlm::tlm_bw_transport_if<>>& socket,
      uint64_t address, u128 size, int priority = 0) {
    const sc_core::sc_object* owner = socket.get_base_export().get_parent_object();
    auto window = std::make_unique<TlmDeviceRegion<DEVICE_WIDTH>>(owner != nullptr ? owner->basename() : "device", size);
    window->socket.bind(socket);
    map(address, *window, priority);
    TlmDeviceRegion<DEVICE_WIDTH>& made = *window;
    windows_.push_back(std::move(window));
    return made;
  }
  // Places a region at `address`; with a priority it may overlap others.
  void map(uint64_t address, Region& region, int priority = 0) {
    if (priority == 0) {
      root_.add_subregion(address, region);
    } else {
      root_.add_subregion_overlap(address, region, priority);
    }
  }

  ContainerRegion& root() noexcept { return root_; }
  AddressSpace& space() noexcept { return space_; }

 private:
  ContainerRegion root_;
  AddressSpace space_;
  AddressSpaceTarget<BUSWIDTH> target_;

 public:
  decltype(target_.target_socket)& target_socket;

 private:
  // Last: the windows leave the map before the space and the root go.
  std::vector<std::unique_ptr<MmioRegion>> windows_;
};

}  // namespace tlmmap

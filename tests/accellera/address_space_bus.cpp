#include "address_space_bus.hpp"

#include <string>
#include <vector>

#include "support/protocol_checker.hpp"
#include "tlmmap/tlm/address_space_target.hpp"
#include "tlmmap/tlm/tlm_device_region.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap::accellera {

// Destroyed in reverse: target checkers and windows first (the map loses its
// windows while the initiator side is still there), then the initiator side.
struct AddressSpaceBus::Parts {
  ContainerRegion system{"system", k64BitSpace};
  AddressSpace space{system, "memory"};
  AddressSpaceTarget<32> target{"address_space", space};
  std::vector<std::unique_ptr<Checker>> initiator_checkers;
  std::vector<std::unique_ptr<TlmDeviceRegion<32>>> windows;
  std::vector<std::unique_ptr<Checker>> target_checkers;
};

AddressSpaceBus::AddressSpaceBus(sc_core::sc_module_name name, int initiators, int targets)
    : sc_core::sc_module(name), parts_(std::make_unique<Parts>()) {
  for (int i = 0; i < initiators; ++i) {
    parts_->initiator_checkers.push_back(std::make_unique<Checker>(("initiator_" + std::to_string(i)).c_str()));
    parts_->initiator_checkers.back()->initiator_socket.bind(parts_->target.target_socket);
  }
  for (int t = 0; t < targets; ++t) {
    const std::string window = "target_" + std::to_string(t);
    parts_->windows.push_back(std::make_unique<TlmDeviceRegion<32>>(window.c_str(), kTargetWindow));
    parts_->target_checkers.push_back(std::make_unique<Checker>((window + "_checker").c_str()));
    parts_->windows.back()->socket.bind(parts_->target_checkers.back()->target_socket);
    parts_->system.add_subregion(static_cast<uint64_t>(t) * kTargetWindow, *parts_->windows.back());
  }
}

AddressSpaceBus::~AddressSpaceBus() = default;

tlm::tlm_target_socket<32>& AddressSpaceBus::target_socket(int i) {
  return parts_->initiator_checkers.at(static_cast<std::size_t>(i))->target_socket;
}
tlm::tlm_initiator_socket<32>& AddressSpaceBus::initiator_socket(int t) {
  return parts_->target_checkers.at(static_cast<std::size_t>(t))->initiator_socket;
}
int AddressSpaceBus::initiators() const { return static_cast<int>(parts_->initiator_checkers.size()); }
int AddressSpaceBus::targets() const { return static_cast<int>(parts_->target_checkers.size()); }
AddressSpace& AddressSpaceBus::space() { return parts_->space; }
AddressSpaceBus::Checker& AddressSpaceBus::initiator_checker(int i) {
  return *parts_->initiator_checkers.at(static_cast<std::size_t>(i));
}
AddressSpaceBus::Checker& AddressSpaceBus::target_checker(int t) {
  return *parts_->target_checkers.at(static_cast<std::size_t>(t));
}

}  // namespace tlmmap::accellera

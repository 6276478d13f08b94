// What replaces SimpleBusLT<NI, NT> / SimpleBusAT<NI, NT> in the Accellera
// TLM-2.0 examples: a tlmmap address space, with a base-protocol checker on
// every hop.
//
//   initiator i --> checker "initiator_i" --+
//                                           +--> AddressSpaceTarget "address_space"
//   initiator j --> checker "initiator_j" --+        |  (flat view of the container "system")
//                                                    +--> TlmDeviceRegion "target_t"
//                                                           --> checker "target_t_checker" --> target t
//
// SimpleBus decodes address bits 31..28 as the target index and passes the
// masked address on; here target t is an MMIO region of 0x10000000 bytes at
// t * 0x10000000 in "system", and it sees region-relative addresses, which
// are the same masked addresses. The example tops bind exactly as they bind
// SimpleBus: initiators to target_socket(i), targets to initiator_socket(t).
//
// The parts live in address_space_bus.cpp: the tops, which include the
// examples' own headers, compile without tlmmap's.
#pragma once

#include <cstdint>
#include <memory>

#include <systemc>
#include <tlm>

namespace tlmmap {
class AddressSpace;
namespace test {
template <unsigned int BUSWIDTH>
class ProtocolChecker;
}  // namespace test
}  // namespace tlmmap

namespace tlmmap::accellera {

constexpr uint64_t kTargetWindow = 0x10000000;  // SimpleBus: bits 31..28 select the target

class AddressSpaceBus : public sc_core::sc_module {
 public:
  using Checker = test::ProtocolChecker<32>;

  AddressSpaceBus(sc_core::sc_module_name name, int initiators, int targets);
  ~AddressSpaceBus() override;

  // Where initiator i binds (SimpleBus: target_socket[i]).
  tlm::tlm_target_socket<32>& target_socket(int i);
  // What binds to target t (SimpleBus: initiator_socket[t]).
  tlm::tlm_initiator_socket<32>& initiator_socket(int t);

  int initiators() const;
  int targets() const;
  AddressSpace& space();
  Checker& initiator_checker(int i);
  Checker& target_checker(int t);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace tlmmap::accellera

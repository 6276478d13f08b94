// How the Accellera example programs are checked (see README.md here):
//  * every report is captured as SystemC's default handler prints it (and
//    still printed), then compared with the example's results/expected.log:
//    - same_log: the same reports in the same order, timestamps included
//      (the LT examples: the address space adds no latency, so even the
//      timing is SimpleBusLT's);
//    - same_operations: the approximately-timed examples, whose timing and
//      interleaving depend on the interconnect: the same memory operations
//      (memory.cpp's report of each access: target, command, address, data,
//      timestamps aside) as a multiset, as many "Starting Traffic" and
//      "Traffic Generator Complete" reports (a traffic generator completes
//      only once every one of its transactions came back);
//  * no warning, error or fatal report at all (errors end the run anyway:
//    SystemC throws them); the base-protocol checkers on every hop report
//    their violations as errors;
//  * nothing is left in flight on any hop at the end;
//  * every response reaching an initiator is TLM_OK_RESPONSE with the
//    address it was sent with, and a read returns exactly what the traffic
//    generators wrote there (address A holds A in the window of target 0 and
//    ~A in the window of target 1) — stricter than the generators' own check,
//    which masks bits 31..28 because SimpleBus does not restore addresses;
//  * each initiator got the expected number of responses (64: two passes of
//    16 writes and 16 reads), where every access goes through the bus.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "address_space_bus.hpp"

namespace tlmmap::accellera {

enum class Comparison { same_log, same_operations };

class ExampleRun {
 public:
  // Starts capturing reports.
  explicit ExampleRun(std::string name);

  // Checks what crosses every hop of the bus; each initiator must get
  // `responses_per_initiator` responses (0: not checked).
  void watch(AddressSpaceBus& bus, std::size_t responses_per_initiator);

  // sc_start(); an error report thrown out of the simulation is a failure.
  void simulate();

  // After simulate(): all the checks; the exit status of the program.
  int finish(const std::string& expected_log, Comparison how);

 private:
  struct Initiator {
    test::ProtocolChecker<32>* checker;
    std::size_t expected_responses;  // 0: not checked
    std::size_t responses = 0;
  };
  void watch_initiator(test::ProtocolChecker<32>& checker, std::size_t responses);
  void fail(const std::string& why);

  std::string name_;
  std::vector<test::ProtocolChecker<32>*> checkers_;
  std::vector<Initiator> initiators_;
  std::vector<std::string> failures_;
  bool aborted_ = false;
};

}  // namespace tlmmap::accellera

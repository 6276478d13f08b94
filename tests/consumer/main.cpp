// Uses every layer, as a SystemC platform would.
#include <iostream>

#include <systemc>  // declares sc_main, which libsystemc calls

#include "tlmmap/tlmmap.hpp"

int sc_main(int, char*[]) {
  tlmmap::Bus<32> bus("bus");
  tlmmap::RamRegion ram("ram", 0x1000);
  bus.map(0x1000, ram);
  std::cout << tlmmap::mtree_text({&bus.space()}, {true, false});
  return bus.space().lookup(0x1800) != nullptr && bus.space().lookup(0x1800)->region() == &ram ? 0 : 1;
}

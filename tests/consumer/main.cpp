#include <iostream>

#include <systemc>  // declares sc_main, which libsystemc calls

#include "tlmmap/tlmmap.hpp"

int sc_main(int, char*[]) {
  tlmmap::ContainerRegion system("system", tlmmap::k64BitSpace);
  tlmmap::RamRegion ram("ram", 0x1000);
  system.add_subregion(0x1000, ram);
  tlmmap::AddressSpace memory(system, "memory");
  std::cout << tlmmap::mtree_text({&memory}, {true, false});
  return memory.lookup(0x1800) != nullptr && memory.lookup(0x1800)->region == &ram ? 0 : 1;
}

// Uses the core and map files only: no SystemC anywhere in the build.
#include <iostream>

#include "tlmmap/core.hpp"
#include "tlmmap/memmap.hpp"

int main() {
  tlmmap::ContainerRegion system("system", tlmmap::k64BitSpace);
  tlmmap::RamRegion ram("ram", 0x1000);
  system.add_subregion(0x1000, ram);
  tlmmap::AddressSpace memory(system, "memory");
  std::cout << tlmmap::mtree_text({&memory}, {true, false});
  return memory.lookup(0x1800) != nullptr && memory.lookup(0x1800)->region() == &ram ? 0 : 1;
}

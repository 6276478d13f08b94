#include "tlmmap/devices/sifive_test.hpp"

namespace tlmmap {

SifiveTest::SifiveTest(sc_core::sc_module_name name)
    : sc_core::sc_module(name), on_finish([](const Finish&) { sc_core::sc_stop(); }) {}

MmioOps SifiveTest::ops() {
  MmioOps ops;
  ops.endianness = Endianness::little;
  ops.valid.min_access_size = 2;
  ops.valid.max_access_size = 4;
  ops.impl.min_access_size = 4;
  ops.impl.max_access_size = 4;
  ops.read = [](uint64_t, unsigned) -> uint64_t { return 0; };
  ops.debug_read = ops.read;
  ops.write = [this](uint64_t offset, uint64_t value, unsigned) {
    if (offset != 0) return;
    Finish f{Finish::Kind::pass, static_cast<uint16_t>(value >> 16), sc_core::sc_time_stamp()};
    switch (value & 0xffff) {
      case 0x5555: f.code = 0; break;
      case 0x3333: f.kind = Finish::Kind::fail; break;
      case 0x7777: f.kind = Finish::Kind::reset; f.code = 0; break;
      default: return;
    }
    if (!finish_) finish_ = f;
    if (on_finish) on_finish(f);
  };
  return ops;
}

}  // namespace tlmmap

// SiFive's test finisher ("sifive,test0/1" in a device tree): a 32-bit
// register at offset 0 whose low 16 bits say how the program ended:
//   0x5555               pass
//   (code << 16)|0x3333  fail with `code`
//   0x7777               reset request
// Other values are ignored, as on QEMU. Reads return 0.
//
//   tlmmap::SifiveTest test{"test"};
//   region.set_ops(test.ops());
//   test.on_finish = [](const tlmmap::SifiveTest::Finish& f) { ... };  // default: sc_stop()
//   return test.finish() ? test.finish()->exit_status() : 1;
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include <systemc>

#include "tlmmap/core/mmio_ops.hpp"

namespace tlmmap {

class SifiveTest : public sc_core::sc_module {
 public:
  struct Finish {
    enum class Kind { pass, fail, reset } kind;
    uint16_t code = 0;  // for fail
    sc_core::sc_time when;
    // QEMU's process exit status for it: 0 for pass and reset,
    // (code << 1) | 1 for fail.
    int exit_status() const { return kind == Kind::fail ? (code << 1) | 1 : 0; }
  };

  explicit SifiveTest(sc_core::sc_module_name name);

  // 2 or 4-byte accesses (QEMU's sifive_test).
  MmioOps ops();

  // Called on a finishing write; sc_stop() unless replaced.
  std::function<void(const Finish&)> on_finish;
  // The first finishing write, if any.
  const std::optional<Finish>& finish() const noexcept { return finish_; }

 private:
  std::optional<Finish> finish_;
};

}  // namespace tlmmap

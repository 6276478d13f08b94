// The test finisher at the map's "test" region: pass and fail end the
// simulation with QEMU's exit status; reset resets the machine (and boots
// again), as on QEMU. Its syscon poweroff and reboot
// nodes are how OpenSBI (and through SBI, U-Boot's and Linux's poweroff)
// find it.
#include "tlmmap/devices/sifive_test.hpp"
#include "virt_device.hpp"

namespace {

struct Finisher : tlmmap::virt::VirtDevice {
  tlmmap::SifiveTest test{"test"};
  tlmmap::MmioRegion& region;

  explicit Finisher(tlmmap::virt::VirtContext& machine) : region(machine.region<tlmmap::MmioRegion>("test")) {
    region.set_ops(test.ops());
    test.on_finish = [&machine](const tlmmap::SifiveTest::Finish& f) {
      using Kind = tlmmap::SifiveTest::Finish::Kind;
      if (f.kind == Kind::reset) {
        machine.reset("sifive_test: reset");
        return;
      }
      const std::string why =
          f.kind == Kind::pass ? "sifive_test: pass" : "sifive_test: fail, code " + std::to_string(f.code);
      machine.finish(f.exit_status(), why);
    };
  }

  void describe(tlmmap::virt::VirtTree& tree) const override {
    const std::string node = tree.soc_node("test", region, {"sifive,test1", "sifive,test0", "syscon"});
    const uint32_t syscon = tree.dt.phandle(node);
    // QEMU's order (reboot made first, so poweroff is listed first).
    for (const auto& [name, value] : {std::pair<const char*, uint32_t>{"reboot", 0x7777}, {"poweroff", 0x5555}}) {
      const std::string path = std::string("/") + name;
      tree.dt.add_node(path);
      tree.dt.set_string(path, "compatible", std::string("syscon-") + name);
      tree.dt.set_u32(path, "regmap", syscon);
      tree.dt.set_u32(path, "offset", 0);
      tree.dt.set_u32(path, "value", value);
    }
  }
};

}  // namespace

TLMMAP_VIRT_DEVICE(sifive_test) { return std::make_unique<Finisher>(machine); }

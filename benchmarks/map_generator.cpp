#include "map_generator.hpp"

#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include "tlmmap/core/container_region.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/rom_region.hpp"
#include "tlmmap/core/transaction.hpp"

namespace tlmmap::bench {

namespace {

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;

constexpr uint64_t kBridgeBase = 64 * GiB;
constexpr uint64_t kBridgeSize = 4 * GiB;
constexpr uint64_t kSubSize = 256 * MiB;
constexpr uint64_t kBusSize = 16 * MiB;
constexpr uint64_t kDeviceStride = 64 * KiB;
constexpr uint64_t kDeviceSize = 32 * KiB;
constexpr uint64_t kBarWindow = 0xC0'0000;   // BAR aliases inside a bus
constexpr uint64_t kBar2Window = 0xE0'0000;  // aliases of BAR aliases
constexpr uint64_t kPadWindow = 0x80'0000;   // padding leaves
constexpr uint64_t kMirrorInBridge = 0xF000'0000;
constexpr uint64_t kMirrorLoBase = 0x8000'0000;  // inside the PCI hole

constexpr int kSubsPerBridge = 8;
constexpr int kBusesPerSub = 8;
constexpr int kDevicesPerBus = 32;

class Builder {
 public:
  Builder(GeneratedMap& out, std::size_t target, uint64_t seed)
      : out_(out), map_(*out.map), target_(target), rng_(seed) {}

  void run() {
    Transaction transaction;  // as a loader would; nothing renders yet anyway
    root_ = &make<ContainerRegion>("system", k64BitSpace);
    out_.root = root_;
    full_ = target_ >= 100;
    if (full_) {
      system_regions();
    } else if (count_ < target_) {
      auto& ram = make<RamRegion>("ram", 64 * KiB);
      root_->add_subregion(0, ram);
    }
    while (true) {
      const uint32_t shape = static_cast<uint32_t>(rng_() % 32);
      const std::size_t need = structure_cost() + device_cost(shape);
      if (count_ + need > target_) break;
      ensure_bus();
      device(shape);
    }
    pad();
    transaction.commit();
    if (!devices_.empty()) out_.middle_device = devices_[devices_.size() / 2];
    if (!bars_.empty()) {
      out_.middle_bar = bars_[bars_.size() / 2];
      out_.middle_bar_spare_address = out_.middle_bar->address() + kDeviceSize;
    }
    out_.regions = count_;
  }

 private:
  template <typename R, typename... Args>
  R& make(const std::string& name, Args&&... args) {
    ++count_;
    R& r = map_.template make<R>(name, name, std::forward<Args>(args)...);
    if constexpr (std::is_same_v<R, ContainerRegion>) ++out_.containers;
    if constexpr (std::is_same_v<R, AliasRegion>) ++out_.aliases;
    return r;
  }

  void overlap(Region& parent, uint64_t offset, Region& sub, int priority) {
    parent.add_subregion_overlap(offset, sub, priority);
    ++out_.overlapping;
  }

  // A PC-like low map: RAM split by aliases around the PCI hole, legacy
  // overlays above RAM, a background below the PCI hole.
  void system_regions() {
    auto& ram = make<RamRegion>("ram", 8 * GiB);
    auto& below = make<AliasRegion>("ram-below-4g", ram, 0, 2 * GiB);
    auto& above = make<AliasRegion>("ram-above-4g", ram, 2 * GiB, 6 * GiB);
    root_->add_subregion(0, below);
    root_->add_subregion(4 * GiB, above);
    auto& hole = make<MmioRegion>("pci-hole", 2 * GiB);
    overlap(*root_, 2 * GiB, hole, -1);
    auto& vga = make<MmioRegion>("vga", 128 * KiB);
    auto& smram = make<AliasRegion>("smram", vga, 0, 128 * KiB);
    overlap(*root_, 0xA0000, smram, 1);
    auto& bios = make<RomRegion>("bios", 128 * KiB);
    root_->add_subregion(4 * GiB - 128 * KiB, bios);
    auto& isa_bios = make<AliasRegion>("isa-bios", bios, 0, 128 * KiB);
    overlap(*root_, 0xE0000, isa_bios, 1);
  }

  // Regions the next device needs besides its own: a new bus, sub-bridge
  // or bridge.
  std::size_t structure_cost() const {
    if (bus_ != nullptr && devices_in_bus_ < kDevicesPerBus) return 0;
    if (!full_) return bus_ == nullptr ? 2 : SIZE_MAX / 2;  // small maps: one bus
    std::size_t cost = 2;  // bus + default
    const bool new_sub = sub_ == nullptr || buses_in_sub_ == kBusesPerSub;
    if (new_sub) {
      cost += 1;
      if (bridge_ == nullptr || subs_in_bridge_ == kSubsPerBridge) cost += 4;  // + bg, mirror, mirror-lo
    }
    return cost;
  }

  static std::size_t device_cost(uint32_t shape) {
    std::size_t cost = 4;  // container, raz, regs, fifo
    if (shape % 4 == 0) ++cost;
    if (shape % 8 == 3) ++cost;
    if (shape % 8 == 5) ++cost;
    if (shape == 13) ++cost;
    return cost;
  }

  void ensure_bus() {
    if (bus_ != nullptr && devices_in_bus_ < kDevicesPerBus) return;
    if (!full_) {
      new_bus(*root_, 0x1000'0000, "bus");
      return;
    }
    bool new_bridge_needed = false;
    if (sub_ == nullptr || buses_in_sub_ == kBusesPerSub) {
      if (bridge_ == nullptr || subs_in_bridge_ == kSubsPerBridge) {
        new_bridge();
        new_bridge_needed = true;
      }
      const std::string name = bridge_name_ + ".sub" + std::to_string(subs_in_bridge_);
      sub_ = &make<ContainerRegion>(name, kSubSize);
      bridge_->add_subregion(subs_in_bridge_ * kSubSize, *sub_);
      ++subs_in_bridge_;
      buses_in_sub_ = 0;
      sub_name_ = name;
    }
    new_bus(*sub_, buses_in_sub_ * kBusSize, sub_name_ + ".bus" + std::to_string(buses_in_sub_));
    ++buses_in_sub_;
    if (new_bridge_needed) {
      // An alias into a container (a whole bus), and an alias of that alias
      // placed as a priority-1 overlay in the PCI hole of the system map.
      auto& mirror = make<AliasRegion>(bridge_name_ + ".mirror", *bus_, 0, kBusSize);
      bridge_->add_subregion(kMirrorInBridge, mirror);
      if (out_.bridge_mirror == nullptr) out_.bridge_mirror = &mirror;
      auto& lo = make<AliasRegion>(bridge_name_ + ".mirror-lo", mirror, 0, kBusSize);
      ++out_.aliases_of_aliases;
      overlap(*root_, kMirrorLoBase + bridges_ * kBusSize, lo, 1);
      ++bridges_;
    }
  }

  void new_bridge() {
    bridge_name_ = "bridge" + std::to_string(bridges_);
    bridge_ = &make<ContainerRegion>(bridge_name_, kBridgeSize);
    root_->add_subregion(kBridgeBase + bridges_ * kBridgeSize, *bridge_);
    auto& bg = make<MmioRegion>(bridge_name_ + ".bg", kBridgeSize);
    overlap(*bridge_, 0, bg, -1);
    subs_in_bridge_ = 0;
  }

  void new_bus(Region& parent, uint64_t offset, const std::string& name) {
    bus_ = &make<ContainerRegion>(name, kBusSize);
    parent.add_subregion(offset, *bus_);
    auto& def = make<MmioRegion>(name + ".default", kBusSize);
    overlap(*bus_, 0, def, -1);
    bus_name_ = name;
    devices_in_bus_ = 0;
    pads_ = 0;
  }

  void device(uint32_t shape) {
    const uint64_t slot = devices_in_bus_ * kDeviceStride;
    const std::string name = bus_name_ + ".dev" + std::to_string(devices_in_bus_);
    ++devices_in_bus_;
    auto& dev = make<ContainerRegion>(name, kDeviceSize);
    bus_->add_subregion(slot, dev);
    devices_.push_back(&dev);
    auto& raz = make<MmioRegion>(name + ".raz", kDeviceSize);
    overlap(dev, 0, raz, -1);
    auto& regs = make<MmioRegion>(name + ".regs", 4 * KiB);
    dev.add_subregion(0, regs);
    auto& fifo = make<MmioRegion>(name + ".fifo", 0x100);
    dev.add_subregion(0x1000, fifo);
    if (shape % 4 == 0) {
      if (shape % 16 == 0) {
        dev.add_subregion(0x4000, make<RomDeviceRegion>(name + ".flash", 16 * KiB));
      } else {
        dev.add_subregion(0x4000, make<RamRegion>(name + ".sram", 16 * KiB));
      }
    }
    if (shape % 8 == 3) overlap(dev, 0x800, make<MmioRegion>(name + ".dbg", 0x100), 1);
    if (shape % 8 == 5) {
      // A BAR-like alias onto the whole device (an alias into a container).
      auto& bar = make<AliasRegion>(name + ".bar", dev, 0, kDeviceSize);
      bus_->add_subregion(kBarWindow + slot, bar);
      bars_.push_back(&bar);
      if (shape == 13) {
        auto& bar2 = make<AliasRegion>(name + ".bar2", bar, 0x1000, 4 * KiB);
        bus_->add_subregion(kBar2Window + slot, bar2);
        ++out_.aliases_of_aliases;
      }
    }
  }

  void pad() {
    Region* parent = bus_ != nullptr ? bus_ : root_;
    const std::string base = bus_ != nullptr ? bus_name_ : std::string("system");
    const uint64_t window = bus_ != nullptr ? kPadWindow : 0x2000'0000;
    while (count_ < target_) {
      auto& leaf = make<MmioRegion>(base + ".pad" + std::to_string(pads_), 0x100);
      parent->add_subregion(window + pads_ * 0x1000, leaf);
      ++pads_;
    }
  }

  GeneratedMap& out_;
  MemoryMap& map_;
  std::size_t target_;
  std::mt19937_64 rng_;
  std::size_t count_ = 0;
  bool full_ = false;
  Region* root_ = nullptr;
  Region* bridge_ = nullptr;
  Region* sub_ = nullptr;
  Region* bus_ = nullptr;
  std::string bridge_name_, sub_name_, bus_name_;
  uint64_t bridges_ = 0;
  uint64_t subs_in_bridge_ = 0;
  uint64_t buses_in_sub_ = 0;
  uint64_t devices_in_bus_ = 0;
  uint64_t pads_ = 0;
  std::vector<Region*> devices_;
  std::vector<AliasRegion*> bars_;
};

}  // namespace

GeneratedMap generate_map(std::size_t regions, uint64_t seed) {
  GeneratedMap out;
  out.map = std::make_unique<MemoryMap>();
  Builder(out, regions, seed).run();
  return out;
}

}  // namespace tlmmap::bench

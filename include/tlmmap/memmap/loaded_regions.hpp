// Regions the memmap loader makes where a file says more than the region
// API can tell afterwards: a RAM or ROM mapped from a file, and an MMIO
// region with coalescing or ioeventfds from the file. They remember what
// the file said, so `tlmmap export` (write_memmap) writes it back, and the
// MMIO region owns the notifiers of its ioeventfds, which a device model
// finds here (dynamic_cast the region of map.region(id)).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tlmmap/core/event_notifier.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/rom_region.hpp"

namespace tlmmap {

class FileRamRegion : public RamRegion {
 public:
  FileRamRegion(std::string name, u128 size, RamFile file);
  const RamFile& file() const noexcept { return file_; }

 private:
  RamFile file_;
};

class FileRomRegion : public RomRegion {
 public:
  FileRomRegion(std::string name, u128 size, RamFile file);
  const RamFile& file() const noexcept { return file_; }

 private:
  RamFile file_;
};

// An EventNotifier that calls a function when notified: how a model hooks
// an ioeventfd of a file to its own event (an sc_event's notify(), say).
class FunctionNotifier : public EventNotifier {
 public:
  explicit FunctionNotifier(bool with_eventfd) : EventNotifier(with_eventfd) {}
  std::function<void()> on_notify;

 protected:
  void notified() override {
    if (on_notify) on_notify();
  }
};

class LoadedMmioRegion : public MmioRegion {
 public:
  struct Coalesced {
    uint64_t offset;
    u128 size;
  };
  struct Ioeventfd {
    uint64_t offset;
    unsigned size;
    bool match_data;
    uint64_t data;
    std::unique_ptr<FunctionNotifier> notifier;
  };

  LoadedMmioRegion(std::string name, u128 size);
  // Its ioeventfds go first; their notifiers live on until the map has
  // told listeners (deferred while a transaction is open).
  ~LoadedMmioRegion() override;

  // QEMU's set_coalescing(): the whole region.
  void coalesce_all();
  void coalesce(uint64_t offset, u128 size);
  // What coalesce_all()/coalesce() were given, in order (the whole region as {0, size}).
  const std::vector<Coalesced>& coalesced() const noexcept { return coalesced_; }
  bool coalesces_all() const noexcept { return all_; }

  // add_eventfd() with a notifier the region owns (and, with `with_eventfd`,
  // a Linux eventfd another thread or process can poll).
  FunctionNotifier& add_ioeventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data, bool with_eventfd);
  const std::vector<Ioeventfd>& ioeventfds() const noexcept { return ioeventfds_; }

 private:
  std::vector<Coalesced> coalesced_;
  bool all_ = false;
  std::vector<Ioeventfd> ioeventfds_;
};

}  // namespace tlmmap

#include "tlmmap/memmap/loaded_regions.hpp"

#include "tlmmap/core/transaction.hpp"

namespace tlmmap {

namespace {

// Notifiers of destroyed regions whose eventfd_del listeners hear only at
// the commit of the transaction open when the region went: freed at the
// next construction or destruction of a loaded MMIO region outside any
// transaction, so a listener never holds a dangling notifier.
std::vector<std::unique_ptr<FunctionNotifier>>& graveyard() {
  static auto* notifiers = new std::vector<std::unique_ptr<FunctionNotifier>>();
  return *notifiers;
}

void bury_when_safe() {
  if (transaction_depth() == 0) graveyard().clear();
}

}  // namespace

FileRamRegion::FileRamRegion(std::string name, u128 size, RamFile file)
    : RamRegion(std::move(name), size, file), file_(std::move(file)) {}

FileRomRegion::FileRomRegion(std::string name, u128 size, RamFile file)
    : RomRegion(std::move(name), size, file), file_(std::move(file)) {}

LoadedMmioRegion::LoadedMmioRegion(std::string name, u128 size) : MmioRegion(std::move(name), size) {
  bury_when_safe();
}

LoadedMmioRegion::~LoadedMmioRegion() {
  for (Ioeventfd& fd : ioeventfds_) {
    del_eventfd(fd.offset, fd.size, fd.match_data, fd.data, *fd.notifier);
    graveyard().push_back(std::move(fd.notifier));
  }
  bury_when_safe();
}

void LoadedMmioRegion::coalesce_all() {
  set_coalescing();
  all_ = true;
  coalesced_.push_back({0, size()});
}

void LoadedMmioRegion::coalesce(uint64_t offset, u128 size) {
  add_coalescing(offset, size);
  coalesced_.push_back({offset, size});
}

FunctionNotifier& LoadedMmioRegion::add_ioeventfd(uint64_t offset, unsigned size, bool match_data, uint64_t data,
                                                  bool with_eventfd) {
  auto notifier = std::make_unique<FunctionNotifier>(with_eventfd);
  add_eventfd(offset, size, match_data, data, *notifier);
  ioeventfds_.push_back({offset, size, match_data, data, std::move(notifier)});
  return *ioeventfds_.back().notifier;
}

}  // namespace tlmmap

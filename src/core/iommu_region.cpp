// IOMMU regions: QEMU's IOMMU API (translate, indexes, notifiers, replay)
// and translation on the model's access path.
#include <algorithm>
#include <cstring>

#include "iommu_node.hpp"
#include "report.hpp"
#include "tlmmap/core/address_space.hpp"
#include "tlmmap/core/detail/translation_cache.hpp"

namespace tlmmap {

const char* to_string(IommuAccess access) noexcept {
  switch (access) {
    case IommuAccess::none: return "none";
    case IommuAccess::read: return "read";
    case IommuAccess::write: return "write";
    case IommuAccess::read_write: return "read-write";
  }
  return "?";
}

const char* to_string(IommuFaultReason reason) noexcept {
  switch (reason) {
    case IommuFaultReason::no_translation: return "no translation";
    case IommuFaultReason::permission: return "permission denied";
    case IommuFaultReason::nesting: return "nested too deep";
  }
  return "?";
}

namespace detail {

namespace {

// The IOMMUs being translated through on this thread, outermost first.
struct NestingState {
  unsigned depth = 0;
  const std::string* names[kMaxIommuNesting + 1] = {};
};
thread_local NestingState nesting_state;

// Bytes from `address` to the end of the entry's page, at most `remaining`.
uint64_t page_rest(const IommuTlbEntry& e, uint64_t address, uint64_t remaining) {
  const u128 end = u128(address | e.addr_mask) + 1;
  return static_cast<uint64_t>(std::min<u128>(remaining, end - address));
}

IommuFaultReason refusal(const IommuTlbEntry& e) {
  if (e.target == nullptr || e.perm == IommuAccess::none) return IommuFaultReason::no_translation;
  return IommuFaultReason::permission;
}

MemTxResult result_of(IommuFaultReason reason) {
  return reason == IommuFaultReason::permission ? MemTxResult::access_error : MemTxResult::decode_error;
}

void report_loop(const IommuNesting& nesting, const std::string& name, const std::string& what) {
  report_warning(kAccessMsg, what + " through IOMMU '" + name + "': nested through more than " +
                                 std::to_string(kMaxIommuNesting) + " IOMMUs, a loop? (" + nesting.chain() + ")");
}

}  // namespace

IommuNesting::IommuNesting(const std::string& name) {
  NestingState& s = nesting_state;
  if (s.depth <= kMaxIommuNesting) s.names[s.depth] = &name;
  ++s.depth;
}
IommuNesting::~IommuNesting() { --nesting_state.depth; }
bool IommuNesting::ok() const noexcept { return nesting_state.depth <= kMaxIommuNesting; }

std::string IommuNesting::chain() const {
  const NestingState& s = nesting_state;
  std::string text;
  for (unsigned i = 0; i < std::min(s.depth, kMaxIommuNesting + 1); ++i) {
    if (i != 0) text += " -> ";
    text += "'" + *s.names[i] + "'";
  }
  return text + " -> ...";
}

MemTxResult IommuNode::access(const Piece& p) {
  IommuRegion* iommu = region();
  if (iommu == nullptr) {
    // Destroyed, seen through an old view: nothing translates any more.
    report_warning(kAccessMsg, p.describe() + " reaches IOMMU region '" + name + "', which has been destroyed");
    if (!p.is_write) std::memset(p.data, 0, p.length);
    return MemTxResult::decode_error;
  }
  IommuNesting nesting(name);
  if (!nesting.ok()) {
    report_loop(nesting, name, p.describe());
    if (!p.is_write) std::memset(p.data, 0, p.length);
    return MemTxResult::decode_error;
  }
  TranslationCache& cache = iommu->translation_cache();
  const int index = iommu->attrs_to_index(p.attrs);
  MemTxResult result = MemTxResult::ok;
  uint64_t done = 0;
  while (done < p.length) {
    const uint64_t address = p.offset + done;
    const TranslationCache::Entry* kept = cache.find(address, index, p.is_write);
    if (kept == nullptr) {
      const IommuAccess wanted = p.is_write ? IommuAccess::write : IommuAccess::read;
      const IommuTlbEntry e = iommu->translate(address, wanted, index);
      if (e.target == nullptr || !allows(e.perm, wanted)) {
        const uint64_t n = page_rest(e, address, p.length - done);
        const IommuFaultReason reason = refusal(e);
        if (!p.is_write) std::memset(p.data + done, 0, n);
        iommu->fault(IommuFault{address, p.is_write, index, p.attrs, reason});
        result |= result_of(reason);
        done += n;
        continue;
      }
      kept = &cache.fill(address, index, p.is_write, e);
    }
    const uint64_t n = std::min<uint64_t>(p.length - done, (kept->mask - (address & kept->mask)) + 1);
    uint8_t* host = p.enables.pattern == nullptr ? kept->direct(address, n) : nullptr;
    if (host != nullptr) {
      // Host memory in the target space, as its RAM would copy it.
      if (p.is_write) {
        std::memcpy(host, p.data + done, n);
      } else {
        std::memcpy(p.data + done, host, n);
      }
      p.latency += kept->latency;
    } else {
      // The page's part of the access goes on in the target space (the
      // entry may go during it: what it needs is copied first).
      Access sub;
      sub.address = kept->target_address(address);
      sub.data = p.data + done;
      sub.length = n;
      sub.is_write = p.is_write;
      sub.single = p.single && n == p.length;
      const ByteEnables enables = p.enables.from(done);
      sub.byte_enables = enables.pattern;
      sub.byte_enable_length = enables.length;
      sub.byte_enable_offset = enables.index;
      sub.attrs = p.attrs;
      result |= kept->target->access(sub);
      p.latency += sub.latency;
    }
    done += n;
  }
  return result;
}

uint64_t IommuNode::debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) {
  IommuRegion* iommu = region();
  if (iommu == nullptr) return 0;
  IommuNesting nesting(name);
  if (!nesting.ok()) return 0;
  const IommuAccess wanted = is_write ? IommuAccess::write : IommuAccess::read;
  const int index = iommu->attrs_to_index(MemTxAttrs{});
  const TranslationCache& cache = iommu->translation_cache();
  uint64_t done = 0;
  while (done < length) {
    const uint64_t address = offset + done;
    // What an access would use: a kept translation, else a pure look-up
    // (debug accesses never fill the cache or the IOMMU's own state).
    AddressSpace* target;
    uint64_t translated;
    uint64_t n;
    if (const TranslationCache::Entry* kept = cache.find(address, index, is_write)) {
      target = kept->target;
      translated = kept->target_address(address);
      n = std::min<uint64_t>(length - done, (kept->mask - (address & kept->mask)) + 1);
    } else {
      const IommuTlbEntry e = iommu->translate(address, IommuAccess::none, index);
      if (e.target == nullptr || !allows(e.perm, wanted)) break;
      target = e.target;
      translated = e.translate(address);
      n = page_rest(e, address, length - done);
    }
    const uint64_t moved = is_write ? target->debug_write(translated, data + done, n)
                                    : target->debug_read(translated, data + done, n);
    done += moved;
    if (moved < n) break;
  }
  return done;
}

IommuTlbEntry translate_for_map(const RegionNode& node, uint64_t offset, bool is_write, const MemTxAttrs& attrs) {
  IommuRegion* iommu = static_cast<const IommuNode&>(node).region();
  if (iommu == nullptr) return IommuTlbEntry{};
  const IommuAccess wanted = is_write ? IommuAccess::write : IommuAccess::read;
  const int index = iommu->attrs_to_index(attrs);
  IommuTlbEntry e = iommu->translate(offset, wanted, index);
  if (e.target == nullptr || !allows(e.perm, wanted)) {
    iommu->fault(IommuFault{offset, is_write, index, attrs, refusal(e)});
    e.target = nullptr;
  }
  return e;
}

}  // namespace detail

using detail::report_error;
using detail::report_warning;

IommuNotifier::~IommuNotifier() {
  if (region_ != nullptr) region_->unregister_notifier(*this);
}

IommuRegion::IommuRegion(std::string name, u128 size)
    : Region(std::make_unique<detail::IommuNode>(std::move(name), size)) {}

IommuRegion::~IommuRegion() {
  unmap();
  cache_.reset();
  // Every translation goes with the region: each notifier that wants
  // UNMAPs hears one over the whole space, then they are all forgotten.
  IommuTlbEntry all;
  all.addr_mask = ~uint64_t(0);
  const std::vector<IommuNotifier*> snapshot = notifiers_;
  for (IommuNotifier* n : snapshot) {
    if (std::find(notifiers_.begin(), notifiers_.end(), n) == notifiers_.end()) continue;
    if (wants(n->flags, IommuNotifierFlag::unmap)) n->notify(IommuTlbEvent{IommuNotifierFlag::unmap, all});
  }
  for (IommuNotifier* n : notifiers_) n->region_ = nullptr;
}

IommuTlbEntry IommuRegion::translate(uint64_t /*address*/, IommuAccess /*flags*/, int /*index*/) {
  // Nothing mapped anywhere: one "page" of the whole space, so an access
  // faults once.
  IommuTlbEntry e;
  e.addr_mask = ~uint64_t(0);
  return e;
}

detail::TranslationCache& IommuRegion::make_translation_cache() {
  cache_ = std::make_unique<detail::TranslationCache>();
  return *cache_;
}

std::size_t IommuRegion::cached_translations() const noexcept { return cache_ ? cache_->size() : 0; }

int IommuRegion::attrs_to_index(const MemTxAttrs& /*attrs*/) const { return 0; }
int IommuRegion::num_indexes() const { return 1; }
uint64_t IommuRegion::min_page_size() const { return 4096; }

void IommuRegion::replay(IommuNotifier& n) {
  const uint64_t page = min_page_size();
  const u128 pages = (u128(n.end) - (n.start & ~(page - 1))) / page + 1;
  if (pages > (u128(1) << 20)) {
    report_error(kRegionMsg, "replay on IOMMU '" + name() + "': " + hex(pages) +
                                 " pages to translate one by one; the IOMMU model must walk its own tables");
    return;
  }
  for (u128 at = n.start & ~(page - 1); at <= n.end; at += page) {
    const IommuTlbEntry e = translate(static_cast<uint64_t>(at), IommuAccess::none, n.index);
    if (e.perm != IommuAccess::none) n.notify(IommuTlbEvent{IommuNotifierFlag::map, e});
  }
}

void IommuRegion::fault(const IommuFault& f) {
  if (fault_handler_) {
    fault_handler_(f);
    return;
  }
  report_warning(kAccessMsg, std::string(f.is_write ? "write" : "read") + " at " + hex(f.address) +
                                 " of IOMMU region '" + name() + "' (index " + std::to_string(f.index) +
                                 "): " + to_string(f.reason));
}

IommuNotifierFlag IommuRegion::notifier_flags() const noexcept {
  uint8_t flags = 0;
  for (const IommuNotifier* n : notifiers_) flags |= static_cast<uint8_t>(n->flags);
  return static_cast<IommuNotifierFlag>(flags);
}

void IommuRegion::register_notifier(IommuNotifier& n) {
  std::string why;
  if (n.region_ != nullptr) {
    why = "it is registered already (with IOMMU '" + n.region_->name() + "')";
  } else if (n.index < 0 || n.index >= num_indexes()) {
    why = "index " + std::to_string(n.index) + " is not below num_indexes() " + std::to_string(num_indexes());
  } else if (n.flags == IommuNotifierFlag::none) {
    why = "it wants no events";
  } else if (n.start > n.end) {
    why = "its range [" + hex(n.start) + ", " + hex(n.end) + "] is empty";
  }
  if (!why.empty()) {
    report_error(kRegionMsg, "registering a notifier with IOMMU '" + name() + "': " + why);
    return;
  }
  const IommuNotifierFlag before = notifier_flags();
  notifiers_.push_back(&n);
  n.region_ = this;
  if (notifier_flags() != before) notify_flag_changed(before, notifier_flags());
}

void IommuRegion::unregister_notifier(IommuNotifier& n) {
  if (n.region_ != this) return;
  const IommuNotifierFlag before = notifier_flags();
  notifiers_.erase(std::remove(notifiers_.begin(), notifiers_.end(), &n), notifiers_.end());
  n.region_ = nullptr;
  if (notifier_flags() != before) notify_flag_changed(before, notifier_flags());
}

void IommuRegion::notify(int index, const IommuTlbEvent& event) { deliver(&index, event); }
void IommuRegion::notify_every_index(const IommuTlbEvent& event) { deliver(nullptr, event); }

void IommuRegion::deliver(const int* index, const IommuTlbEvent& event) {
  const uint64_t first = event.entry.iova & ~event.entry.addr_mask;
  const uint64_t last = event.entry.last();
  // The access path's kept translations first: a notifier may access.
  if (cache_) cache_->invalidate(index, first, last);
  // A notifier may unregister itself (or another) from its callback.
  const std::vector<IommuNotifier*> snapshot = notifiers_;
  for (IommuNotifier* n : snapshot) {
    if (std::find(notifiers_.begin(), notifiers_.end(), n) == notifiers_.end()) continue;
    if ((index != nullptr && n->index != *index) || !wants(n->flags, event.type) || n->start > last || n->end < first) {
      continue;
    }
    n->notify(event);
  }
}

IommuTlbEntry IommuRegion::resolve(uint64_t address, const MemTxAttrs& attrs, IommuAccess wanted,
                                   IommuFaultReason* reason, std::vector<IommuRegion*>* path) {
  IommuRegion* iommu = this;
  IommuTlbEntry result;
  result.addr_mask = ~uint64_t(0);
  result.perm = IommuAccess::read_write;
  result.iova = address;
  uint64_t at = address;
  for (unsigned level = 0;; ++level) {
    if (level == kMaxIommuNesting) {
      if (reason != nullptr) *reason = IommuFaultReason::nesting;
      return IommuTlbEntry{};
    }
    if (path != nullptr) path->push_back(iommu);
    const IommuTlbEntry e = iommu->translate(at, IommuAccess::none, iommu->attrs_to_index(attrs));
    if (e.target == nullptr || !allows(e.perm, wanted)) {
      if (reason != nullptr) *reason = detail::refusal(e);
      return IommuTlbEntry{};
    }
    // The smallest page on the way bounds the page of the whole translation.
    result.addr_mask &= e.addr_mask;
    result.perm = result.perm & e.perm;
    result.target = e.target;
    at = e.translate(at);
    const FlatRange* fr = e.target->lookup(at);
    const Region* next = fr != nullptr ? fr->region() : nullptr;
    if (next == nullptr || next->kind() != RegionKind::iommu) break;
    iommu = static_cast<IommuRegion*>(const_cast<Region*>(next));
    at = fr->region_offset(at);
  }
  result.iova = address & ~result.addr_mask;
  result.translated_addr = at & ~result.addr_mask;
  return result;
}

}  // namespace tlmmap

// The IOMMU module's translation of payloads and its DMI bookkeeping.
#include "tlmmap/tlm/detail/iommu_bridge.hpp"

#include <algorithm>

#include "tlmmap/core/types.hpp"
#include "tlmmap/tlm/time.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::detail {

namespace {

// Bytes from `address` to the end of the entry's page, at most `remaining`.
uint64_t page_rest(const IommuTlbEntry& e, uint64_t address, uint64_t remaining) {
  const u128 end = static_cast<u128>(address | e.addr_mask) + 1;
  return static_cast<uint64_t>(std::min<u128>(remaining, end - address));
}

bool refused(const IommuTlbEntry& e, IommuAccess wanted) { return e.target == nullptr || !allows(e.perm, wanted); }

IommuFaultReason reason_of(const IommuTlbEntry& e) {
  return e.target == nullptr || e.perm == IommuAccess::none ? IommuFaultReason::no_translation
                                                            : IommuFaultReason::permission;
}

// The response for a refused page (the table in docs/tlm.md).
tlm::tlm_response_status status_of(IommuFaultReason reason) {
  return reason == IommuFaultReason::permission ? tlm::TLM_COMMAND_ERROR_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

IommuAccess wanted_by(const tlm::tlm_generic_payload& gp) {
  switch (gp.get_command()) {
    case tlm::TLM_READ_COMMAND: return IommuAccess::read;
    case tlm::TLM_WRITE_COMMAND: return IommuAccess::write;
    default: return IommuAccess::none;
  }
}

bool malformed(const tlm::tlm_generic_payload& gp) {
  return gp.get_data_length() == 0 || gp.get_data_ptr() == nullptr || gp.get_streaming_width() == 0 ||
         (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0);
}

}  // namespace

IommuBridge::IommuBridge(IommuRegion& iommu, std::string name, Invalidate invalidate)
    : iommu_(&iommu),
      name_(std::move(name)),
      invalidate_(std::move(invalidate)),
      alive_([](const IommuTlbEvent&) {}, IommuNotifierFlag::unmap, 0, ~uint64_t(0), 0) {
  iommu.register_notifier(alive_);
}

IommuBridge::~IommuBridge() = default;

std::size_t IommuBridge::grants() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(answers_.begin(), answers_.end(), [](const auto& a) { return a.second.granted; }));
}

IommuBridge::Route IommuBridge::route(int id, tlm::tlm_generic_payload& gp) {
  IommuRegion* iommu = this->iommu();
  if (iommu == nullptr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return Route{Route::Kind::refuse, 0};
  }
  if (malformed(gp)) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return Route{Route::Kind::refuse, 0};
  }
  const MemTxAttrs attrs = TxAttributes::ever_made() ? attributes_of(gp) : MemTxAttrs{};
  const int index = iommu->attrs_to_index(attrs);
  const IommuAccess wanted = wanted_by(gp);
  const uint64_t address = gp.get_address();
  // The addresses a payload touches: a streaming one repeats its window.
  const unsigned window = std::min(gp.get_data_length(), gp.get_streaming_width());
  const IommuTlbEntry e = iommu->translate(address, wanted, index);
  if (page_rest(e, address, window) < window) return Route{Route::Kind::split, 0};
  if (refused(e, wanted)) {
    iommu->fault(IommuFault{address, gp.is_write(), index, attrs, reason_of(e)});
    gp.set_response_status(status_of(reason_of(e)));
    return Route{Route::Kind::refuse, 0};
  }
  if (wanted != IommuAccess::none && index >= 0 && index < iommu->num_indexes()) {
    // Kept for this initiator until a MAP or UNMAP of the index meets it.
    watch(index);
    if (static_cast<std::size_t>(id) >= cache_.size()) cache_.resize(static_cast<std::size_t>(id) + 1);
    Cached c;
    c.first = address & ~e.addr_mask;
    c.last = c.first | e.addr_mask;
    c.delta = e.translate(c.first) - c.first;
    c.index = index;
    c.perm = e.perm;
    c.attrs = attrs;
    cache_[static_cast<std::size_t>(id)][slot_of(address)] = c;
  }
  return Route{Route::Kind::forward, e.translate(address)};
}

void IommuBridge::b_transport_translating(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                          Downstream& down) {
  const Route r = route(id, gp);
  if (r.kind == Route::Kind::split) return split(gp, delay, down);
  if (r.kind == Route::Kind::refuse) return;
  // One page: the payload itself goes on (extensions, byte enables,
  // streaming), its address restored before the initiator sees it again.
  const uint64_t address = gp.get_address();
  gp.set_address(r.address);
  down.b_transport(gp, delay);
  gp.set_address(address);
  if (gp.is_dmi_allowed() && gp.get_response_status() == tlm::TLM_OK_RESPONSE) cache_dmi(id, gp, down);
}

void IommuBridge::cache_dmi(int id, tlm::tlm_generic_payload& gp, Downstream& down) {
  const uint64_t address = gp.get_address();
  if (static_cast<std::size_t>(id) >= cache_.size()) return;
  Cached& c = cache_[static_cast<std::size_t>(id)][slot_of(address)];
  if (address - c.first > c.last - c.first || c.dmi_asked) return;
  c.dmi_asked = true;
  const Cached asked = c;
  tlm::tlm_dmi dmi;
  gp.set_address(address + c.delta);
  const bool granted = down.get_direct_mem_ptr(gp, dmi);
  gp.set_address(address);
  // An invalidation may have come inside the call: only the same entry takes it.
  Cached& now = cache_[static_cast<std::size_t>(id)][slot_of(address)];
  if (!granted || dmi.get_dmi_ptr() == nullptr || now.first != asked.first || now.last != asked.last ||
      now.delta != asked.delta || !now.dmi_asked) {
    return;
  }
  const uint64_t out_first = std::max<uint64_t>(dmi.get_start_address(), now.first + now.delta);
  const uint64_t out_last = std::min<uint64_t>(dmi.get_end_address(), now.last + now.delta);
  if (out_first > out_last) return;
  now.host = dmi.get_dmi_ptr() + (out_first - dmi.get_start_address());
  now.host_first = out_first - now.delta;
  now.host_last = out_last - now.delta;
  now.down_first = dmi.get_start_address();
  now.down_last = dmi.get_end_address();
  now.host_read = dmi.is_read_allowed() && allows(now.perm, IommuAccess::read);
  now.host_write = dmi.is_write_allowed() && allows(now.perm, IommuAccess::write);
  now.read_latency = dmi.get_read_latency();
  now.write_latency = dmi.get_write_latency();
}

void IommuBridge::split(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, Downstream& down) {
  IommuRegion* iommu_alive = this->iommu();
  if (iommu_alive == nullptr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  IommuRegion& iommu = *iommu_alive;
  const MemTxAttrs attrs = TxAttributes::ever_made() ? attributes_of(gp) : MemTxAttrs{};
  const int index = iommu.attrs_to_index(attrs);
  const IommuAccess wanted = wanted_by(gp);
  const uint64_t address = gp.get_address();
  const unsigned length = gp.get_data_length();
  const unsigned window = std::min(length, gp.get_streaming_width());
  const unsigned char* enables = gp.get_byte_enable_ptr();
  const unsigned enable_length = gp.get_byte_enable_length();
  TxAttributes* ext = gp.get_extension<TxAttributes>();
  // The pieces are ours, one per call: callers in several processes may be
  // inside a downstream target that waits at the same time.
  tlm::tlm_generic_payload piece;
  std::vector<unsigned char> piece_enables;
  MemTxResult result = MemTxResult::ok;
  // Beat by beat (one beat unless streaming), page by page inside each.
  for (unsigned beat = 0; beat < length; beat += window) {
    const unsigned beat_length = std::min(window, length - beat);
    for (unsigned done = 0; done < beat_length;) {
      const uint64_t at = address + done;
      const IommuTlbEntry e = iommu.translate(at, wanted, index);
      const unsigned n = static_cast<unsigned>(page_rest(e, at, beat_length - done));
      if (refused(e, wanted)) {
        iommu.fault(IommuFault{at, gp.is_write(), index, attrs, reason_of(e)});
        result |= from_tlm_response(status_of(reason_of(e)));
      } else {
        piece.set_command(gp.get_command());
        piece.set_address(e.translate(at));
        piece.set_data_ptr(gp.get_data_ptr() + beat + done);
        piece.set_data_length(n);
        piece.set_streaming_width(n);
        piece.set_byte_enable_ptr(nullptr);
        piece.set_byte_enable_length(0);
        if (enables != nullptr) {
          piece_enables.resize(n);
          for (unsigned i = 0; i < n; ++i) piece_enables[i] = enables[(beat + done + i) % enable_length];
          piece.set_byte_enable_ptr(piece_enables.data());
          piece.set_byte_enable_length(n);
        }
        piece.set_dmi_allowed(false);
        piece.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        if (ext != nullptr) piece.set_extension(ext);
        down.b_transport(piece, delay);
        if (ext != nullptr) piece.clear_extension(ext);
        result |= from_tlm_response(piece.get_response_status());
      }
      done += n;
    }
  }
  gp.set_dmi_allowed(false);
  gp.set_response_status(to_tlm_response(result));
}

unsigned IommuBridge::transport_dbg(tlm::tlm_generic_payload& gp, Downstream& down) {
  IommuRegion* iommu = this->iommu();
  if (iommu == nullptr || gp.get_data_ptr() == nullptr) return 0;
  const IommuAccess wanted = wanted_by(gp);
  const int index = iommu->attrs_to_index(TxAttributes::ever_made() ? attributes_of(gp) : MemTxAttrs{});
  const uint64_t address = gp.get_address();
  const unsigned length = gp.get_data_length();
  unsigned char* const data = gp.get_data_ptr();
  unsigned done = 0;
  // Page by page with look-ups only (the `none` flag): no IOTLB fill, no fault.
  while (done < length) {
    const IommuTlbEntry e = iommu->translate(address + done, IommuAccess::none, index);
    if (refused(e, wanted)) break;
    const unsigned n = static_cast<unsigned>(page_rest(e, address + done, length - done));
    gp.set_address(e.translate(address + done));
    gp.set_data_ptr(data + done);
    gp.set_data_length(n);
    const unsigned moved = down.transport_dbg(gp);
    done += std::min(moved, n);
    if (moved < n) break;
  }
  gp.set_address(address);
  gp.set_data_ptr(data);
  gp.set_data_length(length);
  return done;
}

bool IommuBridge::get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi, Downstream& down) {
  const uint64_t address = gp.get_address();
  IommuRegion* iommu = this->iommu();
  if (iommu == nullptr) {
    dmi.allow_none();
    dmi.set_start_address(address);
    dmi.set_end_address(address);
    return false;
  }
  const int index = iommu->attrs_to_index(TxAttributes::ever_made() ? attributes_of(gp) : MemTxAttrs{});
  const IommuTlbEntry e = iommu->translate(address, IommuAccess::none, index);
  const uint64_t page_first = address & ~e.addr_mask;
  const uint64_t page_last = page_first | e.addr_mask;
  watch(index);
  if (e.target == nullptr || e.perm == IommuAccess::none) {
    // Denied over the page until its translation changes.
    dmi.allow_none();
    dmi.set_start_address(page_first);
    dmi.set_end_address(page_last);
    record(Answer{id, index, false, page_first, page_last, 1, 0, 1, 0});
    return false;
  }
  const uint64_t base = e.translated_addr & ~e.addr_mask;
  tlm::tlm_dmi below;
  gp.set_address(e.translate(address));
  const bool granted = down.get_direct_mem_ptr(gp, below);
  gp.set_address(address);
  // What both grant: the page's part of the downstream range, mapped back.
  const uint64_t out_first = std::max<uint64_t>(below.get_start_address(), base);
  const uint64_t out_last = std::min<uint64_t>(below.get_end_address(), base | e.addr_mask);
  const uint64_t in_first = page_first + (out_first - base);
  const uint64_t in_last = page_first + (out_last - base);
  const bool read = granted && below.is_read_allowed() && allows(e.perm, IommuAccess::read);
  const bool write = granted && below.is_write_allowed() && allows(e.perm, IommuAccess::write);
  dmi.init();
  dmi.set_start_address(in_first);
  dmi.set_end_address(in_last);
  if (!(read || write) || below.get_dmi_ptr() == nullptr) {
    dmi.allow_none();
    record(Answer{id, index, false, in_first, in_last, out_first, out_last, below.get_start_address(),
                  below.get_end_address()});
    return false;
  }
  dmi.set_dmi_ptr(below.get_dmi_ptr() + (out_first - below.get_start_address()));
  if (read && write) {
    dmi.allow_read_write();
  } else if (read) {
    dmi.allow_read();
  } else {
    dmi.allow_write();
  }
  dmi.set_read_latency(below.get_read_latency());
  dmi.set_write_latency(below.get_write_latency());
  record(Answer{id, index, true, in_first, in_last, out_first, out_last, below.get_start_address(),
                below.get_end_address()});
  return true;
}

void IommuBridge::record(const Answer& a) { answers_[std::make_tuple(a.initiator, a.index, a.in_first)] = a; }

void IommuBridge::watch(int index) {
  if (watched_.count(index) != 0) return;
  auto n = std::make_unique<IommuNotifier>([this, index](const IommuTlbEvent& e) { translation_changed(index, e); },
                                           IommuNotifierFlag::map_unmap, 0, ~uint64_t(0), index);
  iommu_->register_notifier(*n);
  watched_.emplace(index, std::move(n));
}

template <typename Meets, typename Part>
void IommuBridge::withdraw(Meets&& meets, Part&& part) {
  // Collected first: an initiator may ask again from inside its invalidation.
  std::vector<std::pair<int, std::pair<uint64_t, uint64_t>>> told;
  for (auto it = answers_.begin(); it != answers_.end();) {
    if (meets(it->second)) {
      told.emplace_back(it->second.initiator, part(it->second));
      it = answers_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& t : told) invalidate_(t.first, t.second.first, t.second.second);
}

std::size_t IommuBridge::cached_translations() const noexcept {
  std::size_t n = 0;
  for (const auto& slots : cache_) {
    for (const Cached& c : slots) n += c.first <= c.last ? 1 : 0;
  }
  return n;
}

void IommuBridge::translation_changed(int index, const IommuTlbEvent& event) {
  // A MAP may replace a denial; an UNMAP withdraws grants. Either way the
  // answers and cached translations over the event's pages are dropped,
  // before notify() returns.
  const uint64_t first = event.entry.iova & ~event.entry.addr_mask;
  const uint64_t last = event.entry.last();
  for (auto& slots : cache_) {
    for (Cached& c : slots) {
      if (c.index == index && c.first <= last && first <= c.last) c = Cached{};
    }
  }
  withdraw([&](const Answer& a) { return a.index == index && a.in_first <= last && first <= a.in_last; },
           [&](const Answer& a) { return std::make_pair(std::max(first, a.in_first), std::min(last, a.in_last)); });
}

void IommuBridge::downstream_invalidated(uint64_t first, uint64_t last) {
  // Downstream's DMI answers that meet the range are discarded whole (the
  // TLM-2.0 rule, and what downstream assumes: it forgets them): cached
  // pages that got their host memory from such a grant lose it (and may ask
  // again), and every answer made from such a downstream answer is
  // withdrawn over its whole input range.
  const auto meets = [&](uint64_t lo, uint64_t hi) { return lo <= hi && lo <= last && first <= hi; };
  for (auto& slots : cache_) {
    for (Cached& c : slots) {
      if (c.first > c.last || !(meets(c.down_first, c.down_last) || meets(c.first + c.delta, c.last + c.delta))) {
        continue;
      }
      c.host = nullptr;
      c.host_first = 1;
      c.host_last = 0;
      c.down_first = 1;
      c.down_last = 0;
      c.host_read = c.host_write = false;
      c.dmi_asked = false;
    }
  }
  withdraw([&](const Answer& a) { return meets(a.down_first, a.down_last) || meets(a.out_first, a.out_last); },
           [&](const Answer& a) { return std::make_pair(a.in_first, a.in_last); });
}

}  // namespace tlmmap::detail

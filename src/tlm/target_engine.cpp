#include "tlmmap/tlm/detail/target_engine.hpp"

#include <algorithm>

#include "tlmmap/core/region.hpp"
#include "tlmmap/core/report.hpp"
#include "tlmmap/tlm/detail/device_link.hpp"
#include "tlmmap/tlm/systemc_reports.hpp"
#include "tlmmap/tlm/time.hpp"

namespace tlmmap::detail {

namespace {

constexpr const char* kTargetMsg = "tlmmap/target";

bool single_access_size(unsigned n) { return n == 1 || n == 2 || n == 4 || n == 8; }

bool malformed(const tlm::tlm_generic_payload& gp) {
  return gp.get_data_length() == 0 || gp.get_streaming_width() == 0 || gp.get_data_ptr() == nullptr ||
         (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0);
}

// Answers the transactions the model performs in a process of their own:
// the response comes from the engine itself.
class WorkerSource final : public ResponseSource {
 public:
  void response_ended(tlm::tlm_generic_payload&, sc_core::sc_time&, bool) override {}
};

}  // namespace

TargetEngine::TargetEngine(AddressSpace& space, InitiatorPorts& initiators)
    : space_(&space),
      space_name_(space.name()),
      initiators_(initiators),
      page_cache_(std::make_unique<PageCache>()),
      worker_source_(std::make_unique<WorkerSource>()),
      deferred_(this, &TargetEngine::on_deferred) {
  report_through_systemc();
  rebind(space.flat_view());
  space.add_observer(*this);
}

TargetEngine::~TargetEngine() {
  if (space_ != nullptr) space_->remove_observer(*this);
  // Nobody can tell the initiators about changes once this engine is gone:
  // they drop what it granted now.
  invalidate(0, ~uint64_t(0), false);
}

void TargetEngine::rebind(std::shared_ptr<const FlatView> view) {
  if (in_model_ != 0 && view_ != nullptr) retired_views_.push_back(view_);
  view_ = std::move(view);
  entries_.assign(view_->ranges().size(), Entry{});
  device_windows_.assign(view_->ranges().size(), DeviceWindow{});
  dirty_logs_.assign(view_->ranges().size(), nullptr);
  device_grants_.clear();
  ++withdrawals_;
  iommu_pages_.clear();
  empty_page_cache();
}

void TargetEngine::cache_in_slot(std::size_t s, const Entry& e) {
  // A slot taken over and over (pages that share it) is listed again each
  // time: past one listing per slot, emptying them all costs no more.
  if (filled_slots_.size() == kPageCacheSlots) empty_page_cache();
  page_cache_->entries[s] = e;
  filled_slots_.push_back(static_cast<uint32_t>(s));
}

void TargetEngine::mark(uint32_t index, uint32_t grant_mark, uint8_t dbg, uint8_t* window_bytes) {
  const auto set = [&](Entry& e) {
    e.grant_mark = grant_mark;
    e.dbg = dbg;
    if ((e.flags & kDevice) != 0) e.granted = window_bytes;
  };
  set(entries_[index]);
  for (const uint32_t s : filled_slots_) {
    Entry& copy = page_cache_->entries[s];
    if (copy.known && copy.index == index) set(copy);
  }
}

void TargetEngine::empty_page_cache() {
  if (filled_slots_.size() == kPageCacheSlots) {
    std::fill(std::begin(page_cache_->entries), std::end(page_cache_->entries), Entry{});
  } else {
    for (const uint32_t s : filled_slots_) page_cache_->entries[s] = Entry{};
  }
  filled_slots_.clear();
}

const TargetEngine::Entry* TargetEngine::lookup(uint64_t address) {
  const auto& ranges = view_->ranges();
  const std::size_t i = view_->first_ending_at_or_after(address);
  if (i == ranges.size() || ranges[i].first > address) return nullptr;
  if (!entries_[i].known) fill(i);
  return &entries_[i];
}

void TargetEngine::fill(std::size_t i) {
  const FlatRange& fr = view_->ranges()[i];
  Entry& e = entries_[i];
  e.known = true;
  e.index = static_cast<uint32_t>(i);
  e.first = fr.first;
  e.span = fr.last - fr.first;
  const Route read = fr.route(false);
  const Route write = fr.route(true);
  const sc_core::sc_time read_latency = to_sc_time(read.latency);
  const sc_core::sc_time write_latency = to_sc_time(write.latency);
  e.latency = {read_latency.value(), write_latency.value()};
  if (fr.dirty_log_mask != 0) e.flags |= kLogged;
  if (const Region* region = fr.region(); region != nullptr && region->kind() == RegionKind::iommu) e.flags |= kIommu;
  if (read.kind == RouteKind::memory) {
    e.base = read.host;
    e.flags |= kReadMemory;
    if (write.kind == RouteKind::memory && write.host == read.host) {
      e.flags |= kWriteMemory;
      if (write.dirty_mask != 0) {
        dirty_logs_[i] = write.dirty;
        e.dirty_mask = write.dirty_mask;
        e.delta = write.region_offset;
      }
    }
  }
  DevicePort* port = read.kind == RouteKind::device ? read.device : write.kind == RouteKind::device ? write.device : nullptr;
  tlm::tlm_fw_transport_if<>* device = nullptr;
  if (port != nullptr && port->face() == DeviceLink::face()) {
    device = static_cast<DeviceLink&>(*port).target();
    e.device = device;
    device_windows_[i] = {device, read_latency, write_latency};
    e.granted = nullptr;
    e.delta = fr.first - fr.offset_within_region;
    e.flags |= kDevice;
    if (read.kind == RouteKind::device) e.flags |= kDeviceRead;
    if (write.kind == RouteKind::device) e.flags |= kDeviceWrite;
    if (read_latency.value() != 0 || write_latency.value() != 0) e.flags |= kLatency;
  }
  // Debug accesses: host memory both ways where reads are (writes only where
  // no dirty log misses them), else the window's device both ways (through
  // its DMI grant where it gives one).
  if ((e.flags & kReadMemory) != 0) {
    e.dbg = kDbgMemory * command_bit(tlm::TLM_READ_COMMAND);
    if ((e.flags & kLogged) == 0 || (e.flags & kWriteMemory) != 0) e.dbg |= kDbgMemory * command_bit(tlm::TLM_WRITE_COMMAND);
  } else if ((e.flags & kDevice) != 0) {
    // (Two bases of one object: far less than 2 GiB apart.)
    e.dbg_offset = static_cast<int32_t>(reinterpret_cast<char*>(static_cast<tlm::tlm_transport_dbg_if<>*>(device)) -
                                        reinterpret_cast<char*>(e.device));
    e.dbg = kDbgDeviceFirst;
  }
}

void TargetEngine::b_transport_slow(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const uint64_t address = gp.get_address();
  const Entry* e = entry_for(address);
  if (e != nullptr) {
    const unsigned bit = command_bit(gp.get_command());
    if ((e->flags & bit) != 0) return copy<true>(*e, gp, delay, address, bit);
    if ((e->flags & (bit << 2)) != 0) return forward<true>(*e, gp, delay, address, bit);
    if ((e->flags & kIommu) != 0) return iommu_transport(*e, gp, delay);
  }
  b_transport_general(gp, delay, e);
}

unsigned TargetEngine::transport_dbg_slow(tlm::tlm_generic_payload& gp) {
  const uint64_t address = gp.get_address();
  if (const Entry* e = entry_for(address)) {
    const unsigned bit = command_bit(gp.get_command());
    if ((e->dbg & bit) != 0) return copy_dbg<true>(*e, gp, address, bit);
    // (A grant over the whole window too, read from the kept grant:
    // granted_dbg() comes here with what it does not take.)
    if ((e->dbg & bit * (kDbgGranted + kDbgGrant)) != 0) return grant_dbg<true>(*e, gp, address, bit);
    if ((e->dbg & bit * kDbgForward) != 0) return forward_dbg<true>(*e, gp, address);
  }
  return transport_dbg_general(gp);
}

unsigned TargetEngine::debug_through_grant(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address,
                                           unsigned bit) {
  const tlm::tlm_dmi& kept = device_grants_[e.grant_mark - 1].dmi;
  const unsigned length = gp.get_data_length();
  if (reaches(kept, address, length, bit) && !carries_attributes(gp)) {
    return copy_granted(kept, gp, address, length, bit);
  }
  return send_dbg(e, gp, address);
}

unsigned TargetEngine::ask_for_debug(const Entry& cached, tlm::tlm_generic_payload& gp, uint64_t address,
                                     unsigned bit) {
  if (carries_attributes(gp)) return send_dbg(cached, gp, address);
  const Entry e = cached;
  const uint64_t withdrawals = withdrawals_;
  tlm::tlm_dmi dmi;
  if (!device_grant(e, gp, dmi)) {
    dmi.set_dmi_ptr(nullptr);
    dmi.allow_none();
  }
  // Withdrawn while the device answered (it may even be gone): the model decides.
  if (withdrawals != withdrawals_) return transport_dbg_general(gp);
  keep_device_grant(kDebugHolder, cached, dmi);
  const unsigned length = gp.get_data_length();
  return reaches(dmi, address, length, bit) ? copy_granted(dmi, gp, address, length, bit) : send_dbg(e, gp, address);
}

bool TargetEngine::get_direct_mem_ptr_slow(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  if (const Entry* e = entry_for(gp.get_address())) {
    if ((e->flags & kReadMemory) != 0) return grant_memory(id, *e, dmi);
    if ((e->flags & kDevice) != 0) return grant_device(id, *e, gp, dmi);
  }
  return get_direct_mem_ptr_general(id, gp, dmi);
}

MemTxResult TargetEngine::access_range(const Entry& e, Access& a) {
  // The model decides in the range the entry caches, without looking it up
  // again; the view stays alive while a callback may replace it.
  const FlatRange& range = range_of(e);
  ++in_model_;
  const MemTxResult result = space_->access_within(range, a);
  if (--in_model_ == 0 && !retired_views_.empty()) retired_views_.clear();
  return result;
}

void TargetEngine::b_transport_general(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, const Entry* e) {
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (malformed(gp)) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  if (space_ == nullptr) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  // Beat by beat through the model, which decides everything else.
  const uint64_t address = gp.get_address();
  const unsigned length = gp.get_data_length();
  const unsigned streaming = gp.get_streaming_width();
  Access a;
  if (TxAttributes::ever_made()) a.attrs = attributes_of(gp);
  a.is_write = gp.is_write();
  a.byte_enables = gp.get_byte_enable_ptr();
  a.byte_enable_length = a.byte_enables != nullptr ? gp.get_byte_enable_length() : 0;
  a.single = a.byte_enables == nullptr && streaming >= length && single_access_size(length);
  // A transaction for one TLM device that did not go to it (a read-only
  // window, the `memory` attribute) is refused as the one transaction it is.
  const unsigned span = std::min(length, streaming);
  const bool inside = e != nullptr && uint64_t(span) - 1 <= e->span - (address - e->first);
  const unsigned beats = inside && (e->flags & kDevice) != 0 ? 1 : length;
  MemTxResult result = MemTxResult::ok;
  if (inside && streaming >= length) {
    // One piece, in the range already found: straight to its region.
    a.address = address;
    a.data = gp.get_data_ptr();
    a.length = length;
    result = access_range(*e, a);
    if (a.latency.count() != 0) delay += to_sc_time(a.latency);  // sc_time(double, unit) costs a call
    gp.set_response_status(to_tlm_response(result));
    return;
  }
  for (unsigned beat = 0; beat < beats; beat += streaming) {
    a.address = address;
    a.data = gp.get_data_ptr() + beat;
    a.length = std::min(streaming, length - beat);
    a.byte_enable_offset = a.byte_enable_length != 0 ? beat % a.byte_enable_length : 0;
    result |= space_->access(a);
  }
  if (a.latency.count() != 0) delay += to_sc_time(a.latency);  // sc_time(double, unit) costs a call
  gp.set_response_status(to_tlm_response(result));
}

unsigned TargetEngine::transport_dbg_general(tlm::tlm_generic_payload& gp) {
  if (space_ == nullptr || gp.get_command() == tlm::TLM_IGNORE_COMMAND || gp.get_data_length() == 0 ||
      gp.get_data_ptr() == nullptr) {
    return 0;
  }
  const uint64_t moved = gp.is_write() ? space_->debug_write(gp.get_address(), gp.get_data_ptr(), gp.get_data_length())
                                       : space_->debug_read(gp.get_address(), gp.get_data_ptr(), gp.get_data_length());
  return static_cast<unsigned>(moved);
}

bool TargetEngine::get_direct_mem_ptr_general(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const uint64_t address = gp.get_address();
  dmi.set_dmi_ptr(nullptr);
  dmi.allow_none();
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  const auto& ranges = view_->ranges();
  const std::size_t i = view_->first_ending_at_or_after(address);
  if (i == ranges.size() || ranges[i].first > address) {
    // Denied for the whole hole, so the initiator does not ask again there
    // (until a change there withdraws the answer).
    dmi.set_start_address(i == 0 ? 0 : ranges[i - 1].last + 1);
    dmi.set_end_address(i == ranges.size() ? ~uint64_t(0) : ranges[i].first - 1);
    remember_grant(id, dmi.get_start_address(), dmi.get_end_address());
    return false;
  }
  const FlatRange& fr = ranges[i];
  const Entry& e = *lookup(address);
  if ((e.flags & kReadMemory) != 0) {
    grant_memory(id, e, dmi);
    return true;
  }
  if ((e.flags & kDevice) != 0) return grant_device(id, e, gp, dmi);
  dmi.set_start_address(fr.first);
  dmi.set_end_address(fr.last);
  remember_grant(id, fr.first, fr.last);  // a denial may be cached too
  return false;
}

void TargetEngine::remember_new_grant(int id, uint64_t first, uint64_t last) {
  const auto n = static_cast<std::size_t>(id) + 1;
  if (grants_.size() < n) grants_.resize(n);
  if (last_grant_.size() < n) last_grant_.resize(n, AddressRange{1, 0});  // {1, 0} matches nothing
  last_grant_[id] = {first, last};
  grants_[id].insert({first, last});
}

void TargetEngine::invalidate(uint64_t first, uint64_t last, bool every_initiator) {
  // Before the end of elaboration no initiator can hold a pointer (and the
  // socket does not know its initiators yet); after the end of simulation
  // nobody uses one again, and initiators may be gone while the map is torn down.
  const auto status = sc_core::sc_get_status();
  if (status == sc_core::SC_ELABORATION || status == sc_core::SC_BEFORE_END_OF_ELABORATION ||
      sc_core::sc_end_of_simulation_invoked()) {
    return;
  }
  const std::size_t n = every_initiator ? std::max<std::size_t>(grants_.size(), initiators_.count()) : grants_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto meets = [&](const AddressRange& g) { return g.first <= last && first <= g.last; };
    if (i < grants_.size()) {
      // The initiator drops every pointer that meets the range.
      auto& held = grants_[i];
      std::size_t dropped = 0;
      for (auto it = held.begin(); it != held.end();) {
        if (meets(*it)) {
          it = held.erase(it);
          ++dropped;
        } else {
          ++it;
        }
      }
      if (dropped == 0 && !every_initiator) continue;
      last_grant_[i] = {1, 0};
    }
    const int id = static_cast<int>(i);
    if (initiators_.alive(id)) initiators_.at(id)->invalidate_direct_mem_ptr(first, last);
  }
}

void TargetEngine::view_changed(const AddressSpace&, const ViewChange& change) {
  for (const AddressRange& r : change.changed_ranges()) invalidate(r.first, r.last, false);
  rebind(space_ != nullptr ? space_->flat_view() : std::make_shared<const FlatView>());
}

void TargetEngine::direct_access_invalidated(const AddressSpace&, uint64_t first, uint64_t last) {
  // A device's own invalidation goes on to every initiator, as a bus passes
  // it, and no grant kept from any device is given again. Decisions cached
  // there are asked again (the device may be gone: its region was destroyed
  // inside a transaction).
  const auto meets = [&](const Entry& e) {
    return e.known && e.first <= last && (first <= e.first || first - e.first <= e.span);
  };
  const auto forget = [&](Entry& e) {
    if (meets(e)) {
      e = Entry{};
    } else {
      e.grant_mark = 0;
      // The device is asked again.
      if ((e.dbg & (kDbgForward + kDbgGranted) * kBothCommands) != 0) {
        e.dbg = kDbgDeviceFirst;
        e.granted = nullptr;
      }
    }
  };
  for (Entry& e : entries_) forget(e);
  for (const uint32_t s : filled_slots_) forget(page_cache_->entries[s]);
  device_grants_.clear();
  ++withdrawals_;
  invalidate(first, last, true);
}

void TargetEngine::space_destroyed(const AddressSpace&) {
  // Its view went empty just before (every grant withdrawn): from now on
  // every access is answered as unmapped.
  space_ = nullptr;
  rebind(std::make_shared<const FlatView>());
}

// --- approximately-timed transactions ---------------------------------------

TargetEngine::ResponseChannel& TargetEngine::channel(int id) {
  if (channels_.size() <= static_cast<std::size_t>(id)) channels_.resize(static_cast<std::size_t>(id) + 1);
  return channels_[static_cast<std::size_t>(id)];
}

bool TargetEngine::needs_process(const tlm::tlm_generic_payload& gp) {
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND || malformed(gp)) return false;
  // A transaction the model answers may reach a TLM device, whose
  // b_transport may wait: never from inside nb_transport_fw.
  const uint64_t address = gp.get_address();
  const u128 end = u128(address) + std::min(gp.get_data_length(), gp.get_streaming_width());
  const auto& ranges = view_->ranges();
  for (std::size_t i = view_->first_ending_at_or_after(address); i < ranges.size() && ranges[i].first < end; ++i) {
    if (!entries_[i].known) fill(i);
    if ((entries_[i].flags & kDevice) != 0) return true;
    // A translation may lead to a TLM device too, unless the cache keeps it over host memory.
    if ((entries_[i].flags & kIommu) != 0 && !iommu_cached_memory(ranges[i], gp)) return true;
  }
  return false;
}

void TargetEngine::answer_in_process(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time delay) {
  sc_core::sc_spawn_options options;
  options.set_stack_size(0x10000);
  sc_core::sc_spawn(
      [this, id, &gp, delay] {
        sc_core::wait(delay);  // the request's own time
        sc_core::sc_time latency = sc_core::SC_ZERO_TIME;
        b_transport_general(gp, latency, entry_for(gp.get_address()));
        response(id, gp, latency, *worker_source_, false, true);
      },
      sc_core::sc_gen_unique_name("tlmmap_at_worker"), &options);
}

tlm::tlm_sync_enum TargetEngine::nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                 sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    const uint64_t address = gp.get_address();
    if (const Entry* e = entry_for(address)) {
      if (forwards(*e, gp, address - e->first)) {
        const FlatRange& fr = range_of(*e);
        auto& link = static_cast<DeviceLink&>(*fr.route(gp.is_write()).device);
        return link.begin_request(*this, id, gp, phase, delay, fr.region_offset(address));
      }
    }
    if (needs_process(gp)) {
      // Accepted now; the response comes from a process of ours.
      answer_in_process(id, gp, delay);
      phase = tlm::END_REQ;
      return tlm::TLM_UPDATED;
    }
    // The model answers at once: the transaction completes early, its
    // latency in the annotation (the base protocol allows TLM_COMPLETED in
    // answer to BEGIN_REQ).
    b_transport(page_cache_.get(), gp, delay);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
  if (phase == tlm::END_RESP) {
    ResponseChannel& ch = channel(id);
    if (ch.busy == &gp) {
      ResponseSource* source = ch.busy_source;
      response_ended(id, delay);
      source->response_ended(gp, delay, true);
      return tlm::TLM_COMPLETED;
    }
  }
  report(Severity::error, kTargetMsg,
         "address space '" + space_name_ + "': nb_transport_fw with phase " + phase.get_name() +
             " for a transaction at " + hex(gp.get_address()) + " that is not waiting for it");
  return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum TargetEngine::end_request(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  tlm::tlm_phase phase = tlm::END_REQ;
  return initiators_.at(id)->nb_transport_bw(gp, phase, delay);
}

tlm::tlm_sync_enum TargetEngine::response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                          ResponseSource& source, bool in_source_call,
                                          bool request_ended_for_initiator) {
  ResponseChannel& ch = channel(id);
  const sc_core::sc_time due = sc_core::sc_time_stamp() + delay;
  if (ch.busy != nullptr || !ch.waiting.empty() || due < ch.free_at) {
    // Another response is on its way to this initiator, or has not ended yet
    // in time: this one waits its turn, keeping its own time. Its request
    // must be seen as ended, or the initiator stalls.
    ch.waiting.push_back({&gp, &source, due});
    if (!request_ended_for_initiator) end_request(id, gp, delay);
    if (ch.busy == nullptr) schedule_next_response(id);
    return tlm::TLM_ACCEPTED;
  }
  return deliver_response(id, gp, delay, source, in_source_call);
}

tlm::tlm_sync_enum TargetEngine::deliver_response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                                  ResponseSource& source, bool in_source_call) {
  ResponseChannel& ch = channel(id);
  ch.busy = &gp;
  ch.busy_source = &source;
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  const tlm::tlm_sync_enum status = initiators_.at(id)->nb_transport_bw(gp, phase, delay);
  if (status == tlm::TLM_COMPLETED || (status == tlm::TLM_UPDATED && phase == tlm::END_RESP)) {
    response_ended(id, delay);
    // In the source's own call the return value ends the response for it.
    source.response_ended(gp, delay, !in_source_call);
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

void TargetEngine::response_ended(int id, const sc_core::sc_time& delay) {
  ResponseChannel& ch = channel(id);
  ch.busy = nullptr;
  ch.busy_source = nullptr;
  ch.free_at = sc_core::sc_time_stamp() + delay;
  schedule_next_response(id);
}

void TargetEngine::schedule_next_response(int id) {
  ResponseChannel& ch = channel(id);
  if (ch.waiting.empty()) return;
  // The next response goes out in a process of its own, when the channel is
  // free and the response due, whichever is later.
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time at = std::max({now, ch.free_at, ch.waiting.front().due});
  deferred_.notify(*ch.waiting.front().gp, tlm::BEGIN_RESP, at - now);
}

void TargetEngine::on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase&) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  for (std::size_t id = 0; id < channels_.size(); ++id) {
    ResponseChannel& ch = channels_[id];
    if (ch.busy != nullptr || ch.waiting.empty() || ch.waiting.front().gp != &gp) continue;
    // A notification that came too early (a stale one) is answered by the later one.
    if (now < ch.free_at || now < ch.waiting.front().due) return;
    const PendingResponse next = ch.waiting.front();
    ch.waiting.pop_front();
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    deliver_response(static_cast<int>(id), *next.gp, delay, *next.source, false);
    return;
  }
}

}  // namespace tlmmap::detail

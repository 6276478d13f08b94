#include "tlmmap/detail/target_engine.hpp"

#include <algorithm>

#include "access_helpers.hpp"
#include "byte_order.hpp"
#include "report.hpp"
#include "tlmmap/detail/device_link.hpp"
#include "tlmmap/ram_region.hpp"
#include "tlmmap/rom_device_region.hpp"
#include "tlmmap/tx_attributes.hpp"

namespace tlmmap::detail {

namespace {

constexpr const char* kTargetMsg = "tlmmap/target";

std::vector<TargetEngine*>& registry() {
  static std::vector<TargetEngine*>* engines = new std::vector<TargetEngine*>();
  return *engines;
}

bool single_access_size(unsigned n) { return n == 1 || n == 2 || n == 4 || n == 8; }

}  // namespace

TargetEngine::TargetEngine(AddressSpace& space, std::function<unsigned()> initiator_count,
                           std::function<BwInterface*(int)> initiator)
    : space_(space),
      initiator_count_(std::move(initiator_count)),
      initiator_(std::move(initiator)),
      deferred_(this, &TargetEngine::on_deferred) {
  std::fill(std::begin(page_cache_), std::end(page_cache_), &kNothing);
  space_.add_observer(*this);
  registry().push_back(this);
}

TargetEngine::~TargetEngine() {
  space_.remove_observer(*this);
  auto& all = registry();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

const std::vector<TargetEngine*>& TargetEngine::all() { return registry(); }

void TargetEngine::rebind() {
  view_owner_ = space_.flat_view();
  view_ = view_owner_.get();
  direct_.assign(view_->ranges().size(), Direct{});
  links_.assign(view_->ranges().size(), nullptr);
  latencies_.assign(1, {sc_core::SC_ZERO_TIME, sc_core::SC_ZERO_TIME});
  latency_index_.clear();
  latency_index_[{0, 0}] = 0;
  std::fill(std::begin(page_cache_), std::end(page_cache_), &kNothing);
}

const TargetEngine::Direct TargetEngine::kNothing{};

void TargetEngine::learn(std::size_t i) {
  const FlatRange& fr = view_->ranges()[i];
  Direct& d = direct_[i];
  d.known = true;
  d.start = fr.start;
  d.span = fr.last - fr.start;
  Region& r = *fr.region;
  if (auto* forwarding = dynamic_cast<ForwardingRegion*>(&r)) links_[i] = &forwarding->link();
  const bool memory = r.kind() == RegionKind::ram || r.kind() == RegionKind::rom ||
                      (r.kind() == RegionKind::rom_device && fr.romd_mode);
  if (!memory) return;
  uint8_t* host = host_memory(r);
  if (host == nullptr) return;
  d.base = host + fr.offset_in_region;
  d.read = true;
  d.write = r.kind() == RegionKind::ram && !fr.readonly;
  const auto key = std::make_pair(r.read_latency().value(), r.write_latency().value());
  auto known = latency_index_.find(key);
  if (known == latency_index_.end()) {
    known = latency_index_.emplace(key, static_cast<uint32_t>(latencies_.size())).first;
    latencies_.emplace_back(r.read_latency(), r.write_latency());
  }
  d.latency = known->second;
}

DeviceLink* TargetEngine::device_of(std::size_t i) {
  direct(i);
  return links_[i];
}

void TargetEngine::b_transport_general(int /*id*/, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                       std::size_t i) {
  const uint64_t address = gp.get_address();
  const unsigned length = gp.get_data_length();
  const unsigned streaming = gp.get_streaming_width();
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    return;
  }
  if (length == 0 || streaming == 0 || gp.get_data_ptr() == nullptr ||
      (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0)) {
    gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  // The addresses the access touches: one streaming beat.
  const unsigned span = std::min(length, streaming);
  if (i == kUnknown) i = find(address);
  if (i != kNone && u128(address) + span - 1 <= view_->ranges()[i].last) {
    const FlatRange& fr = view_->ranges()[i];
    if (DeviceLink* link = device_of(i)) {
      if (const auto refused = refusal(fr, gp)) {
        // As on the model's path, a refused access still costs the region's latency.
        delay += gp.is_write() ? fr.region->write_latency() : fr.region->read_latency();
        gp.set_response_status(*refused);
        return;
      }
      // Wholly inside one window of a TLM device: the device sees the
      // transaction itself, byte enables, streaming and extensions included.
      link->b_transport(gp, delay, fr.region_offset(address), true);
      return;
    }
    Region& r = *fr.region;
    const bool callbacks = r.kind() == RegionKind::mmio ||
                           (r.kind() == RegionKind::rom_device && (gp.is_write() || !fr.romd_mode));
    if (callbacks && gp.get_byte_enable_ptr() == nullptr && streaming >= length && single_access_size(length)) {
      // One access of a CPU's size to callbacks: straight to the region.
      delay += gp.is_write() ? r.write_latency() : r.read_latency();
      if (const auto refused = refusal(fr, gp)) {
        if (gp.is_read()) std::memset(gp.get_data_ptr(), 0, length);  // as the model's path answers
        gp.set_response_status(*refused);
        return;
      }
      auto& device = static_cast<MmioRegion&>(r);
      const MemTxAttrs attrs = attributes_of(gp);
      const uint64_t offset = fr.region_offset(address);
      MemTxResult result;
      if (gp.is_write()) {
        result = device.dispatch_write(offset, load_host(gp.get_data_ptr(), length), length, attrs, &delay);
      } else {
        uint64_t value = 0;
        result = device.dispatch_read(offset, value, length, attrs, &delay);
        store_host(gp.get_data_ptr(), length, value);
      }
      gp.set_response_status(to_tlm_response(result));
      return;
    }
  }
  // Anything else is cut into what the model's access path takes: each beat,
  // each run of enabled bytes.
  const MemTxAttrs attrs = attributes_of(gp);
  const bool is_write = gp.is_write();
  uint8_t* data = gp.get_data_ptr();
  const uint8_t* enables = gp.get_byte_enable_ptr();
  const unsigned enable_length = gp.get_byte_enable_length();
  const bool single = enables == nullptr && streaming >= length && single_access_size(length);
  MemTxResult result = MemTxResult::ok;
  for (unsigned beat = 0; beat < length; beat += streaming) {
    const unsigned beat_length = std::min(streaming, length - beat);
    unsigned k = 0;
    while (k < beat_length) {
      auto enabled = [&](unsigned at) {
        return enables == nullptr || enables[(beat + at) % enable_length] == TLM_BYTE_ENABLED;
      };
      if (!enabled(k)) {
        ++k;
        continue;
      }
      unsigned run = 1;
      while (k + run < beat_length && enabled(k + run)) ++run;
      const uint64_t at = address + k;
      uint8_t* bytes = data + beat + k;
      if (u128(address) + k >= k64BitSpace) {
        // Past the top of the address space: nothing is mapped there (no wrap to 0).
        result |= unmapped_access(space_, ~uint64_t(0), is_write, bytes, run);
      } else if (single) {
        uint64_t value = 0;
        if (is_write) {
          result |= space_.store(at, run, load_host(bytes, run), attrs, &delay);
        } else {
          result |= space_.load(at, run, value, attrs, &delay);
          store_host(bytes, run, value);
        }
      } else if (is_write) {
        result |= space_.write(at, bytes, run, attrs, &delay);
      } else {
        result |= space_.read(at, bytes, run, attrs, &delay);
      }
      k += run;
    }
  }
  gp.set_response_status(to_tlm_response(result));
}

unsigned TargetEngine::transport_dbg(int /*id*/, tlm::tlm_generic_payload& gp) {
  const uint64_t address = gp.get_address();
  const unsigned length = gp.get_data_length();
  if (gp.get_command() == tlm::TLM_IGNORE_COMMAND || length == 0) return 0;
  const std::size_t i = find(address);
  if (i != kNone && u128(address) + length - 1 <= view_->ranges()[i].last) {
    if (DeviceLink* link = device_of(i)) return link->transport_dbg(gp, view_->ranges()[i].region_offset(address));
  }
  const uint64_t moved = gp.is_write() ? space_.debug_write(address, gp.get_data_ptr(), length)
                                       : space_.debug_read(address, gp.get_data_ptr(), length);
  return static_cast<unsigned>(moved);
}

std::optional<tlm::tlm_response_status> TargetEngine::refusal(const FlatRange& fr,
                                                              const tlm::tlm_generic_payload& gp) const {
  // What the model's access path refuses, before the device sees anything.
  if ((gp.is_write() && fr.readonly) || attributes_of(gp).memory) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  return std::nullopt;
}

void TargetEngine::remember_grant(int id, uint64_t first, uint64_t last) {
  if (grants_.size() <= static_cast<std::size_t>(id)) grants_.resize(static_cast<std::size_t>(id) + 1);
  auto& held = grants_[static_cast<std::size_t>(id)];
  for (const AddressRange& g : held) {
    if (g.first == first && g.last == last) return;
  }
  held.push_back({first, last});
}

bool TargetEngine::get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  const uint64_t address = gp.get_address();
  const std::size_t i = find(address);
  dmi.set_dmi_ptr(nullptr);
  dmi.allow_none();
  if (i == kNone) {
    // Deny for the whole hole, so the initiator does not ask again there
    // (until a change there withdraws the answer).
    const auto& ranges = view_->ranges();
    const std::size_t next = view_->first_ending_at_or_after(address);
    dmi.set_start_address(next == 0 ? 0 : ranges[next - 1].last + 1);
    dmi.set_end_address(next == ranges.size() ? ~uint64_t(0) : ranges[next].start - 1);
    remember_grant(id, dmi.get_start_address(), dmi.get_end_address());
    return false;
  }
  const FlatRange& fr = view_->ranges()[i];
  dmi.set_start_address(fr.start);
  dmi.set_end_address(fr.last);
  if (DeviceLink* link = device_of(i)) {
    const bool granted =
        link->get_direct_mem_ptr(gp, dmi, fr.region_offset(address), fr.start, fr.last, fr.offset_in_region);
    // A read-only path makes the device's grant read-only too.
    if (fr.readonly && dmi.is_write_allowed()) {
      if (dmi.is_read_allowed()) {
        dmi.allow_read();
      } else {
        dmi.allow_none();
      }
    }
    remember_grant(id, dmi.get_start_address(), dmi.get_end_address());
    return granted && !dmi.is_none_allowed();
  }
  const Direct& d = direct(i);
  remember_grant(id, fr.start, fr.last);  // a denial may be cached too
  if (!d.read) return false;
  dmi.set_dmi_ptr(d.base);
  dmi.set_read_latency(latencies_[d.latency].first);
  dmi.set_write_latency(latencies_[d.latency].second);
  if (d.write) {
    dmi.allow_read_write();
  } else {
    dmi.allow_read();
  }
  return true;
}

void TargetEngine::flat_view_changed(const AddressSpace&, const FlatView& before, const FlatView& after) {
  for (const AddressRange& r : changed_ranges(before, after)) invalidate_everywhere(r.first, r.last, false);
}

void TargetEngine::invalidate_everywhere(uint64_t first, uint64_t last, bool all_initiators) {
  // Before the end of elaboration no initiator can hold a pointer (and the
  // socket does not know its initiators yet). After the end of simulation
  // nobody uses a pointer again, and initiators may be gone already while
  // the map is torn down.
  const auto status = sc_core::sc_get_status();
  if (status == sc_core::SC_ELABORATION || status == sc_core::SC_BEFORE_END_OF_ELABORATION ||
      sc_core::sc_end_of_simulation_invoked()) {
    return;
  }
  const unsigned n = initiator_count_();
  if (grants_.size() < n) grants_.resize(n);
  for (unsigned i = 0; i < n; ++i) {
    auto& held = grants_[i];
    const auto meets = [&](const AddressRange& g) { return g.first <= last && first <= g.last; };
    if (!all_initiators && std::none_of(held.begin(), held.end(), meets)) continue;
    // The initiator drops every pointer that meets the range.
    held.erase(std::remove_if(held.begin(), held.end(), meets), held.end());
    initiator_(static_cast<int>(i))->invalidate_direct_mem_ptr(first, last);
  }
}

void TargetEngine::invalidate_device_range(const Region& region, uint64_t first, uint64_t last) {
  const auto view = space_.flat_view();
  for (const FlatRange& fr : view->ranges()) {
    if (fr.region != &region) continue;
    // The range shows offsets [offset_in_region, offset_in_region + size).
    const u128 lo = std::max<u128>(first, fr.offset_in_region);
    const u128 hi = std::min<u128>(u128(last) + 1, u128(fr.offset_in_region) + fr.size());
    if (lo >= hi) continue;
    const uint64_t start = fr.start + static_cast<uint64_t>(lo - fr.offset_in_region);
    invalidate_everywhere(start, static_cast<uint64_t>(start + (hi - lo - 1)), true);
  }
}

// --- approximately-timed transactions ---------------------------------------

TargetEngine::ResponseChannel& TargetEngine::channel(int id) {
  if (channels_.size() <= static_cast<std::size_t>(id)) channels_.resize(static_cast<std::size_t>(id) + 1);
  return channels_[static_cast<std::size_t>(id)];
}

tlm::tlm_sync_enum TargetEngine::nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                                 sc_core::sc_time& delay) {
  if (phase == tlm::BEGIN_REQ) {
    const uint64_t address = gp.get_address();
    const unsigned span = std::min(gp.get_data_length(), gp.get_streaming_width());
    const std::size_t i = find(address);
    if (i != kNone && span != 0 && u128(address) + span - 1 <= view_->ranges()[i].last) {
      if (DeviceLink* link = device_of(i)) {
        if (const auto refused = refusal(view_->ranges()[i], gp)) {
          const Region& r = *view_->ranges()[i].region;
          delay += gp.is_write() ? r.write_latency() : r.read_latency();
          gp.set_response_status(*refused);
          phase = tlm::END_RESP;
          return tlm::TLM_COMPLETED;
        }
        return link->begin_request(*this, id, gp, phase, delay, view_->ranges()[i].region_offset(address));
      }
    }
    // Regions of the model answer at once: the transaction completes early,
    // its latency in the annotation (the base protocol allows TLM_COMPLETED
    // in answer to BEGIN_REQ).
    b_transport(id, gp, delay);
    phase = tlm::END_RESP;
    return tlm::TLM_COMPLETED;
  }
  if (phase == tlm::END_RESP) {
    ResponseChannel& ch = channel(id);
    if (ch.busy == &gp) {
      DeviceLink* link = ch.busy_link;
      response_ended(id, delay);
      link->finish(gp, delay, true);
      return tlm::TLM_COMPLETED;
    }
  }
  report_error(kTargetMsg, "address space '" + space_.name() + "': nb_transport_fw with phase " +
                               phase.get_name() + " for a transaction at " + hex(gp.get_address()) +
                               " that is not waiting for it");
  return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum TargetEngine::end_request(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  tlm::tlm_phase phase = tlm::END_REQ;
  return initiator_(id)->nb_transport_bw(gp, phase, delay);
}

tlm::tlm_sync_enum TargetEngine::response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                          DeviceLink& link, bool in_device_call, bool request_ended_for_initiator) {
  ResponseChannel& ch = channel(id);
  const sc_core::sc_time due = sc_core::sc_time_stamp() + delay;
  if (ch.busy != nullptr || !ch.waiting.empty() || due < ch.free_at) {
    // Another response is on its way to this initiator, or has not ended yet
    // in time: this one waits its turn, keeping its own time. Its request
    // must be seen as ended, or the initiator stalls.
    ch.waiting.push_back({&gp, &link, due});
    if (!request_ended_for_initiator) end_request(id, gp, delay);
    if (ch.busy == nullptr) schedule_next_response(id);
    return tlm::TLM_ACCEPTED;
  }
  return deliver_response(id, gp, delay, link, in_device_call);
}

tlm::tlm_sync_enum TargetEngine::deliver_response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                                  DeviceLink& link, bool in_device_call) {
  ResponseChannel& ch = channel(id);
  ch.busy = &gp;
  ch.busy_link = &link;
  tlm::tlm_phase phase = tlm::BEGIN_RESP;
  const tlm::tlm_sync_enum status = initiator_(id)->nb_transport_bw(gp, phase, delay);
  if (status == tlm::TLM_COMPLETED || (status == tlm::TLM_UPDATED && phase == tlm::END_RESP)) {
    response_ended(id, delay);
    // In the device's own call the return value ends the response for it.
    link.finish(gp, delay, !in_device_call);
    return tlm::TLM_COMPLETED;
  }
  return tlm::TLM_ACCEPTED;
}

void TargetEngine::response_ended(int id, const sc_core::sc_time& delay) {
  ResponseChannel& ch = channel(id);
  ch.busy = nullptr;
  ch.busy_link = nullptr;
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
    deliver_response(static_cast<int>(id), *next.gp, delay, *next.link, false);
    return;
  }
}

}  // namespace tlmmap::detail

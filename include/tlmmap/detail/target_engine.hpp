// Library-internal: what an AddressSpaceTarget does, independent of its bus
// width. Every access resolves against the address space's flat view; RAM
// and ROM are copied directly on a fast path, the rest goes through the
// model's access path or is forwarded to a TLM device; DMI is granted and
// invalidated by exactly the ranges a commit changes.
#pragma once

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "tlmmap/address_space.hpp"

namespace tlmmap::detail {

class DeviceLink;

class TargetEngine : private FlatViewObserver {
 public:
  using BwInterface = tlm::tlm_bw_transport_if<tlm::tlm_base_protocol_types>;

  TargetEngine(AddressSpace& space, std::function<unsigned()> initiator_count,
               std::function<BwInterface*(int)> initiator);
  ~TargetEngine() override;
  TargetEngine(const TargetEngine&) = delete;
  TargetEngine& operator=(const TargetEngine&) = delete;

  AddressSpace& space() noexcept { return space_; }

  // RAM and ROM accesses inside one flat range, without byte enables or
  // streaming, are copied here. Everything else takes the general path.
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (&space_.view() != view_) rebind();
    const uint64_t address = gp.get_address();
    // The range last seen in this page's slot, else the search.
    const Direct*& slot = page_cache_[page_slot(address)];
    if (address - slot->start > slot->span) {
      const std::size_t i = view_->first_ending_at_or_after(address);
      if (i == direct_.size()) return b_transport_general(id, gp, delay, kNone);
      const Direct& found = direct(i);
      if (address < found.start) return b_transport_general(id, gp, delay, kNone);  // a hole
      slot = &found;
    }
    const Direct* hot = slot;
    const uint64_t offset = address - hot->start;
    const Direct& d = *hot;
    const unsigned length = gp.get_data_length();
    if (length - 1 <= d.span - offset && gp.get_byte_enable_ptr() == nullptr && gp.get_streaming_width() >= length) {
      // d.base is null unless d.read or d.write holds: no pointer arithmetic before the check.
      if (gp.is_read() && d.read) {
        std::memcpy(gp.get_data_ptr(), d.base + offset, length);
        delay += latencies_[d.latency].first;
        gp.set_dmi_allowed(true);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
      }
      if (gp.is_write() && d.write) {
        std::memcpy(d.base + offset, gp.get_data_ptr(), length);
        delay += latencies_[d.latency].second;
        gp.set_dmi_allowed(true);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
      }
    }
    b_transport_general(id, gp, delay, &d == &kNothing ? kUnknown : static_cast<std::size_t>(&d - direct_.data()));
  }

  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);

  // From device links: the request phase of a routed transaction ended.
  tlm::tlm_sync_enum end_request(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // From device links: the device's response (address restored), due at
  // now + delay. In the device's own nb_transport_bw(BEGIN_RESP) call
  // (`in_device_call`) the outcome for the device is the return value;
  // otherwise the device waits for END_RESP on its forward path. One
  // response at a time goes to an initiator, each at its own time and not
  // before the previous one ended (the response exclusion rule, in time).
  tlm::tlm_sync_enum response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, DeviceLink& link,
                              bool in_device_call, bool request_ended_for_initiator);
  // From device links: the device invalidated [first, last] of its own
  // offsets; every window of `region` in this view is invalidated.
  void invalidate_device_range(const Region& region, uint64_t first, uint64_t last);

  // Every engine alive (a device invalidation reaches all of them).
  static const std::vector<TargetEngine*>& all();

 private:
  static constexpr std::size_t kNone = ~std::size_t(0);
  static constexpr std::size_t kUnknown = kNone - 1;  // not looked up yet

  // What the fast path needs of one flat range, learned on first use; 32
  // bytes, so that a random access over a large map touches one line.
  struct alignas(32) Direct {
    uint64_t start = ~uint64_t(0);  // the range is [start, start + span]
    uint64_t span = 0;
    uint8_t* base = nullptr;  // host address of the range's first byte
    uint32_t latency = 0;     // index into latencies_
    bool read = false;        // reads copy from base (RAM, ROM, ROM device in romd mode)
    bool write = false;
    bool known = false;
  };

  // Index of the flat range holding `address` (kNone for a hole).
  std::size_t find(uint64_t address) {
    if (&space_.view() != view_) rebind();
    const auto& ranges = view_->ranges();
    const std::size_t i = view_->first_ending_at_or_after(address);
    if (i == ranges.size() || ranges[i].start > address) return kNone;
    return i;
  }
  const Direct& direct(std::size_t i) {
    Direct& d = direct_[i];
    if (!d.known) learn(i);
    return d;
  }

  void rebind();
  void learn(std::size_t i);
  // `range`: the index of the flat range holding the address (kNone for a
  // hole), as the fast path found it, or kUnknown.
  void b_transport_general(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, std::size_t range);
  void flat_view_changed(const AddressSpace& space, const FlatView& before, const FlatView& after) override;
  // invalidate_direct_mem_ptr on the initiators holding a grant that meets
  // [first, last] (a map change), or on all of them (a device's own
  // invalidation, passed on as a bus does).
  void invalidate_everywhere(uint64_t first, uint64_t last, bool all_initiators);
  // Records a DMI answer (grant or denial) an initiator may cache.
  void remember_grant(int id, uint64_t first, uint64_t last);
  std::optional<tlm::tlm_response_status> refusal(const FlatRange& fr, const tlm::tlm_generic_payload& gp) const;
  DeviceLink* device_of(std::size_t i);
  void schedule_next_response(int id);
  void response_ended(int id, const sc_core::sc_time& delay);
  void on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  tlm::tlm_sync_enum deliver_response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                      DeviceLink& link, bool in_device_call);

  // A direct-mapped cache of ranges by 4 KiB page (hashed), shared by the
  // initiators: repeated and local accesses, and random ones over a few
  // thousand pages, skip the search.
  static constexpr unsigned kPageCacheBits = 14;
  static std::size_t page_slot(uint64_t address) {
    return static_cast<std::size_t>(((address >> 12) * 0x9E3779B97F4A7C15ULL) >> (64 - kPageCacheBits));
  }
  static const Direct kNothing;                 // matches no address with any access

  AddressSpace& space_;
  std::function<unsigned()> initiator_count_;
  std::function<BwInterface*(int)> initiator_;
  const FlatView* view_ = nullptr;
  std::shared_ptr<const FlatView> view_owner_;
  std::vector<Direct> direct_;
  std::vector<DeviceLink*> links_;  // the TLM device behind each range, if any
  // The distinct (read, write) latencies of the ranges learned so far.
  std::vector<std::pair<sc_core::sc_time, sc_core::sc_time>> latencies_;
  std::map<std::pair<uint64_t, uint64_t>, uint32_t> latency_index_;
  const Direct* page_cache_[std::size_t(1) << kPageCacheBits];

  // The response channel towards each initiator: one BEGIN_RESP at a time.
  struct PendingResponse {
    tlm::tlm_generic_payload* gp;
    DeviceLink* link;
    sc_core::sc_time due;  // when the device meant it to reach the initiator
  };
  struct ResponseChannel {
    tlm::tlm_generic_payload* busy = nullptr;
    DeviceLink* busy_link = nullptr;
    sc_core::sc_time free_at;  // the end (in time) of the last response
    std::deque<PendingResponse> waiting;
  };
  std::vector<ResponseChannel> channels_;
  // The DMI answers (grants and denials) each initiator may still hold:
  // only those initiators are told about a change (one that never asked is
  // never called, even while a map is torn down after it).
  std::vector<std::vector<AddressRange>> grants_;
  ResponseChannel& channel(int id);
  tlm_utils::peq_with_cb_and_phase<TargetEngine> deferred_;
};

}  // namespace tlmmap::detail

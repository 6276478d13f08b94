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
#include <memory>
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
  // streaming, are copied here; everything else takes the general path.
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t address = gp.get_address();
    const unsigned length = gp.get_data_length();
    const std::size_t i = find(id, address);
    if (i != kNone && gp.get_byte_enable_ptr() == nullptr && gp.get_streaming_width() >= length && length != 0 &&
        address + (length - 1) <= view_->ranges()[i].last && address + (length - 1) >= address) {
      const Direct& d = direct(i);
      if (gp.is_read() ? d.read : (gp.is_write() && d.write)) {
        uint8_t* host = d.base + address;
        if (gp.is_read()) {
          std::memcpy(gp.get_data_ptr(), host, length);
          delay += d.read_latency;
        } else {
          std::memcpy(host, gp.get_data_ptr(), length);
          delay += d.write_latency;
        }
        gp.set_dmi_allowed(true);
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
      }
    }
    b_transport_general(id, gp, delay);
  }

  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);

  // From device links: the request phase of a routed transaction ended.
  tlm::tlm_sync_enum end_request(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // Where a device's response comes from, which decides how its outcome
  // travels.
  enum class ResponseContext {
    initiator_call,  // the return of the initiator's own nb_transport_fw: outcome in the return value and phase
    device_call,     // the device's nb_transport_bw(BEGIN_RESP): outcome in the return value to the device
    deferred,        // neither: the device waits for END_RESP on its forward path
  };
  // From device links: the device's response, with the address restored.
  tlm::tlm_sync_enum response(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                              sc_core::sc_time& delay, DeviceLink& link, ResponseContext context,
                              bool request_ended_for_initiator);
  // From device links: the device invalidated [first, last] of its own
  // offsets; every window of `region` in this view is invalidated.
  void invalidate_device_range(const Region& region, uint64_t first, uint64_t last);

  // Every engine alive (a device invalidation reaches all of them).
  static const std::vector<TargetEngine*>& all();

 private:
  static constexpr std::size_t kNone = ~std::size_t(0);

  struct Direct {
    uint8_t* base = nullptr;  // host address of address 0 of the view (base + address is the byte)
    sc_core::sc_time read_latency;
    sc_core::sc_time write_latency;
    bool read = false;
    bool write = false;
    bool known = false;
  };

  // Index of the flat range holding `address` (kNone for a hole); each
  // initiator remembers the range it hit last.
  std::size_t find(int id, uint64_t address) {
    if (&space_.view() != view_) rebind();
    const auto& ranges = view_->ranges();
    const std::size_t id_index = static_cast<std::size_t>(id) & kLastHitMask;
    std::size_t i = last_hit_[id_index];
    if (i < ranges.size() && ranges[i].start <= address && address <= ranges[i].last) return i;
    i = view_->first_ending_at_or_after(address);
    if (i == ranges.size() || ranges[i].start > address) return kNone;
    last_hit_[id_index] = i;
    return i;
  }
  const Direct& direct(std::size_t i) {
    Direct& d = direct_[i];
    if (!d.known) learn(i);
    return d;
  }

  void rebind();
  void learn(std::size_t i);
  void b_transport_general(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void flat_view_changed(const AddressSpace& space, const FlatView& before, const FlatView& after) override;
  void invalidate_everywhere(uint64_t first, uint64_t last);
  DeviceLink* device_of(std::size_t i) const;
  void release_response_channel(int id, const sc_core::sc_time& delay);
  void on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  tlm::tlm_sync_enum deliver_response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                      DeviceLink& link, bool in_device_call);

  static constexpr std::size_t kLastHitMask = 63;

  AddressSpace& space_;
  std::function<unsigned()> initiator_count_;
  std::function<BwInterface*(int)> initiator_;
  const FlatView* view_ = nullptr;
  std::shared_ptr<const FlatView> view_owner_;
  std::vector<Direct> direct_;
  std::size_t last_hit_[kLastHitMask + 1];

  // The response channel towards each initiator: one BEGIN_RESP at a time.
  struct PendingResponse {
    tlm::tlm_generic_payload* gp;
    DeviceLink* link;
  };
  struct ResponseChannel {
    tlm::tlm_generic_payload* busy = nullptr;
    DeviceLink* busy_link = nullptr;
    std::deque<PendingResponse> waiting;
  };
  std::vector<ResponseChannel> channels_;
  ResponseChannel& channel(int id);
  tlm_utils::peq_with_cb_and_phase<TargetEngine> deferred_;
};

}  // namespace tlmmap::detail

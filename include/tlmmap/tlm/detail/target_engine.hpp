// Library-internal: what an AddressSpaceTarget does, whatever its bus width.
//
// The engine is a thin translation of payloads plus a cache of the model's
// decisions. For each flat range it remembers the model's Route (host memory
// for reads and writes, or the TLM device behind the range) with its
// latencies converted to SystemC time, and a page-hashed table of copies of those
// decisions answers an address with one line loaded. Everything the cache
// cannot answer goes through the model's access path, which decides it:
// AddressSpace::access_within() with the flat range already found when the
// access lies inside one range (MMIO, IOMMU...), AddressSpace::access()
// otherwise. The cache is dropped whenever the model publishes a new view,
// and a new view is published for every change a cached decision depends on
// (the view, latency, ops, readonly, romd mode): the same exact-range
// machinery also withdraws the DMI grants that met the change.
#pragma once

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/peq_with_cb_and_phase.h>

#include "tlmmap/core/address_space.hpp"
#include "tlmmap/tlm/detail/copy_bytes.hpp"
#include "tlmmap/tlm/detail/iommu_target_path.hpp"
#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::detail {

// What the engine needs of the socket its initiators bind to.
class InitiatorPorts {
 public:
  using BwInterface = tlm::tlm_bw_transport_if<tlm::tlm_base_protocol_types>;
  virtual unsigned count() = 0;
  virtual BwInterface* at(int i) = 0;
  // False once initiator `i` has been destroyed: it must not be called.
  virtual bool alive(int i) = 0;

 protected:
  ~InitiatorPorts() = default;
};

// Where a response that waits for an initiator's response channel came
// from: told when the initiator ended it.
class ResponseSource {
 public:
  // `tell_source`: the source is not inside a call that already returns the outcome.
  virtual void response_ended(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, bool tell_source) = 0;
  virtual ~ResponseSource() = default;
};

class TargetEngine : private ViewObserver {
  struct Entry;      // one cached decision (below)
  struct PageCache;  // copies of them, by page

 public:
  TargetEngine(AddressSpace& space, InitiatorPorts& initiators);
  ~TargetEngine() override;
  TargetEngine(const TargetEngine&) = delete;
  TargetEngine& operator=(const TargetEngine&) = delete;

  // nullptr once the address space has been destroyed.
  AddressSpace* space() noexcept { return space_; }
  const std::string& space_name() const noexcept { return space_name_; }

  // The hot paths: the page-hashed entry answers or forwards, in a few
  // loads and one call into the device; everything else is out of line.
  // `slots`: page_cache(), which never moves: the socket's interfaces keep
  // it, so that a call loads its slot first, not the engine's member.
  using Slots = const PageCache*;
  Slots page_cache() const noexcept { return page_cache_.get(); }
  void b_transport(Slots slots, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t address = gp.get_address();
    const Entry& e = slots->entries[page_slot(address)];
    // An empty slot has no decision in it (no flags). Each
    // path is a function of its own, reached by a jump: none pays for the
    // registers of the others.
    if (address - e.first <= e.span) {
      const unsigned bit = command_bit(gp.get_command());
      if ((e.flags & bit) != 0) return copy<false>(e, gp, delay, address, bit);
      if ((e.flags & (bit << 2)) != 0) return forward<false>(e, gp, delay, address, bit);
      if ((e.flags & kIommu) != 0) return iommu_transport(e, gp, delay);
      // MMIO and the rest: the model decides, in the range found here.
      // (Not an empty slot, nor one a device's invalidation reset.)
      if (e.known) return b_transport_general(gp, delay, &e);
    }
    b_transport_slow(gp, delay);
  }

  unsigned transport_dbg(Slots slots, tlm::tlm_generic_payload& gp) {
    const uint64_t address = gp.get_address();
    const Entry& e = slots->entries[page_slot(address)];
    if (address - e.first <= e.span) {
      const unsigned bit = command_bit(gp.get_command());
      if ((e.dbg & bit) != 0) return copy_dbg<false>(e, gp, address, bit);
      if ((e.dbg & bit * kDbgGranted) != 0) return granted_dbg(e, gp, address, bit);
      if ((e.dbg & bit * kDbgForward) != 0) return forward_dbg<false>(e, gp, address);
      if ((e.dbg & bit * kDbgGrant) != 0) return grant_dbg<false>(e, gp, address, bit);
    }
    return transport_dbg_slow(gp);
  }

  bool get_direct_mem_ptr(Slots slots, int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    const uint64_t address = gp.get_address();
    const Entry& e = slots->entries[page_slot(address)];
    if (address - e.first <= e.span) {
      if ((e.flags & kReadMemory) != 0) return grant_memory(id, e, dmi);
      if ((e.flags & kDevice) != 0) return grant_device(id, e, gp, dmi);
    }
    return get_direct_mem_ptr_slow(id, gp, dmi);
  }

  tlm::tlm_sync_enum nb_transport_fw(int id, tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay);

  // From device links and the engine's own worker: the request phase of a
  // routed transaction ended.
  tlm::tlm_sync_enum end_request(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // A response for initiator `id`, due at now + delay. Inside the source's
  // own nb_transport_bw(BEGIN_RESP) call (`in_source_call`) the outcome for
  // the source is the return value. One response at a time goes to an
  // initiator, each at its own time and not before the previous one ended.
  tlm::tlm_sync_enum response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                              ResponseSource& source, bool in_source_call, bool request_ended_for_initiator);

 private:
  static constexpr uint8_t kReadMemory = 1;   // reads copy from base
  static constexpr uint8_t kWriteMemory = 2;  // writes copy to base
  static constexpr uint8_t kDeviceRead = 4;   // reads go to device
  static constexpr uint8_t kDeviceWrite = 8;  // writes go to device
  static constexpr uint8_t kDevice = 16;      // device is the window's device
  static constexpr uint8_t kLogged = 32;      // dirty-memory clients log the range
  static constexpr uint8_t kIommu = 64;       // an IOMMU region: its translation cache may answer
  static constexpr uint8_t kLatency = 128;    // a device's window adds a latency of its own

  // Entry::dbg: the debug paths the entry takes by itself, by command_bit()
  static constexpr uint8_t kDbgMemory = 1;   // * command bit: host memory
  static constexpr uint8_t kDbgForward = 4;  // * command bit: the window's device (it denied DMI)
  static constexpr uint8_t kDbgGrant = 16;   // * command bit: the window's device's DMI grant, asked once
  // * command bit: the bytes of a kept grant over the whole window (Entry::granted)
  static constexpr uint8_t kDbgGranted = 64;
  static constexpr uint8_t kBothCommands = 3;  // command_bit() of a read | of a write
  // Where a device window's debug accesses go until its device is asked.
  static constexpr uint8_t kDbgDeviceFirst = kDbgGrant * kBothCommands;
  // Read 1, write 2, anything else 0 (nothing cached serves it): a command as
  // a bit of kReadMemory/kWriteMemory, of kDeviceRead/kDeviceWrite after
  // << 2, and of Entry::dbg.
  static unsigned command_bit(tlm::tlm_command command) noexcept { return (1u << command) & 3u; }

  struct Ticks {
    uint64_t read;
    uint64_t write;
  };
  // sc_time holds nothing but its count of resolution ticks: the entries
  // keep the count (which keeps them trivially copyable, with room for a
  // device window's granted bytes) and the hot paths add it as an sc_time
  // without the out-of-line sc_time::from_value().
  static sc_core::sc_time as_time(uint64_t ticks) noexcept {
    static_assert(sizeof(sc_core::sc_time) == sizeof(uint64_t) && std::is_trivially_destructible_v<sc_core::sc_time>,
                  "sc_time is its tick count");
    sc_core::sc_time t;
    std::memcpy(static_cast<void*>(&t), &ticks, sizeof ticks);
    return t;
  }

  // The model's decision for one flat range, in one cache line, with the
  // device's interfaces resolved once (no virtual-base step per call).
  // The page cache holds copies of it, so that an access loads one line
  // that depends on nothing but its address.
  struct alignas(64) Entry {
    uint64_t first = ~uint64_t(0);  // the range is [first, first + span]
    uint64_t span = 0;
    union {
      uint8_t* base = nullptr;  // host memory of `first` (memory routes)
      tlm::tlm_blocking_transport_if<tlm::tlm_generic_payload>* device;  // kDevice
    };
    // kDbgForward/kDbgGrant: the device's debug interface is this many bytes from
    // `device` (another base of the same object).
    int32_t dbg_offset = 0;
    // What DMI grants left here (the same in the entry and every copy):
    // - kDevice: 1 + the index in device_grants_ of the device's last grant
    //   through the window (0: none yet);
    // - kReadMemory: bit i: initiator i (< 32) holds the range's grant, as
    //   remembered in grants_. The grant's range is the entry's, so every
    //   mark is cleared whenever invalidate() forgets it.
    uint32_t grant_mark = 0;
    // kDevice: the device's address is address - delta; logged memory: the
    // region offset of `first`.
    uint64_t delta = 0;
    union {
      // Not kDevice: what an access adds to the delay, in ticks of the time
      // resolution (a window's own latencies are in device_windows_).
      Ticks latency = {};
      // kDevice, where dbg has kDbgGranted: the bytes of `first` through the
      // kept grant over the whole window (KeptGrant). In the entry's line, so
      // a debug access through it waits for no other.
      uint8_t* granted;
    };
    uint8_t flags = 0;
    uint8_t dirty_mask = 0;  // the clients a write marks
    bool known = false;      // filled from the model
    uint8_t dbg = 0;         // kDbgMemory/kDbgForward/kDbgGrant/kDbgGranted by command bit
    uint32_t index = 0;      // in entries_ and in view_'s ranges (when known)

    sc_core::sc_time read_latency() const { return as_time(latency.read); }
    sc_core::sc_time write_latency() const { return as_time(latency.write); }
    tlm::tlm_transport_dbg_if<tlm::tlm_generic_payload>* dbg_device() const {
      return reinterpret_cast<tlm::tlm_transport_dbg_if<tlm::tlm_generic_payload>*>(
          reinterpret_cast<char*>(device) + dbg_offset);
    }
  };
  static_assert(sizeof(Entry) == 64, "one cache line per cached decision");
  static_assert(std::is_trivially_copyable_v<Entry>, "copied into page-cache slots as it is");
  // The commands (by command_bit()) a kept grant over the whole window of
  // `e` allows (kDbgGranted): Entry::dbg holds them, the only copy.
  static unsigned granted_commands(const Entry& e) noexcept { return e.dbg / kDbgGranted; }

  // The cached decision's own answers; a payload they cannot take goes on
  // to the slow path (kSlow: the lookup was done, to the model's path).
  // RAM/ROM: a plain payload inside the range (no byte enables, no
  // streaming) is copied, `bit` (read or write) routed to memory.
  // A CPU-sized access calls nothing (it saves no register); the rest is
  // copy_long(), which calls the C library.
  template <bool kSlow>
  [[gnu::noinline]] void copy(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, uint64_t address,
                              unsigned bit) {
    const uint64_t offset = address - e.first;
    const unsigned length = gp.get_data_length();
    uint8_t* const data = gp.get_data_ptr();
    if (gp.get_byte_enable_ptr() != nullptr || uint64_t(length) - 1 > e.span - offset ||
        gp.get_streaming_width() < length || data == nullptr) {
      return kSlow ? b_transport_general(gp, delay, &e) : b_transport_slow(gp, delay);
    }
    if (!word_sized(length)) return copy_long(e, gp, delay, offset, bit);
    gp.set_dmi_allowed(true);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (bit == kReadMemory) {
      copy_word(data, e.base + offset, length);
      delay += e.read_latency();
      return;
    }
    copy_word(e.base + offset, data, length);
    delay += e.write_latency();
    if (e.dirty_mask != 0) mark_written(e, offset, length);
  }
  [[gnu::noinline]] void copy_long(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                   uint64_t offset, unsigned bit) {
    copy_any_length(e, gp, offset, bit);
    delay += as_time(bit == kReadMemory ? e.latency.read : e.latency.write);
    gp.set_dmi_allowed(true);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  // After the write: a dirty-log client that sees the mark finds the data.
  // (Returns `length`, so that the fast paths call it last.)
  [[gnu::noinline]] unsigned mark_written(const Entry& e, uint64_t offset, unsigned length) {
    dirty_logs_[e.index]->mark(e.delta + offset, length, e.dirty_mask);
    return length;
  }
  // A payload wholly inside one window of a TLM device: the device sees the
  // payload itself (byte enables, streaming, extensions) with its own
  // address, restored before the initiator sees it again.
  // (Payloads that may carry attributes take forward_checked(): here the
  // device call is all that keeps registers.)
  template <bool kSlow>
  [[gnu::noinline]] void forward(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                 uint64_t address, unsigned bit) {
    // A plain payload: no byte enables, no streaming, no attributes; any
    // other takes forward_checked(), which decides on all of them.
    const unsigned length = gp.get_data_length();
    if (uint64_t(length) - 1 > e.span - (address - e.first) || gp.get_streaming_width() < length ||
        gp.get_byte_enable_ptr() != nullptr || gp.get_data_ptr() == nullptr || TxAttributes::ever_made()) {
      return forward_checked<kSlow>(e, gp, delay, address, bit);
    }
    send(e, gp, delay, address, bit);
  }
  template <bool kSlow>
  [[gnu::noinline]] void forward_checked(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                         uint64_t address, unsigned bit) {
    if (!whole(e, gp, address - e.first)) {
      return kSlow ? b_transport_general(gp, delay, &e) : b_transport_slow(gp, delay);
    }
    send(e, gp, delay, address, bit);
  }
  [[gnu::always_inline]] void send(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                   uint64_t address, unsigned bit) {
    gp.set_address(address - e.delta);
    // Windows rarely add latency: then the delay, which the device updates
    // too, is left alone (one read-modify-write less in its chain).
    if ((e.flags & kLatency) != 0) {
      const DeviceWindow& window = device_windows_[e.index];
      delay += bit == kReadMemory ? window.read_latency : window.write_latency;
    }
    e.device->b_transport(gp, delay);
    gp.set_address(address);
  }
  // Debug payloads the cached decision takes (Entry::dbg), inside the range:
  // bytes the window's device granted DMI for are copied through the grant
  // (the memory it promised is its memory until it withdraws); the device
  // sees the rest rebased, restored afterwards. A window whose device denied
  // goes straight to it (kDbgForward), without looking at grants.
  // A grant over the whole window (kDbgGranted) leaves the bytes of its first
  // address in the entry (Entry::granted): a CPU-sized copy through it calls
  // nothing and waits for no other line than the entry's.
  [[gnu::noinline]] unsigned granted_dbg(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address, unsigned bit) {
    if (!inside(e, gp, address)) return transport_dbg_slow(gp);
    const unsigned length = gp.get_data_length();
    if (word_sized(length) && !TxAttributes::ever_made()) {
      return exchange(e.granted + (address - e.first), gp, length, bit);
    }
    return debug_through_grant(e, gp, address, bit);
  }
  // kDbgGrant: a window whose device is not asked yet, or whose kept grant
  // covers part of it or does not allow the command.
  template <bool kSlow>
  [[gnu::noinline]] unsigned grant_dbg(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address, unsigned bit) {
    if (!inside(e, gp, address)) return kSlow ? transport_dbg_general(gp) : transport_dbg_slow(gp);
    if (e.grant_mark == 0) return ask_for_debug(e, gp, address, bit);
    return debug_through_grant(e, gp, address, bit);
  }
  // The rest: bytes of a grant over part of the window, other lengths,
  // payloads that may carry attributes, commands the grant does not allow.
  [[gnu::noinline]] unsigned debug_through_grant(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address,
                                                 unsigned bit);
  template <bool kSlow>
  [[gnu::noinline]] unsigned forward_dbg(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address) {
    if (!inside(e, gp, address)) return kSlow ? transport_dbg_general(gp) : transport_dbg_slow(gp);
    return send_dbg(e, gp, address);
  }
  static unsigned send_dbg(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address) {
    gp.set_address(address - e.delta);
    const unsigned moved = e.dbg_device()->transport_dbg(gp);
    gp.set_address(address);
    return moved;
  }
  // A window's first debug access asks its device for the grant (once:
  // the answer, a denial too, is kept until anything is withdrawn).
  [[gnu::noinline]] unsigned ask_for_debug(const Entry& cached, tlm::tlm_generic_payload& gp, uint64_t address,
                                           unsigned bit);
  // The grant allows the command on every byte of [address, address + length).
  static bool reaches(const tlm::tlm_dmi& grant, uint64_t address, unsigned length, unsigned bit) {
    const uint64_t end = grant.get_end_address();
    const bool allowed = bit == kReadMemory ? grant.is_read_allowed() : grant.is_write_allowed();
    return allowed && grant.get_start_address() <= address && address <= end && end - address >= uint64_t(length) - 1;
  }
  static unsigned copy_granted(const tlm::tlm_dmi& grant, tlm::tlm_generic_payload& gp, uint64_t address,
                               unsigned length, unsigned bit) {
    return exchange(grant.get_dmi_ptr() + (address - grant.get_start_address()), gp, length, bit);
  }
  // The payload's data from or to `bytes` (`bit`: read or write); CPU-sized
  // copies inline.
  [[gnu::always_inline]] static unsigned exchange(uint8_t* bytes, tlm::tlm_generic_payload& gp, unsigned length,
                                                  unsigned bit) {
    if (bit == kReadMemory) {
      copy_bytes(gp.get_data_ptr(), bytes, length);
    } else {
      copy_bytes(bytes, gp.get_data_ptr(), length);
    }
    return length;
  }
  // ... and host memory is copied both ways (what the model's debug path
  // does: a debugger loads ROM images too; writes logged).
  template <bool kSlow>
  [[gnu::noinline]] unsigned copy_dbg(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t address, unsigned bit) {
    if (!inside(e, gp, address)) return kSlow ? transport_dbg_general(gp) : transport_dbg_slow(gp);
    const uint64_t offset = address - e.first;
    const unsigned length = gp.get_data_length();
    if (!word_sized(length)) return copy_any_length(e, gp, offset, bit);
    if (bit == kReadMemory) {
      copy_word(gp.get_data_ptr(), e.base + offset, length);
      return length;
    }
    copy_word(e.base + offset, gp.get_data_ptr(), length);
    return e.dirty_mask != 0 ? mark_written(e, offset, length) : length;
  }
  // The data of a plain payload of any length, both ways, the write marked
  // where it is logged (copy_long() and debug accesses).
  [[gnu::noinline]] unsigned copy_any_length(const Entry& e, tlm::tlm_generic_payload& gp, uint64_t offset,
                                             unsigned bit) {
    const unsigned length = gp.get_data_length();
    if (bit == kReadMemory) {
      std::memcpy(gp.get_data_ptr(), e.base + offset, length);
    } else {
      std::memcpy(e.base + offset, gp.get_data_ptr(), length);
      if (e.dirty_mask != 0) mark_written(e, offset, length);
    }
    return length;
  }
  static bool inside(const Entry& e, const tlm::tlm_generic_payload& gp, uint64_t address) {
    return uint64_t(gp.get_data_length()) - 1 <= e.span - (address - e.first) && gp.get_data_ptr() != nullptr;
  }
  // Attributes may change what a device answers: such a payload reaches it.
  static bool carries_attributes(const tlm::tlm_generic_payload& gp) {
    return TxAttributes::ever_made() && gp.get_extension<TxAttributes>() != nullptr;
  }
  // The `memory` attribute is refused by every device: the model says so.
  static bool memory_only(const tlm::tlm_generic_payload& gp) {
    if (!TxAttributes::ever_made()) return false;
    const TxAttributes* attributes = gp.get_extension<TxAttributes>();
    return attributes != nullptr && attributes->attrs.memory;
  }
  // The payload fits in the device's window and the device may see it.
  static bool whole(const Entry& e, const tlm::tlm_generic_payload& gp, uint64_t offset) {
    return fits(e, gp, offset) && !memory_only(gp);
  }
  // ... leaving aside the attributes.
  static bool fits(const Entry& e, const tlm::tlm_generic_payload& gp, uint64_t offset) {
    const unsigned length = gp.get_data_length();
    const unsigned streaming = gp.get_streaming_width();
    const unsigned span = length < streaming ? length : streaming;
    return uint64_t(span) - 1 <= e.span - offset && gp.get_data_ptr() != nullptr &&
           (gp.get_byte_enable_ptr() == nullptr || gp.get_byte_enable_length() != 0);
  }
  // A device route the payload can take whole.
  static bool forwards(const Entry& e, const tlm::tlm_generic_payload& gp, uint64_t offset) {
    const tlm::tlm_command command = gp.get_command();
    return command != tlm::TLM_IGNORE_COMMAND && (e.flags & (command_bit(command) << 2)) != 0 && whole(e, gp, offset);
  }

  // The device's own grant, translated back and clipped to the window,
  // read-only through a read-only window, with the window's latency added.
  // Kept: the same initiator's next request inside it is answered without
  // asking the device again, until the device invalidates anything or the
  // view changes (a grant is a promise until withdrawn). Other initiators,
  // requests that carry attributes, and write requests a read-only grant
  // does not serve still ask: a device sees every initiator it grants to.
  // Debug accesses copy through whichever grant is kept (grant_dbg()).
  // (The kept grant is answered here, in a function that saves no
  // register; ask_device() asks.)
  // A kept grant is in the initiator's remembered answers until withdrawn
  // (both go together: invalidate() alone forgets answers, and every call of
  // it drops the kept grants), so giving it again records nothing.
  [[gnu::noinline]] bool grant_device(int id, const Entry& e, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    if (!TxAttributes::ever_made()) {
      if (const tlm::tlm_dmi* kept = kept_grant(id, e, gp)) {
        dmi = *kept;
        return true;
      }
    }
    return ask_device(id, e, gp, dmi);
  }
  // The device's grant through window `e` kept for initiator `id`, if it
  // serves the request.
  const tlm::tlm_dmi* kept_grant(int id, const Entry& e, const tlm::tlm_generic_payload& gp) const {
    const uint32_t slot = e.grant_mark;
    if (slot == 0) return nullptr;
    const uint64_t address = gp.get_address();
    const KeptGrant& k = device_grants_[slot - 1];
    const tlm::tlm_dmi& kept = k.dmi;
    if (k.initiator != id) return nullptr;
    const bool write = gp.get_command() == tlm::TLM_WRITE_COMMAND;
    // A grant over the whole window holds every address the entry matches.
    if (const unsigned whole = granted_commands(e); whole != 0) {
      return !write || (whole & kWriteMemory) != 0 ? &kept : nullptr;
    }
    return kept.get_start_address() <= address && address <= kept.get_end_address() &&
                   (!write || kept.is_write_allowed())
               ? &kept
               : nullptr;
  }
  // The rest: payloads that may carry attributes, and asking the device.
  [[gnu::noinline]] bool ask_device(int id, const Entry& cached, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    // The device may invalidate while it answers (the slot is reset) or
    // change the map (the cache is rebuilt): the decision asked is this one,
    // and a grant given across a withdrawal is not kept.
    const Entry e = cached;
    const uint64_t withdrawals = withdrawals_;
    const bool plain = !carries_attributes(gp);
    if (const tlm::tlm_dmi* kept = plain ? kept_grant(id, e, gp) : nullptr) {
      dmi = *kept;
      remember_grant(id, dmi.get_start_address(), dmi.get_end_address());
      return true;
    }
    const bool usable = device_grant(e, gp, dmi);
    remember_grant(id, dmi.get_start_address(), dmi.get_end_address());
    if (usable && plain && withdrawals == withdrawals_) keep_device_grant(id, cached, dmi);
    return usable;
  }
  // The device's answer for the payload's address through window `e`
  // (a copy: the device may reset the slot), translated back and clipped
  // to the window; true when it grants access.
  bool device_grant(const Entry& e, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
    const uint64_t address = gp.get_address();
    gp.set_address(address - e.delta);
    const DeviceWindow& window = device_windows_[e.index];
    const bool granted = window.dmi->get_direct_mem_ptr(gp, dmi);
    gp.set_address(address);
    // In the device's offsets: the window shows [first - delta, first - delta + span].
    const uint64_t window_lo = e.first - e.delta;
    const uint64_t lo = dmi.get_start_address() > window_lo ? dmi.get_start_address() : window_lo;
    const uint64_t hi = dmi.get_end_address() < window_lo + e.span ? dmi.get_end_address() : window_lo + e.span;
    const uint64_t asked = address - e.delta;
    if (lo > hi || lo > asked || hi < asked) {
      // The device's answer does not cover the address: deny just it.
      dmi.set_dmi_ptr(nullptr);
      dmi.allow_none();
      dmi.set_start_address(address);
      dmi.set_end_address(address);
      return false;
    }
    if (granted && dmi.get_dmi_ptr() != nullptr) dmi.set_dmi_ptr(dmi.get_dmi_ptr() + (lo - dmi.get_start_address()));
    dmi.set_start_address(lo + e.delta);
    dmi.set_end_address(hi + e.delta);
    if ((e.flags & kDeviceWrite) == 0 && dmi.is_write_allowed()) {
      if (dmi.is_read_allowed()) {
        dmi.allow_read();
      } else {
        dmi.allow_none();
      }
    }
    dmi.set_read_latency(dmi.get_read_latency() + window.read_latency);
    dmi.set_write_latency(dmi.get_write_latency() + window.write_latency);
    return granted && dmi.get_dmi_ptr() != nullptr && !dmi.is_none_allowed();
  }
  void keep_device_grant(int id, const Entry& e, const tlm::tlm_dmi& dmi) {
    KeptGrant kept{dmi, id};
    const bool allows_any = dmi.get_dmi_ptr() != nullptr && !dmi.is_none_allowed();
    const uint64_t start = dmi.get_start_address();
    // The commands a grant over the whole window allows, by command_bit(),
    // and the bytes of the window's first address through it.
    unsigned whole_window = 0;
    uint8_t* window_bytes = nullptr;
    if (allows_any && start <= e.first && e.first <= dmi.get_end_address() &&
        e.span <= dmi.get_end_address() - e.first) {
      whole_window = (dmi.is_read_allowed() ? kReadMemory : 0) | (dmi.is_write_allowed() ? kWriteMemory : 0);
      window_bytes = dmi.get_dmi_ptr() + (e.first - start);
    }
    // Debug accesses go straight to a device that denied (kDbgForward),
    // until a grant is kept or anything is withdrawn; they copy through the
    // bytes of a grant over the whole window (kDbgGranted) where it allows
    // the command, and look at the kept grant for the rest (kDbgGrant).
    const uint8_t dbg = !allows_any ? kDbgForward * kBothCommands
                                    : kDbgGranted * whole_window + kDbgGrant * (kBothCommands & ~whole_window);
    const uint32_t slot = e.grant_mark;
    if (slot == 0) {
      device_grants_.push_back(kept);
      mark(e.index, static_cast<uint32_t>(device_grants_.size()), dbg, window_bytes);
    } else {
      device_grants_[slot - 1] = kept;
      if (e.dbg != dbg || granted_bytes(e) != window_bytes) mark(e.index, slot, dbg, window_bytes);
    }
  }
  // In the entry and in every copy of it (a first grant, or the debug
  // path's first answer: rare); `window_bytes`: Entry::granted of a device
  // window (nullptr where dbg has no kDbgGranted).
  void mark(uint32_t index, uint32_t grant_mark, uint8_t dbg, uint8_t* window_bytes);

  // Straight from the cached decision: the flat range, read-write where the
  // model routes writes to memory too.
  [[gnu::noinline]] bool grant_memory(int id, const Entry& e, tlm::tlm_dmi& dmi) {
    dmi.set_dmi_ptr(e.base);
    dmi.set_start_address(e.first);
    dmi.set_end_address(e.first + e.span);
    // No write pointer where writes are logged: they take the marking path.
    dmi.set_granted_access((e.flags & kWriteMemory) != 0 && e.dirty_mask == 0 ? tlm::tlm_dmi::DMI_ACCESS_READ_WRITE
                                                                               : tlm::tlm_dmi::DMI_ACCESS_READ);
    dmi.set_read_latency(e.read_latency());
    dmi.set_write_latency(e.write_latency());
    const uint32_t holder = static_cast<unsigned>(id) < 32 ? uint32_t(1) << id : 0;
    if ((e.grant_mark & holder) == 0) {
      remember_grant(id, e.first, e.first + e.span);
      mark(e.index, e.grant_mark | holder, e.dbg, nullptr);
    }
    return true;
  }

  // An IOMMU range: its last translated page (iommu_pages_) answers, else
  // its translation cache, else the model's path.
  [[gnu::noinline]] void iommu_transport(const Entry& e, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const std::size_t i = e.index;
    if (iommu_pages_.answer(i, gp, delay)) return;
    const sc_core::sc_time latency = gp.get_command() == tlm::TLM_WRITE_COMMAND ? e.write_latency() : e.read_latency();
    if (iommu_pages_.answer_from_cache(range_of(e), i, gp, delay, latency)) return;
    b_transport_general(gp, delay, &e);
  }

  // The flat range of a cached decision.
  const FlatRange& range_of(const Entry& e) const { return view_->ranges()[e.index]; }

  // The cached decision for `address`, or nullptr for a hole (never an
  // empty or reset slot, which the fast paths alone may meet).
  const Entry* entry_for(uint64_t address) {
    const std::size_t s = page_slot(address);
    Entry& slot = page_cache_->entries[s];
    // An empty slot matches at most the last address, with no decision in
    // it: every fast path then comes here.
    if (address - slot.first <= slot.span && slot.known) return &slot;
    const Entry* e = lookup(address);
    if (e == nullptr) return nullptr;
    cache_in_slot(s, *e);
    return &slot;
  }
  void cache_in_slot(std::size_t s, const Entry& e);
  // Entry::granted where it holds the bytes of a grant, else nullptr.
  static uint8_t* granted_bytes(const Entry& e) noexcept { return granted_commands(e) != 0 ? e.granted : nullptr; }
  // Every slot that may hold a copy (filled since the cache was last emptied).
  void empty_page_cache();
  static std::size_t page_slot(uint64_t address) noexcept {
    return static_cast<std::size_t>(((address >> 12) * 0x9E3779B97F4A7C15ULL) >> (64 - kPageCacheBits));
  }

  const Entry* lookup(uint64_t address);
  void fill(std::size_t i);
  void rebind(std::shared_ptr<const FlatView> view);
  // Out of line: what the page-hashed entry did not answer.
  void b_transport_slow(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg_slow(tlm::tlm_generic_payload& gp);
  bool get_direct_mem_ptr_slow(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  // `e`: the cached decision for the payload's address (nullptr: a hole).
  void b_transport_general(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay, const Entry* e);
  unsigned transport_dbg_general(tlm::tlm_generic_payload& gp);
  // The model's access path for an access wholly inside the range `e`
  // caches (MMIO, IOMMU, ROM writes, refused windows...): one decision, made
  // by the model, with no second lookup.
  MemTxResult access_range(const Entry& e, Access& a);
  bool get_direct_mem_ptr_general(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  // A DMI answer (grant or denial) initiator `id` may cache.
  void remember_grant(int id, uint64_t first, uint64_t last) {
    if (!already_granted(id, first, last)) remember_new_grant(id, first, last);
  }
  bool already_granted(int id, uint64_t first, uint64_t last) const {
    return static_cast<std::size_t>(id) < last_grant_.size() && last_grant_[id].first == first &&
           last_grant_[id].last == last;
  }
  void remember_new_grant(int id, uint64_t first, uint64_t last);
  // invalidate_direct_mem_ptr(first, last) on the live initiators holding a
  // DMI answer that meets it (or on every live one).
  void invalidate(uint64_t first, uint64_t last, bool every_initiator);

  void view_changed(const AddressSpace& space, const ViewChange& change) override;
  void direct_access_invalidated(const AddressSpace& space, uint64_t first, uint64_t last) override;
  void space_destroyed(const AddressSpace& space) override;

  // Approximately-timed transactions the model answers in a process of ours
  // (they may reach a device that waits).
  bool needs_process(const tlm::tlm_generic_payload& gp);
  void answer_in_process(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time delay);
  struct ResponseChannel;
  ResponseChannel& channel(int id);
  void schedule_next_response(int id);
  void response_ended(int id, const sc_core::sc_time& delay);
  void on_deferred(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase);
  tlm::tlm_sync_enum deliver_response(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay,
                                      ResponseSource& source, bool in_source_call);

  static constexpr unsigned kPageCacheBits = 14;
  static constexpr std::size_t kPageCacheSlots = std::size_t(1) << kPageCacheBits;
  // Copies of entries_, by page_slot(): an empty slot (Entry{}) matches at
  // most the last address, with no decision in it.
  struct PageCache {
    Entry entries[kPageCacheSlots];
  };

  AddressSpace* space_;
  std::string space_name_;
  InitiatorPorts& initiators_;
  std::shared_ptr<const FlatView> view_;
  std::vector<Entry> entries_;  // one per range of view_
  // kDevice entries (by the entry's index): the device's DMI interface and
  // the window's own latencies (kLatency), which the entry has no room for.
  struct DeviceWindow {
    tlm::tlm_fw_direct_mem_if<tlm::tlm_generic_payload>* dmi = nullptr;
    sc_core::sc_time read_latency;
    sc_core::sc_time write_latency;
  };
  std::vector<DeviceWindow> device_windows_;
  // Views replaced while the model answers an access in a range of theirs
  // (a callback may change the map): kept until it returns.
  unsigned in_model_ = 0;
  std::vector<std::shared_ptr<const FlatView>> retired_views_;
  // One line each, found by a shift.
  struct alignas(64) KeptGrant {
    tlm::tlm_dmi dmi;  // a denial (none allowed) for kDebugHolder
    int initiator;
  };
  static_assert(sizeof(KeptGrant) == 64, "one line per kept grant");
  // The debug path's own grants (no initiator's index).
  static constexpr int kDebugHolder = -1;
  std::vector<KeptGrant> device_grants_;  // Entry::grant_mark
  uint64_t withdrawals_ = 0;  // times every kept grant was dropped
  // Logged memory entries: their dirty bitmaps (by the entry's index).
  std::vector<DirtyBitmaps*> dirty_logs_;
  IommuPages iommu_pages_;  // kIommu entries: the last pages translated to host memory
  std::unique_ptr<PageCache> page_cache_;
  std::vector<uint32_t> filled_slots_;  // may repeat; bounded by kPageCacheSlots

  // The DMI answers (grants and denials) each initiator may still hold: only
  // those initiators are told about a change there.
  struct RangeHash {
    std::size_t operator()(const AddressRange& r) const noexcept {
      return static_cast<std::size_t>(r.first * 0x9E3779B97F4A7C15ULL ^ r.last);
    }
  };
  std::vector<std::unordered_set<AddressRange, RangeHash>> grants_;
  std::vector<AddressRange> last_grant_;

  struct PendingResponse {
    tlm::tlm_generic_payload* gp;
    ResponseSource* source;
    sc_core::sc_time due;  // when the source meant it to reach the initiator
  };
  // The response channel towards each initiator: one BEGIN_RESP at a time.
  struct ResponseChannel {
    tlm::tlm_generic_payload* busy = nullptr;
    ResponseSource* busy_source = nullptr;
    sc_core::sc_time free_at;  // the end (in time) of the last response
    std::deque<PendingResponse> waiting;
  };
  std::vector<ResponseChannel> channels_;
  std::unique_ptr<ResponseSource> worker_source_;
  tlm_utils::peq_with_cb_and_phase<TargetEngine> deferred_;
};

}  // namespace tlmmap::detail

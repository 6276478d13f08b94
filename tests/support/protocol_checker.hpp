// A TLM-2.0 base-protocol checker for one hop: a pass-through module with a
// target socket (bind the initiator side to it) and an initiator socket (bind
// it to the target side). Everything is forwarded unchanged: b_transport,
// nb_transport_fw/bw, transport_dbg, get_direct_mem_ptr and
// invalidate_direct_mem_ptr. Each violation is recorded (violations()) and
// reported with SC_REPORT_ERROR(kMsgType, ...), so by default it ends the
// simulation with an error.
//
// Written from the rules of IEEE 1666-2011 (clauses 11, 14 and 15); what is
// checked, per hop:
//  * phase sequences, per transaction: BEGIN_REQ -> END_REQ -> BEGIN_RESP ->
//    END_RESP; BEGIN_REQ and END_RESP on the forward path, END_REQ and
//    BEGIN_RESP on the backward path; shortcuts: TLM_UPDATED with the next
//    phase, BEGIN_RESP implying END_REQ, and TLM_COMPLETED (early completion)
//    in answer to any phase. TLM_UPDATED must name a legal next phase;
//    TLM_ACCEPTED must leave the phase and the delay as they were.
//  * request exclusion: no BEGIN_REQ while the previous request on this hop
//    has not ended (END_REQ, BEGIN_RESP or TLM_COMPLETED).
//  * response exclusion: no BEGIN_RESP while the previous response on this
//    hop has not ended (END_RESP, TLM_UPDATED/END_RESP or TLM_COMPLETED). A
//    response given by returning TLM_COMPLETED opens no response phase, so it
//    is not subject to the rule.
//  * both exclusion rules in effective time as well (the times of the
//    phases, sc_time_stamp() + delay): a BEGIN_REQ is not annotated before
//    the end of the previous request, a BEGIN_RESP not before the end of the
//    previous response (Options::exclusion_in_time).
//  * a transaction object is not sent again (BEGIN_REQ or b_transport) while
//    it is in flight on this hop.
//  * response status TLM_INCOMPLETE_RESPONSE when the request is sent, and set
//    to something else by the time of the response (BEGIN_RESP, TLM_COMPLETED
//    from the target, return of b_transport).
//  * at response time the attributes nobody may change are as they were sent:
//    command, data pointer, data length, byte-enable pointer, length and
//    array, streaming width, and the data array of a write. The address must
//    be back to its value too: a target never changes it, and an interconnect
//    that changed it restores it before the response reaches the initiator
//    (1666 lets an interconnect modify the address; tlmmap promises to
//    restore it, so this is on by default: Options::address_restored).
//  * payload sanity for reads and writes: data length > 0, data pointer not
//    null, streaming width > 0, byte-enable length > 0 with a byte-enable
//    pointer.
//  * timing annotations: the effective time (sc_time_stamp() + delay) of the
//    successive phases of a transaction, and of the return from b_transport,
//    never goes backwards.
//  * no wait() inside nb_transport_fw/bw, transport_dbg, get_direct_mem_ptr
//    or invalidate_direct_mem_ptr; b_transport is not called from a method
//    process.
//  * DMI: start <= end, the range contains the requested address (granted or
//    not), a grant has a pointer and some access, and a grant agrees with
//    every earlier grant on this hop over the addresses they share unless
//    those were invalidated in between (else someone holds a stale pointer).
//    invalidate_direct_mem_ptr ranges have start <= end.
//  * transport_dbg returns at most the data length and leaves the attributes
//    as they were (the address restored, as above).
// Not checked: the granted DMI access against the request's command (1666
// leaves that to the initiator), ignorable phases of extended protocols
// (every phase other than the four is an error here), memory management.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <systemc>
#include <tlm>

namespace tlmmap::test {

enum class ProtocolRule {
  phase_sequence,
  wrong_path,
  unknown_phase,
  return_value,
  accepted_modified,
  request_exclusion,
  response_exclusion,
  object_in_flight,
  response_status,
  attribute_modified,
  address_not_restored,
  payload,
  timing,
  wait_in_nonblocking,
  blocking_from_method,
  dmi,
  debug,
  invalidate,
};

inline const char* to_string(ProtocolRule rule) {
  switch (rule) {
    case ProtocolRule::phase_sequence: return "phase-sequence";
    case ProtocolRule::wrong_path: return "wrong-path";
    case ProtocolRule::unknown_phase: return "unknown-phase";
    case ProtocolRule::return_value: return "return-value";
    case ProtocolRule::accepted_modified: return "accepted-modified";
    case ProtocolRule::request_exclusion: return "request-exclusion";
    case ProtocolRule::response_exclusion: return "response-exclusion";
    case ProtocolRule::object_in_flight: return "object-in-flight";
    case ProtocolRule::response_status: return "response-status";
    case ProtocolRule::attribute_modified: return "attribute-modified";
    case ProtocolRule::address_not_restored: return "address-not-restored";
    case ProtocolRule::payload: return "payload";
    case ProtocolRule::timing: return "timing";
    case ProtocolRule::wait_in_nonblocking: return "wait-in-nonblocking";
    case ProtocolRule::blocking_from_method: return "blocking-from-method";
    case ProtocolRule::dmi: return "dmi";
    case ProtocolRule::debug: return "debug";
    case ProtocolRule::invalidate: return "invalidate";
  }
  return "?";
}

struct ProtocolViolation {
  ProtocolRule rule;
  std::string message;
};

template <unsigned int BUSWIDTH = 32>
class ProtocolChecker : public sc_core::sc_module,
                        public tlm::tlm_fw_transport_if<>,
                        public tlm::tlm_bw_transport_if<> {
 public:
  static constexpr const char* kMsgType = "tlmmap/protocol_checker";

  struct Options {
    // The address is back to its value when the response crosses this hop.
    bool address_restored = true;
    // The exclusion rules hold in effective time too: a BEGIN_REQ (BEGIN_RESP)
    // is not annotated earlier than the end of the previous request
    // (response) on this hop.
    bool exclusion_in_time = true;
    // Write data and byte enables longer than this are not compared.
    std::size_t max_compared_bytes = 1u << 16;
  };

  tlm::tlm_target_socket<BUSWIDTH> target_socket;        // the initiator side binds here
  tlm::tlm_initiator_socket<BUSWIDTH> initiator_socket;  // bound to the target side

  explicit ProtocolChecker(sc_core::sc_module_name name) : ProtocolChecker(name, Options{}) {}
  ProtocolChecker(sc_core::sc_module_name name, Options options)
      : sc_core::sc_module(name), target_socket("target_socket"), initiator_socket("initiator_socket"),
        options_(options) {
    target_socket.bind(*this);
    initiator_socket.bind(*this);
  }

  const std::vector<ProtocolViolation>& violations() const { return violations_; }
  bool has(ProtocolRule rule) const {
    for (const auto& v : violations_) {
      if (v.rule == rule) return true;
    }
    return false;
  }
  // Transactions in flight on this hop (nb_transport and b_transport).
  std::size_t in_flight() const { return nb_.size() + blocking_.size(); }
  // Responses seen (BEGIN_RESP, TLM_COMPLETED from the target, b_transport returns).
  std::size_t responses() const { return responses_; }
  std::size_t requests() const { return requests_; }
  // Called with each response as it crosses this hop towards the initiator.
  void on_response(std::function<void(const tlm::tlm_generic_payload&)> observer) {
    observer_ = std::move(observer);
  }

  // --- forward path ----------------------------------------------------------

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    const sc_core::sc_process_handle process = sc_core::sc_get_current_process_handle();
    if (process.valid() && process.proc_kind() == sc_core::SC_METHOD_PROC_) {
      violation(ProtocolRule::blocking_from_method, "b_transport called from method process '" +
                                                        std::string(process.name()) + "' for " + describe(gp));
    }
    if (nb_.count(&gp) != 0 || blocking_.count(&gp) != 0) {
      violation(ProtocolRule::object_in_flight, "b_transport with " + describe(gp) + " already in flight on this hop");
    }
    check_request(gp, "b_transport");
    const Attributes sent = Attributes::of(gp, options_.max_compared_bytes);
    const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
    ++requests_;
    ++blocking_[&gp];
    initiator_socket->b_transport(gp, delay);
    if (--blocking_[&gp] == 0) blocking_.erase(&gp);
    check_response(gp, sent, "on return from b_transport");
    const sc_core::sc_time after = sc_core::sc_time_stamp() + delay;
    if (after < when) {
      violation(ProtocolRule::timing, "b_transport of " + describe(gp) + " returned at effective time " +
                                          after.to_string() + ", before its call at " + when.to_string());
    }
    responded(gp);
  }

  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    const tlm::tlm_phase sent_phase = phase;
    const sc_core::sc_time sent_delay = delay;
    const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
    if (phase == tlm::BEGIN_REQ) {
      begin_request(gp, when);
    } else if (phase == tlm::END_RESP) {
      if (InFlight* t = find(gp, "END_RESP on the forward path")) {
        if (t->phase != Phase::response) {
          violation(ProtocolRule::phase_sequence,
                    "END_RESP for " + describe(gp) + " in phase " + name_of(t->phase) + " (no BEGIN_RESP yet)");
        }
        advance(*t, gp, when, "END_RESP");
      }
    } else if (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) {
      violation(ProtocolRule::wrong_path, std::string(phase.get_name()) + " for " + describe(gp) +
                                              " on the forward path (it belongs on the backward path)");
    } else {
      violation(ProtocolRule::unknown_phase,
                std::string("phase ") + phase.get_name() + " for " + describe(gp) + " on the forward path");
    }
    const Stamp before = stamp();
    const tlm::tlm_sync_enum status = initiator_socket->nb_transport_fw(gp, phase, delay);
    check_no_wait(before, "nb_transport_fw");
    forward_returned(gp, sent_phase, sent_delay, status, phase, delay);
    return status;
  }

  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override {
    const tlm::tlm_command command = gp.get_command();
    const uint64_t address = gp.get_address();
    unsigned char* const data = gp.get_data_ptr();
    const unsigned length = gp.get_data_length();
    const Stamp before = stamp();
    const unsigned moved = initiator_socket->transport_dbg(gp);
    check_no_wait(before, "transport_dbg");
    if (moved > length) {
      violation(ProtocolRule::debug, "transport_dbg of " + describe(gp) + " returned " + std::to_string(moved) +
                                         ", more than the data length");
    }
    if (gp.get_command() != command || gp.get_data_ptr() != data || gp.get_data_length() != length) {
      violation(ProtocolRule::attribute_modified,
                "transport_dbg changed the command, data pointer or data length of " + describe(gp));
    }
    if (options_.address_restored && gp.get_address() != address) {
      violation(ProtocolRule::address_not_restored,
                "transport_dbg returned with address " + hex(gp.get_address()) + " instead of " + hex(address));
    }
    return moved;
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override {
    const uint64_t address = gp.get_address();
    const Stamp before = stamp();
    const bool granted = initiator_socket->get_direct_mem_ptr(gp, dmi);
    check_no_wait(before, "get_direct_mem_ptr");
    if (options_.address_restored && gp.get_address() != address) {
      violation(ProtocolRule::address_not_restored, "get_direct_mem_ptr returned with address " +
                                                        hex(gp.get_address()) + " instead of " + hex(address));
    }
    const uint64_t start = dmi.get_start_address();
    const uint64_t end = dmi.get_end_address();
    const std::string range = "[" + hex(start) + ", " + hex(end) + "]";
    if (start > end) {
      violation(ProtocolRule::dmi, "DMI range " + range + " for " + hex(address) + " has start > end");
      return granted;
    }
    if (address < start || address > end) {
      violation(ProtocolRule::dmi, std::string(granted ? "granted" : "denied") + " DMI range " + range +
                                       " does not contain the requested address " + hex(address));
    }
    if (!granted) return false;
    if (dmi.get_dmi_ptr() == nullptr) {
      violation(ProtocolRule::dmi, "DMI granted for " + range + " with a null pointer");
      return granted;
    }
    if (dmi.get_granted_access() == tlm::tlm_dmi::DMI_ACCESS_NONE) {
      violation(ProtocolRule::dmi, "DMI granted for " + range + " with access DMI_ACCESS_NONE");
    }
    // Host address of bus address 0 through this grant (modulo 2^64).
    const uint64_t base = reinterpret_cast<uintptr_t>(dmi.get_dmi_ptr()) - start;
    for (const Grant& g : grants_) {
      if (g.end < start || g.start > end || g.base == base) continue;
      violation(ProtocolRule::dmi, "DMI grant " + range + " maps the addresses it shares with the earlier grant [" +
                                       hex(g.start) + ", " + hex(g.end) +
                                       "] to other host memory, and that grant was not invalidated");
      break;
    }
    if (grants_.size() >= kMaxGrants) grants_.erase(grants_.begin());
    grants_.push_back(Grant{start, end, base});
    return granted;
  }

  // --- backward path ---------------------------------------------------------

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    const tlm::tlm_phase sent_phase = phase;
    const sc_core::sc_time sent_delay = delay;
    const sc_core::sc_time when = sc_core::sc_time_stamp() + delay;
    if (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) {
      if (InFlight* t = find(gp, std::string(phase.get_name()) + " on the backward path")) {
        advance(*t, gp, when, phase.get_name());
        if (phase == tlm::END_REQ) {
          end_request(gp, *t, "END_REQ on the backward path");
        } else {
          begin_response(gp, *t, "BEGIN_RESP on the backward path");
        }
      }
    } else if (phase == tlm::BEGIN_REQ || phase == tlm::END_RESP) {
      violation(ProtocolRule::wrong_path, std::string(phase.get_name()) + " for " + describe(gp) +
                                              " on the backward path (it belongs on the forward path)");
    } else {
      violation(ProtocolRule::unknown_phase,
                std::string("phase ") + phase.get_name() + " for " + describe(gp) + " on the backward path");
    }
    const Stamp before = stamp();
    const tlm::tlm_sync_enum status = target_socket->nb_transport_bw(gp, phase, delay);
    check_no_wait(before, "nb_transport_bw");
    backward_returned(gp, sent_phase, sent_delay, status, phase, delay);
    return status;
  }

  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override {
    if (start > end) {
      violation(ProtocolRule::invalidate,
                "invalidate_direct_mem_ptr(" + hex(start) + ", " + hex(end) + ") has start > end");
    }
    std::vector<Grant> kept;
    for (const Grant& g : grants_) {
      if (g.end < start || g.start > end) kept.push_back(g);
    }
    grants_.swap(kept);
    const Stamp before = stamp();
    target_socket->invalidate_direct_mem_ptr(start, end);
    check_no_wait(before, "invalidate_direct_mem_ptr");
  }

 private:
  enum class Phase { request, request_ended, response };

  static const char* name_of(Phase p) {
    switch (p) {
      case Phase::request: return "BEGIN_REQ";
      case Phase::request_ended: return "END_REQ";
      case Phase::response: return "BEGIN_RESP";
    }
    return "?";
  }

  // What the initiator sent; compared at response time.
  struct Attributes {
    tlm::tlm_command command;
    uint64_t address;
    unsigned char* data;
    unsigned length;
    unsigned char* byte_enables;
    unsigned byte_enable_length;
    unsigned streaming_width;
    std::vector<unsigned char> written;  // the data of a write
    std::vector<unsigned char> enables;  // the byte-enable array

    static Attributes of(const tlm::tlm_generic_payload& gp, std::size_t max_bytes) {
      Attributes a{gp.get_command(),        gp.get_address(),         gp.get_data_ptr(),
                   gp.get_data_length(),    gp.get_byte_enable_ptr(), gp.get_byte_enable_length(),
                   gp.get_streaming_width(), {},                       {}};
      if (a.command == tlm::TLM_WRITE_COMMAND && a.data != nullptr && a.length <= max_bytes) {
        a.written.assign(a.data, a.data + a.length);
      }
      if (a.byte_enables != nullptr && a.byte_enable_length <= max_bytes) {
        a.enables.assign(a.byte_enables, a.byte_enables + a.byte_enable_length);
      }
      return a;
    }
  };

  struct InFlight {
    Phase phase;
    Attributes sent;
    sc_core::sc_time last;  // effective time of the latest phase
  };

  struct Grant {
    uint64_t start;
    uint64_t end;
    uint64_t base;
  };
  static constexpr std::size_t kMaxGrants = 4096;

  struct Stamp {
    sc_dt::uint64 delta;
    sc_core::sc_time time;
  };
  static Stamp stamp() { return Stamp{sc_core::sc_delta_count(), sc_core::sc_time_stamp()}; }

  void check_no_wait(const Stamp& before, const char* call) {
    if (sc_core::sc_delta_count() != before.delta || sc_core::sc_time_stamp() != before.time) {
      violation(ProtocolRule::wait_in_nonblocking, std::string(call) + " waited (called at " +
                                                       before.time.to_string() + ", returned at " +
                                                       sc_core::sc_time_stamp().to_string() + ")");
    }
  }

  static std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
  }

  static std::string describe(const tlm::tlm_generic_payload& gp) {
    const char* command = gp.is_read() ? "read" : gp.is_write() ? "write" : "ignore";
    std::ostringstream os;
    os << "transaction " << static_cast<const void*>(&gp) << " (" << command << " of " << gp.get_data_length()
       << " bytes at " << hex(gp.get_address()) << ")";
    return os.str();
  }

  void violation(ProtocolRule rule, const std::string& text) {
    violations_.push_back(ProtocolViolation{rule, text});
    const std::string message = std::string(name()) + ": [" + to_string(rule) + "] " + text + " (at " +
                                sc_core::sc_time_stamp().to_string() + ")";
    SC_REPORT_ERROR(kMsgType, message.c_str());
  }

  InFlight* find(const tlm::tlm_generic_payload& gp, const std::string& what) {
    auto it = nb_.find(&gp);
    if (it != nb_.end()) return &it->second;
    violation(ProtocolRule::phase_sequence, what + " for " + describe(gp) + ", which is not in flight on this hop");
    return nullptr;
  }

  void advance(InFlight& t, const tlm::tlm_generic_payload& gp, const sc_core::sc_time& when, const std::string& what) {
    if (when < t.last) {
      violation(ProtocolRule::timing, what + " of " + describe(gp) + " at effective time " + when.to_string() +
                                          ", before its previous phase at " + t.last.to_string());
      return;
    }
    t.last = when;
  }

  void check_request(const tlm::tlm_generic_payload& gp, const char* how) {
    if (gp.is_read() || gp.is_write()) {
      if (gp.get_data_length() == 0) {
        violation(ProtocolRule::payload, std::string(how) + " of " + describe(gp) + " with data length 0");
      }
      if (gp.get_data_ptr() == nullptr) {
        violation(ProtocolRule::payload, std::string(how) + " of " + describe(gp) + " with a null data pointer");
      }
      if (gp.get_streaming_width() == 0) {
        violation(ProtocolRule::payload, std::string(how) + " of " + describe(gp) + " with streaming width 0");
      }
      if (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0) {
        violation(ProtocolRule::payload,
                  std::string(how) + " of " + describe(gp) + " with byte enables of length 0");
      }
    }
    if (gp.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE) {
      violation(ProtocolRule::response_status, std::string(how) + " of " + describe(gp) + " with response status " +
                                                   gp.get_response_string() + " (must be TLM_INCOMPLETE_RESPONSE)");
    }
  }

  void check_response(const tlm::tlm_generic_payload& gp, const Attributes& sent, const std::string& when) {
    if (gp.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE) {
      violation(ProtocolRule::response_status,
                "response status of " + describe(gp) + " still TLM_INCOMPLETE_RESPONSE " + when);
    }
    std::string changed;
    auto note = [&changed](bool differs, const char* what) {
      if (!differs) return;
      if (!changed.empty()) changed += ", ";
      changed += what;
    };
    note(gp.get_command() != sent.command, "command");
    note(gp.get_data_ptr() != sent.data, "data pointer");
    note(gp.get_data_length() != sent.length, "data length");
    note(gp.get_byte_enable_ptr() != sent.byte_enables, "byte-enable pointer");
    note(gp.get_byte_enable_length() != sent.byte_enable_length, "byte-enable length");
    note(gp.get_streaming_width() != sent.streaming_width, "streaming width");
    note(!sent.written.empty() && gp.get_data_ptr() == sent.data &&
             std::memcmp(sent.data, sent.written.data(), sent.written.size()) != 0,
         "write data");
    note(!sent.enables.empty() && gp.get_byte_enable_ptr() == sent.byte_enables &&
             gp.get_byte_enable_length() == sent.byte_enable_length &&
             std::memcmp(gp.get_byte_enable_ptr(), sent.enables.data(), sent.enables.size()) != 0,
         "byte-enable array");
    if (!changed.empty()) {
      violation(ProtocolRule::attribute_modified, "the " + changed + " of " + describe(gp) + " changed " + when);
    }
    if (options_.address_restored && gp.get_address() != sent.address) {
      violation(ProtocolRule::address_not_restored, "address of " + describe(gp) + " is not back to " +
                                                        hex(sent.address) + " " + when);
    }
  }

  void responded(const tlm::tlm_generic_payload& gp) {
    ++responses_;
    if (observer_) observer_(gp);
  }

  void begin_request(tlm::tlm_generic_payload& gp, const sc_core::sc_time& when) {
    if (nb_.count(&gp) != 0 || blocking_.count(&gp) != 0) {
      violation(ProtocolRule::object_in_flight, "BEGIN_REQ for " + describe(gp) + ", already in flight on this hop");
    }
    if (open_request_ != nullptr && open_request_ != &gp) {
      violation(ProtocolRule::request_exclusion,
                "BEGIN_REQ for " + describe(gp) + " while the request of " + describe(*open_request_) +
                    " has not ended (no END_REQ, BEGIN_RESP or TLM_COMPLETED yet)");
    } else if (options_.exclusion_in_time && when < request_free_at_) {
      violation(ProtocolRule::request_exclusion, "BEGIN_REQ for " + describe(gp) + " at effective time " +
                                                     when.to_string() + ", before the previous request on this hop "
                                                     "ended at " + request_free_at_.to_string());
    }
    check_request(gp, "BEGIN_REQ");
    ++requests_;
    nb_[&gp] = InFlight{Phase::request, Attributes::of(gp, options_.max_compared_bytes), when};
    open_request_ = &gp;
  }

  void end_request(tlm::tlm_generic_payload& gp, InFlight& t, const std::string& how) {
    if (t.phase != Phase::request) {
      violation(ProtocolRule::phase_sequence,
                how + " for " + describe(gp) + " in phase " + name_of(t.phase) + " (the request is not open)");
    }
    close_request(gp, t, t.last);
    t.phase = Phase::request_ended;
  }

  void begin_response(tlm::tlm_generic_payload& gp, InFlight& t, const std::string& how) {
    if (t.phase == Phase::response) {
      violation(ProtocolRule::phase_sequence, how + " for " + describe(gp) + ", which is in its response already");
    }
    if (open_response_ != nullptr && open_response_ != &gp) {
      violation(ProtocolRule::response_exclusion,
                how + " for " + describe(gp) + " while the response of " + describe(*open_response_) +
                    " has not ended (no END_RESP or TLM_COMPLETED yet)");
    } else if (options_.exclusion_in_time && t.last < response_free_at_) {
      violation(ProtocolRule::response_exclusion, how + " for " + describe(gp) + " at effective time " +
                                                      t.last.to_string() + ", before the previous response on this "
                                                      "hop ended at " + response_free_at_.to_string());
    }
    check_response(gp, t.sent, "at " + how);
    close_request(gp, t, t.last);  // BEGIN_RESP implies END_REQ
    t.phase = Phase::response;
    open_response_ = &gp;
    responded(gp);
  }

  // The transaction is complete on this hop.
  void finish(const tlm::tlm_generic_payload& gp) {
    if (open_request_ == &gp) open_request_ = nullptr;
    if (open_response_ == &gp) open_response_ = nullptr;
    auto it = nb_.find(&gp);
    if (it == nb_.end()) return;
    InFlight& t = it->second;
    close_request(gp, t, t.last);
    if (t.phase == Phase::response && response_free_at_ < t.last) response_free_at_ = t.last;
    nb_.erase(it);
  }

  // The request phase of `t` (if open) ends at `at`.
  void close_request(const tlm::tlm_generic_payload& gp, const InFlight& t, const sc_core::sc_time& at) {
    if (open_request_ == &gp) open_request_ = nullptr;
    if (t.phase == Phase::request && request_free_at_ < at) request_free_at_ = at;
  }

  void check_accepted(const tlm::tlm_generic_payload& gp, const tlm::tlm_phase& sent_phase,
                      const sc_core::sc_time& sent_delay, const tlm::tlm_phase& phase, const sc_core::sc_time& delay,
                      const char* call) {
    if (phase != sent_phase) {
      violation(ProtocolRule::accepted_modified, std::string(call) + " returned TLM_ACCEPTED for " + describe(gp) +
                                                     " but changed the phase from " + sent_phase.get_name() + " to " +
                                                     phase.get_name());
    }
    if (delay != sent_delay) {
      violation(ProtocolRule::accepted_modified, std::string(call) + " returned TLM_ACCEPTED for " + describe(gp) +
                                                     " but changed the delay from " + sent_delay.to_string() +
                                                     " to " + delay.to_string());
    }
  }

  void forward_returned(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& sent_phase,
                        const sc_core::sc_time& sent_delay, tlm::tlm_sync_enum status,
                        const tlm::tlm_phase& phase, const sc_core::sc_time& delay) {
    if (sent_phase != tlm::BEGIN_REQ && sent_phase != tlm::END_RESP) return;  // reported at the call
    auto it = nb_.find(&gp);
    InFlight* t = it != nb_.end() ? &it->second : nullptr;
    const sc_core::sc_time returned = sc_core::sc_time_stamp() + delay;
    switch (status) {
      case tlm::TLM_ACCEPTED:
        check_accepted(gp, sent_phase, sent_delay, phase, delay, "nb_transport_fw");
        if (sent_phase == tlm::END_RESP) finish(gp);
        return;
      case tlm::TLM_UPDATED:
        if (t == nullptr) {
          violation(ProtocolRule::phase_sequence, "nb_transport_fw returned TLM_UPDATED for " + describe(gp) +
                                                      ", which completed during the call");
          return;
        }
        advance(*t, gp, returned, "TLM_UPDATED");
        if (sent_phase == tlm::END_RESP) {
          violation(ProtocolRule::phase_sequence, "TLM_UPDATED (phase " + std::string(phase.get_name()) +
                                                      ") in answer to END_RESP of " + describe(gp));
          finish(gp);
        } else if (phase == tlm::END_REQ) {
          end_request(gp, *t, "END_REQ returned with TLM_UPDATED");
        } else if (phase == tlm::BEGIN_RESP) {
          begin_response(gp, *t, "BEGIN_RESP returned with TLM_UPDATED");
        } else {
          violation(ProtocolRule::phase_sequence, "TLM_UPDATED with phase " + std::string(phase.get_name()) +
                                                      " in answer to BEGIN_REQ of " + describe(gp) +
                                                      " (allowed: END_REQ, BEGIN_RESP)");
        }
        return;
      case tlm::TLM_COMPLETED:
        if (t == nullptr) return;
        advance(*t, gp, returned, "TLM_COMPLETED");
        if (sent_phase == tlm::BEGIN_REQ && t->phase != Phase::response) {
          check_response(gp, t->sent, "when the target returned TLM_COMPLETED");
          responded(gp);
        }
        finish(gp);
        return;
    }
    violation(ProtocolRule::return_value, "nb_transport_fw returned " + std::to_string(static_cast<int>(status)) +
                                              " for " + describe(gp));
    finish(gp);
  }

  void backward_returned(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& sent_phase,
                         const sc_core::sc_time& sent_delay, tlm::tlm_sync_enum status,
                         const tlm::tlm_phase& phase, const sc_core::sc_time& delay) {
    if (sent_phase != tlm::END_REQ && sent_phase != tlm::BEGIN_RESP) return;  // reported at the call
    auto it = nb_.find(&gp);
    if (it == nb_.end()) return;
    InFlight& t = it->second;
    const sc_core::sc_time returned = sc_core::sc_time_stamp() + delay;
    switch (status) {
      case tlm::TLM_ACCEPTED:
        check_accepted(gp, sent_phase, sent_delay, phase, delay, "nb_transport_bw");
        return;
      case tlm::TLM_UPDATED:
        advance(t, gp, returned, "TLM_UPDATED");
        if (sent_phase == tlm::BEGIN_RESP && phase == tlm::END_RESP) {
          finish(gp);
        } else {
          violation(ProtocolRule::phase_sequence, "TLM_UPDATED with phase " + std::string(phase.get_name()) +
                                                      " in answer to " + sent_phase.get_name() + " of " +
                                                      describe(gp) + " (allowed: END_RESP in answer to BEGIN_RESP)");
        }
        return;
      case tlm::TLM_COMPLETED:
        advance(t, gp, returned, "TLM_COMPLETED");
        finish(gp);
        return;
    }
    violation(ProtocolRule::return_value, "nb_transport_bw returned " + std::to_string(static_cast<int>(status)) +
                                              " for " + describe(gp));
    finish(gp);
  }

  Options options_;
  std::unordered_map<const tlm::tlm_generic_payload*, InFlight> nb_;
  std::unordered_map<const tlm::tlm_generic_payload*, int> blocking_;
  const tlm::tlm_generic_payload* open_request_ = nullptr;
  const tlm::tlm_generic_payload* open_response_ = nullptr;
  sc_core::sc_time request_free_at_;   // effective time the latest request on this hop ended
  sc_core::sc_time response_free_at_;  // effective time the latest response on this hop ended
  std::vector<Grant> grants_;
  std::vector<ProtocolViolation> violations_;
  std::function<void(const tlm::tlm_generic_payload&)> observer_;
  std::size_t responses_ = 0;
  std::size_t requests_ = 0;
};

}  // namespace tlmmap::test

#include "tlmmap/adapters/axi_subordinate_engine.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include <systemc>

#include "tlmmap/tlm/tx_attributes.hpp"

namespace tlmmap::adapters {

namespace {

unsigned beats_of(const AxiAddress& a, bool lite) { return lite ? 1u : unsigned{a.len} + 1; }

unsigned log2_of(unsigned x) {
  unsigned n = 0;
  while ((1u << n) < x) ++n;
  return n;
}

// Room for the write data of two of the longest bursts.
constexpr size_t kWriteBeatRoom = 512;

}  // namespace

AxiSubordinateEngine::AxiSubordinateEngine(Config config) : config_(std::move(config)) {}

void AxiSubordinateEngine::protocol_error(const std::string& what) const {
  SC_REPORT_ERROR(kAdapterMsg, (config_.name + ": " + what).c_str());
}

std::unique_ptr<AxiRequest> AxiSubordinateEngine::make_request(bool write, const AxiAddress& given) {
  auto request = std::make_unique<AxiRequest>();
  AxiAddress a = given;
  if (config_.lite) {
    a.len = 0;
    a.size = static_cast<uint8_t>(log2_of(config_.data_bytes));
    a.burst = AxiBurst::incr;
    a.id = 0;
  }
  if (a.burst == AxiBurst::wrap && a.len != 1 && a.len != 3 && a.len != 7 && a.len != 15) {
    protocol_error("a WRAP burst of " + std::to_string(a.len + 1) + " beats (2, 4, 8 or 16 allowed)");
    a.burst = AxiBurst::incr;
  }
  if (a.burst != AxiBurst::fixed && a.burst != AxiBurst::incr && a.burst != AxiBurst::wrap) {
    protocol_error("reserved burst type 0b11");
    a.burst = AxiBurst::incr;
  }
  if ((1u << a.size) > config_.data_bytes) {
    protocol_error("AxSIZE " + std::to_string(a.size) + " wider than the bus");
    a.size = static_cast<uint8_t>(log2_of(config_.data_bytes));
  }
  request->write = write;
  request->a = a;
  request->generation = generation_;

  const unsigned beats = beats_of(a, config_.lite);
  const BeatSpan first = beat_span(a, 0, config_.data_bytes);
  uint32_t stream = 0;
  for (unsigned n = 0; n < beats; ++n) stream += beat_span(a, n, config_.data_bytes).count;

  // The pieces: (address, first stream byte, length, streaming width).
  struct Cut {
    uint64_t addr;
    uint32_t offset, length, width;
  };
  std::vector<Cut> cuts;
  if (a.burst == AxiBurst::fixed) {
    cuts.push_back(Cut{first.addr, 0, stream, first.count});
  } else if (a.burst == AxiBurst::wrap) {
    const uint64_t total = uint64_t{stream};
    const uint64_t lower = first.addr & ~(total - 1);
    const uint32_t upper_part = static_cast<uint32_t>(lower + total - first.addr);
    cuts.push_back(Cut{first.addr, 0, upper_part, upper_part});
    if (upper_part < stream) cuts.push_back(Cut{lower, upper_part, stream - upper_part, stream - upper_part});
  } else {
    cuts.push_back(Cut{first.addr, 0, stream, stream});
  }

  AmbaExtension proto;
  proto.exclusive = a.lock;
  proto.instruction = (a.prot & 4) != 0;
  proto.cache = a.cache;
  proto.qos = a.qos;
  for (const Cut& cut : cuts) {
    AxiRequest::Piece& piece = request->pieces.emplace_back();
    piece.data.assign(cut.length, 0);
    piece.stream_offset = cut.offset;
    tlm::tlm_generic_payload& gp = piece.gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(cut.addr);
    gp.set_data_ptr(piece.data.data());
    gp.set_data_length(cut.length);
    gp.set_streaming_width(cut.width);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_byte_enable_length(0);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    gp.set_extension(new TxAttributes(attrs_from_pins(a.prot, a.id)));
    gp.set_extension(static_cast<AmbaExtension*>(proto.clone()));
  }
  return request;
}

void AxiSubordinateEngine::collect_write() {
  while (!aw_waiting_.empty()) {
    const AxiAddress& a = aw_waiting_.front();
    const unsigned beats = beats_of(a, config_.lite);
    if (!config_.lite) {
      for (size_t n = 0; n + 1 < std::min<size_t>(beats, w_waiting_.size()); ++n) {
        if (w_waiting_[n].last) {
          protocol_error("WLAST on beat " + std::to_string(n) + " of a " + std::to_string(beats) + "-beat write");
        }
      }
    }
    if (w_waiting_.size() < beats) return;
    if (!config_.lite && !w_waiting_[beats - 1].last) {
      protocol_error("no WLAST on the last beat of a " + std::to_string(beats) + "-beat write");
    }
    std::unique_ptr<AxiRequest> request = make_request(true, a);
    // Lay the beats out as the burst's byte stream, then into the pieces.
    uint32_t k = 0;
    for (unsigned n = 0; n < beats; ++n) {
      const BeatSpan span = beat_span(request->a, n, config_.data_bytes);
      const AxiData& beat = w_waiting_[n];
      for (unsigned i = 0; i < span.count; ++i, ++k) {
        for (AxiRequest::Piece& piece : request->pieces) {
          if (k < piece.stream_offset || k >= piece.stream_offset + piece.data.size()) continue;
          const uint32_t at = k - piece.stream_offset;
          piece.data[at] = beat.data[span.lane + i];
          const bool enabled = (beat.strb >> (span.lane + i)) & 1;
          if (!enabled && piece.byte_enables.empty()) piece.byte_enables.assign(piece.data.size(), TLM_BYTE_ENABLED);
          if (!enabled) piece.byte_enables[at] = TLM_BYTE_DISABLED;
        }
      }
    }
    for (AxiRequest::Piece& piece : request->pieces) {
      if (piece.byte_enables.empty()) continue;
      piece.gp.set_byte_enable_ptr(piece.byte_enables.data());
      piece.gp.set_byte_enable_length(static_cast<unsigned>(piece.byte_enables.size()));
    }
    w_waiting_.erase(w_waiting_.begin(), w_waiting_.begin() + beats);
    aw_waiting_.pop_front();
    to_tlm_.push_back(std::move(request));
  }
}

std::unique_ptr<AxiRequest> AxiSubordinateEngine::take_request() {
  if (to_tlm_.empty()) return nullptr;
  std::unique_ptr<AxiRequest> request = std::move(to_tlm_.front());
  to_tlm_.pop_front();
  return request;
}

void AxiSubordinateEngine::finish(std::unique_ptr<AxiRequest> request) {
  if (request->generation != generation_) return;  // a reset came in between
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  bool exclusive_okay = request->a.lock;
  for (AxiRequest::Piece& piece : request->pieces) {
    status = worse(status, piece.gp.get_response_status());
    const AmbaExtension* ext = piece.gp.get_extension<AmbaExtension>();
    exclusive_okay = exclusive_okay && ext != nullptr && ext->exclusive_okay;
  }
  Answer answer{std::move(request), 0, to_axi_resp(status, exclusive_okay), 0};
  (answer.request->write ? b_answers_ : r_answers_).push_back(std::move(answer));
}

void AxiSubordinateEngine::load_r_beat() {
  Answer& answer = r_answers_.front();
  const AxiRequest& request = *answer.request;
  uint32_t k = answer.stream_pos;
  const BeatSpan span = beat_span(request.a, answer.beat, config_.data_bytes);
  std::memset(out_.r.data, 0, config_.data_bytes);
  for (unsigned i = 0; i < span.count; ++i, ++k) {
    for (const AxiRequest::Piece& piece : request.pieces) {
      if (k >= piece.stream_offset && k < piece.stream_offset + piece.data.size()) {
        out_.r.data[span.lane + i] = piece.data[k - piece.stream_offset];
      }
    }
  }
  out_.r.id = request.a.id;
  out_.r.resp = answer.resp;
  out_.r.last = answer.beat + 1 == beats_of(request.a, config_.lite);
}

void AxiSubordinateEngine::edge(const Inputs& in) {
  out_.b_changed = out_.r_changed = false;
  if (in.awvalid && out_.awready) {
    aw_waiting_.push_back(in.aw);
    ++writes_open_;
  }
  if (in.wvalid && out_.wready) {
    AxiData beat;
    std::memcpy(beat.data, in.wdata, config_.data_bytes);
    beat.strb = in.wstrb;
    beat.last = in.wlast;
    w_waiting_.push_back(beat);
  }
  collect_write();
  if (in.arvalid && out_.arready) {
    to_tlm_.push_back(make_request(false, in.ar));
    ++reads_open_;
  }
  if (out_.bvalid && in.bready) {
    b_answers_.pop_front();
    --writes_open_;
    out_.bvalid = false;
  }
  if (out_.rvalid && in.rready) {
    Answer& answer = r_answers_.front();
    answer.stream_pos += beat_span(answer.request->a, answer.beat, config_.data_bytes).count;
    if (++answer.beat == beats_of(answer.request->a, config_.lite)) {
      r_answers_.pop_front();
      --reads_open_;
    }
    out_.rvalid = false;
  }

  if (!out_.bvalid && !b_answers_.empty()) {
    out_.bvalid = true;
    out_.bid = b_answers_.front().request->a.id;
    out_.bresp = b_answers_.front().resp;
    out_.b_changed = true;
  }
  if (!out_.rvalid && !r_answers_.empty()) {
    load_r_beat();
    out_.rvalid = true;
    out_.r_changed = true;
  }
  out_.awready = writes_open_ < config_.max_outstanding;
  out_.arready = reads_open_ < config_.max_outstanding;
  out_.wready = w_waiting_.size() < kWriteBeatRoom;
}

bool AxiSubordinateEngine::idle() const noexcept {
  return !out_.bvalid && !out_.rvalid && b_answers_.empty() && r_answers_.empty();
}

void AxiSubordinateEngine::reset() {
  aw_waiting_.clear();
  w_waiting_.clear();
  to_tlm_.clear();
  b_answers_.clear();
  r_answers_.clear();
  writes_open_ = reads_open_ = 0;
  ++generation_;
  out_ = Outputs{};
}

}  // namespace tlmmap::adapters

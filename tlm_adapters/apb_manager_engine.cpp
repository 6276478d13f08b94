#include "tlmmap/adapters/apb_manager_engine.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tlmmap::adapters {

namespace {

bool byte_enabled(const tlm::tlm_generic_payload& gp, uint64_t offset) {
  const unsigned char* be = gp.get_byte_enable_ptr();
  return be == nullptr || be[offset % gp.get_byte_enable_length()] != TLM_BYTE_DISABLED;
}

// The address of payload byte `offset` (streaming repeats the window).
uint64_t address_of(const tlm::tlm_generic_payload& gp, uint64_t offset) {
  return gp.get_address() + offset % gp.get_streaming_width();
}

}  // namespace

ApbManagerEngine::ApbManagerEngine(Config config) : config_(std::move(config)) {}

bool ApbManagerEngine::submit(Job& job) {
  const tlm::tlm_generic_payload& gp = *job.gp;
  if (gp.get_data_length() == 0 || gp.get_data_ptr() == nullptr || gp.get_streaming_width() == 0 ||
      (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0) ||
      !(gp.is_read() || gp.is_write())) {
    return false;
  }
  job.status = tlm::TLM_OK_RESPONSE;
  job.started = false;
  jobs_.push_back(&job);
  return true;
}

// The access holding payload byte `offset_`: up to the end of its aligned
// word, of its streaming window and of the data.
ApbManagerEngine::Access ApbManagerEngine::current() const {
  const tlm::tlm_generic_payload& gp = *jobs_.front()->gp;
  const uint64_t bus = config_.data_bytes;
  Access a;
  a.addr = address_of(gp, offset_);
  a.word = a.addr & ~(bus - 1);
  const uint64_t window_left = gp.get_streaming_width() - offset_ % gp.get_streaming_width();
  a.count = std::min({a.word + bus - a.addr, window_left, uint64_t{gp.get_data_length()} - offset_});
  return a;
}

void ApbManagerEngine::setup_next() {
  Job& job = *jobs_.front();
  const tlm::tlm_generic_payload& gp = *job.gp;
  const uint64_t bus = config_.data_bytes;
  const auto [addr, word, count] = current();
  out_.psel = true;
  out_.penable = false;
  out_.pwrite = gp.is_write();
  out_.paddr = word;
  out_.pprot = prot_of(gp);
  std::memset(out_.pwdata, 0, bus);
  out_.pstrb = 0;
  if (gp.is_write()) {
    for (uint64_t i = 0; i < count; ++i) {
      if (!byte_enabled(gp, offset_ + i)) continue;
      const unsigned lane = static_cast<unsigned>(addr - word + i);
      out_.pwdata[lane] = gp.get_data_ptr()[offset_ + i];
      out_.pstrb |= uint64_t{1} << lane;
    }
  }
  out_.changed = true;
  job.started = true;
}

void ApbManagerEngine::edge(const Inputs& in) {
  out_.changed = false;
  Job* done = nullptr;
  if (out_.psel && !out_.penable) {
    out_.penable = true;  // setup -> access
    // The last access of a job has begun: the RTL has its request.
    Job& job = *jobs_.front();
    if (offset_ + current().count >= job.gp->get_data_length()) job.owner->job_accepted(job);
  } else if (in_access() && in.pready) {
    Job& job = *jobs_.front();
    tlm::tlm_generic_payload& gp = *job.gp;
    const auto [addr, word, count] = current();
    if (gp.is_read()) {
      for (uint64_t i = 0; i < count; ++i) {
        if (byte_enabled(gp, offset_ + i)) gp.get_data_ptr()[offset_ + i] = in.prdata[addr - word + i];
      }
    }
    if (in.pslverr) job.status = worse(job.status, tlm::TLM_GENERIC_ERROR_RESPONSE);
    offset_ += count;
    out_.psel = out_.penable = false;
    if (offset_ >= gp.get_data_length()) {
      jobs_.pop_front();
      offset_ = 0;
      done = &job;
    }
  }
  if (!out_.psel && !jobs_.empty()) setup_next();
  if (done != nullptr) {
    done->gp->set_response_status(done->status);
    done->owner->job_done(*done);
  }
}

void ApbManagerEngine::reset() {
  out_ = Outputs{};
  if (!jobs_.empty() && jobs_.front()->started) {
    Job& job = *jobs_.front();
    jobs_.pop_front();
    offset_ = 0;
    job.gp->set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    job.owner->job_done(job);
  }
}

}  // namespace tlmmap::adapters

#include "tlmmap/adapters/axi_manager_engine.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <utility>

#include <systemc>

namespace tlmmap::adapters {

namespace {

unsigned log2_of(uint64_t x) {
  unsigned n = 0;
  while ((uint64_t{1} << n) < x) ++n;
  return n;
}

bool byte_enabled(const tlm::tlm_generic_payload& gp, uint32_t offset) {
  const unsigned char* be = gp.get_byte_enable_ptr();
  return be == nullptr || be[offset % gp.get_byte_enable_length()] != TLM_BYTE_DISABLED;
}

}  // namespace

AxiManagerEngine::AxiManagerEngine(Config config) : config_(std::move(config)) {}

bool AxiManagerEngine::well_formed(const tlm::tlm_generic_payload& gp) const {
  if (gp.get_data_length() == 0 || gp.get_data_ptr() == nullptr || gp.get_streaming_width() == 0) return false;
  if (gp.get_byte_enable_ptr() != nullptr && gp.get_byte_enable_length() == 0) return false;
  return gp.is_read() || gp.is_write();
}

bool AxiManagerEngine::submit(Job& job) {
  tlm::tlm_generic_payload& gp = *job.gp;
  if (!well_formed(gp)) return false;
  job.status = tlm::TLM_OK_RESPONSE;
  job.exclusive_okay = true;
  job.started = false;

  AxiAddress proto;
  proto.id = config_.id_bits == 0 ? 0 : id_of(gp, config_.id_bits);
  proto.prot = prot_of(gp);
  if (const AmbaExtension* ext = gp.get_extension<AmbaExtension>()) {
    proto.lock = ext->exclusive;
    proto.cache = ext->cache;
    proto.qos = ext->qos;
  }
  const uint64_t addr = gp.get_address();
  const uint64_t length = gp.get_data_length();
  const uint64_t width = gp.get_streaming_width();
  std::vector<Burst*> made;
  if (width >= length) {
    add_run(job, proto, addr, length, 0, made);
  } else if (config_.max_beats > 1 && (width & (width - 1)) == 0 && width <= config_.data_bytes &&
             addr % width == 0 && length % width == 0) {
    add_fixed(job, proto, static_cast<unsigned>(width), static_cast<unsigned>(length / width), made);
  } else {
    for (uint64_t offset = 0; offset < length; offset += width) {
      add_run(job, proto, addr, std::min(width, length - offset), static_cast<uint32_t>(offset), made);
    }
  }
  job.parts_unaccepted = job.parts_open = static_cast<unsigned>(made.size());
  for (Burst* b : made) {
    if (b->write) {
      aw_queue_.push_back(b);
      w_queue_.push_back(b);
    } else {
      ar_queue_.push_back(b);
    }
  }
  bursts_issued_ += made.size();
  return true;
}

AxiManagerEngine::Burst& AxiManagerEngine::new_burst(Job& job, const AxiAddress& proto, std::vector<Burst*>& made) {
  bursts_.emplace_back();
  Burst& b = bursts_.back();
  b.self = std::prev(bursts_.end());
  b.job = &job;
  b.write = job.gp->is_write();
  b.a = proto;
  made.push_back(&b);
  return b;
}

void AxiManagerEngine::add_run(Job& job, const AxiAddress& proto, uint64_t addr, uint64_t length,
                               uint32_t data_offset, std::vector<Burst*>& made) {
  const uint64_t bus = config_.data_bytes;
  const uint64_t end = addr + length;
  if (end <= (addr & ~(bus - 1)) + bus) {
    // One beat: the smallest aligned container that holds it (a 32-bit
    // register access on a 64-bit bus is a 4-byte beat).
    Burst& b = new_burst(job, proto, made);
    unsigned size = 0;
    while ((addr >> size) != ((end - 1) >> size)) ++size;
    b.a.addr = addr;
    b.a.size = static_cast<uint8_t>(config_.max_beats == 1 ? log2_of(bus) : size);
    b.a.len = 0;
    b.beats.push_back(Beat{data_offset, static_cast<uint8_t>(addr % bus), static_cast<uint8_t>(length)});
    return;
  }
  for (uint64_t cur = addr; cur < end;) {
    const uint64_t base = cur & ~(bus - 1);
    const uint64_t limit = std::min({end, base + config_.max_beats * bus, (cur | 0xfff) + 1});
    const uint64_t beats = (limit - base + bus - 1) / bus;
    Burst& b = new_burst(job, proto, made);
    b.a.addr = cur;
    b.a.size = static_cast<uint8_t>(log2_of(bus));
    b.a.len = static_cast<uint8_t>(beats - 1);
    b.beats.reserve(beats);
    for (uint64_t n = 0; n < beats; ++n) {
      const uint64_t from = n == 0 ? cur : base + n * bus;
      const uint64_t to = std::min(base + (n + 1) * bus, limit);
      b.beats.push_back(Beat{static_cast<uint32_t>(data_offset + (from - addr)), static_cast<uint8_t>(from % bus),
                             static_cast<uint8_t>(to - from)});
    }
    cur = limit;
  }
}

void AxiManagerEngine::add_fixed(Job& job, const AxiAddress& proto, unsigned width, unsigned reps,
                                 std::vector<Burst*>& made) {
  const uint64_t addr = job.gp->get_address();
  for (unsigned first = 0; first < reps; first += 16) {
    const unsigned beats = std::min(16u, reps - first);
    Burst& b = new_burst(job, proto, made);
    b.a.addr = addr;
    b.a.size = static_cast<uint8_t>(log2_of(width));
    b.a.len = static_cast<uint8_t>(beats - 1);
    b.a.burst = AxiBurst::fixed;
    for (unsigned n = 0; n < beats; ++n) {
      b.beats.push_back(Beat{(first + n) * width, static_cast<uint8_t>(addr % config_.data_bytes),
                             static_cast<uint8_t>(width)});
    }
  }
}

void AxiManagerEngine::fill_write_beat(const Burst& b, AxiData& w) const {
  const Beat& beat = b.beats[b.next_beat];
  const tlm::tlm_generic_payload& gp = *b.job->gp;
  std::memset(w.data, 0, config_.data_bytes);
  w.strb = 0;
  for (unsigned i = 0; i < beat.count; ++i) {
    const uint32_t offset = beat.data_offset + i;
    if (!byte_enabled(gp, offset)) continue;
    w.data[beat.lane + i] = gp.get_data_ptr()[offset];
    w.strb |= uint64_t{1} << (beat.lane + i);
  }
  w.last = b.next_beat + 1 == b.beats.size();
}

void AxiManagerEngine::take_read_beat(Burst& b, const uint8_t* rdata) {
  const Beat& beat = b.beats[b.next_beat++];
  tlm::tlm_generic_payload& gp = *b.job->gp;
  for (unsigned i = 0; i < beat.count; ++i) {
    const uint32_t offset = beat.data_offset + i;
    if (byte_enabled(gp, offset)) gp.get_data_ptr()[offset] = rdata[beat.lane + i];
  }
}

AxiManagerEngine::Burst* AxiManagerEngine::oldest(std::unordered_map<uint32_t, std::deque<Burst*>>& by_id,
                                                  uint32_t id) {
  auto it = by_id.find(id);
  return it == by_id.end() || it->second.empty() ? nullptr : it->second.front();
}

void AxiManagerEngine::protocol_error(const std::string& what) const {
  SC_REPORT_ERROR(kAdapterMsg, (config_.name + ": " + what).c_str());
}

void AxiManagerEngine::finish_burst(Burst& b, AxiResp resp) {
  Job& job = *b.job;
  job.status = worse(job.status, to_tlm_status(resp));
  if (resp != AxiResp::exokay) job.exclusive_okay = false;
  bursts_.erase(b.self);
  if (--job.parts_open == 0) done_.push_back(&job);
}

void AxiManagerEngine::finish_job(Job& job) {
  tlm::tlm_generic_payload& gp = *job.gp;
  gp.set_response_status(job.status);
  if (AmbaExtension* ext = gp.get_extension<AmbaExtension>()) {
    ext->exclusive_okay = ext->exclusive && job.exclusive_okay && job.status == tlm::TLM_OK_RESPONSE;
  }
  job.owner->job_done(job);
}

void AxiManagerEngine::edge(const Inputs& in) {
  out_.aw_changed = out_.w_changed = out_.ar_changed = false;

  // The handshakes of this edge.
  if (out_.awvalid && in.awready) {
    Burst* b = aw_queue_.front();
    aw_queue_.pop_front();
    b->address_done = true;
    b->job->started = true;
    writes_out_[b->a.id].push_back(b);
    ++writes_outstanding_;
    if (--b->job->parts_unaccepted == 0) accepted_.push_back(b->job);
    out_.awvalid = false;
  }
  if (out_.wvalid && in.wready) {
    Burst* b = w_queue_.front();
    b->job->started = true;
    if (++b->next_beat == b->beats.size()) w_queue_.pop_front();
    out_.wvalid = false;
  }
  if (out_.arvalid && in.arready) {
    Burst* b = ar_queue_.front();
    ar_queue_.pop_front();
    b->address_done = true;
    b->job->started = true;
    reads_out_[b->a.id].push_back(b);
    ++reads_outstanding_;
    if (--b->job->parts_unaccepted == 0) accepted_.push_back(b->job);
    out_.arvalid = false;
  }
  if (in.bvalid && out_.bready) {
    Burst* b = oldest(writes_out_, in.bid);
    if (b == nullptr) {
      protocol_error("BVALID with BID " + std::to_string(in.bid) + ", but no write with that ID awaits a response");
    } else {
      if (b->next_beat < b->beats.size()) protocol_error("a write response before the last write beat");
      writes_out_[in.bid].pop_front();
      --writes_outstanding_;
      finish_burst(*b, in.bresp);
    }
  }
  if (in.rvalid && out_.rready) {
    Burst* b = oldest(reads_out_, in.rid);
    if (b == nullptr) {
      protocol_error("RVALID with RID " + std::to_string(in.rid) + ", but no read with that ID is outstanding");
    } else {
      take_read_beat(*b, in.rdata);
      if (in.rresp != AxiResp::exokay && (b->resp == AxiResp::exokay || in.rresp > b->resp)) b->resp = in.rresp;
      const bool last = b->next_beat == b->beats.size();
      if (in.rlast != last) {
        protocol_error(std::string("RLAST ") + (in.rlast ? "on beat " : "missing on beat ") +
                       std::to_string(b->next_beat) + " of a " + std::to_string(b->beats.size()) + "-beat read");
      }
      if (last) {
        reads_out_[in.rid].pop_front();
        --reads_outstanding_;
        finish_burst(*b, b->resp);
      }
    }
  }

  // What to drive until the next edge. A VALID, once high, stays high with
  // its payload until its handshake (the heads of the queues do not move).
  if (!out_.awvalid && !aw_queue_.empty() && writes_outstanding_ < config_.max_outstanding) {
    out_.awvalid = true;
    out_.aw = aw_queue_.front()->a;
    out_.aw_changed = true;
  }
  if (!out_.wvalid && !w_queue_.empty()) {
    Burst* b = w_queue_.front();
    if (b->address_done || (out_.awvalid && aw_queue_.front() == b)) {
      fill_write_beat(*b, out_.w);
      out_.wvalid = true;
      out_.w_changed = true;
    }
  }
  if (!out_.arvalid && !ar_queue_.empty() && reads_outstanding_ < config_.max_outstanding) {
    out_.arvalid = true;
    out_.ar = ar_queue_.front()->a;
    out_.ar_changed = true;
  }
  out_.bready = out_.rready = true;

  std::vector<Job*> accepted;
  std::vector<Job*> done;
  accepted.swap(accepted_);
  done.swap(done_);
  for (Job* job : accepted) job->owner->job_accepted(*job);
  for (Job* job : done) finish_job(*job);
}

bool AxiManagerEngine::idle() const noexcept { return bursts_.empty(); }

void AxiManagerEngine::reset() {
  std::unordered_set<Job*> failed;
  std::vector<Job*> failed_order;
  for (const Burst& b : bursts_) {
    if (b.job->started && failed.insert(b.job).second) failed_order.push_back(b.job);
  }
  auto keep = [&](Burst* b) { return failed.count(b->job) == 0; };
  auto filter = [&](std::deque<Burst*>& q) {
    std::deque<Burst*> kept;
    for (Burst* b : q) {
      if (keep(b)) kept.push_back(b);
    }
    q.swap(kept);
  };
  filter(aw_queue_);
  filter(w_queue_);
  filter(ar_queue_);
  writes_out_.clear();
  reads_out_.clear();
  writes_outstanding_ = reads_outstanding_ = 0;
  for (auto it = bursts_.begin(); it != bursts_.end();) {
    it = keep(&*it) ? std::next(it) : bursts_.erase(it);
  }
  out_ = Outputs{};
  for (Job* job : failed_order) {
    job->status = tlm::TLM_GENERIC_ERROR_RESPONSE;
    job->exclusive_okay = false;
    finish_job(*job);
  }
}

}  // namespace tlmmap::adapters

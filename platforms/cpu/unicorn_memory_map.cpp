#include "unicorn_memory_map.hpp"

#include <string>
#include <vector>

#include <systemc>

namespace tlmmap::detail {

const UnicornMemoryMap::Segment* UnicornMemoryMap::find(uint64_t address) const {
  auto it = segments_.upper_bound(address);
  if (it == segments_.begin()) return nullptr;
  --it;
  return address <= it->second.last ? &it->second : nullptr;
}

bool UnicornMemoryMap::unmap_host_meeting(uint64_t first, uint64_t last) {
  std::vector<std::pair<uint64_t, uint64_t>> hosts;
  for (const auto& [start, s] : segments_) {
    if (s.host != nullptr && s.start <= last && first <= s.last) hosts.emplace_back(s.start, s.last);
  }
  for (const auto& [start, end] : hosts) {
    uc_mem_unmap(uc_, start, end - start + 1);
    segments_.erase(start);
  }
  return !hosts.empty();
}

void UnicornMemoryMap::place(const Segment& segment) {
  std::vector<Segment> met;
  for (auto it = segments_.begin(); it != segments_.end();) {
    if (it->second.start <= segment.last && segment.start <= it->second.last) {
      met.push_back(it->second);
      uc_mem_unmap(uc_, it->second.start, it->second.last - it->second.start + 1);
      it = segments_.erase(it);
    } else {
      ++it;
    }
  }
  auto add = [&](Segment s) {
    Segment& placed = segments_[s.start] = s;
    map_in_unicorn(placed);
  };
  for (const Segment& old : met) {
    if (old.start < segment.start) {
      Segment left = old;
      left.last = segment.start - 1;
      add(left);
    }
    if (old.last > segment.last) {
      Segment right = old;
      right.start = segment.last + 1;
      if (right.host != nullptr) right.host += right.start - old.start;
      add(right);
    }
  }
  add(segment);
}

void UnicornMemoryMap::map_in_unicorn(Segment& s) {
  const uint64_t size = s.last - s.start + 1;
  const uc_err err = s.host != nullptr
                         ? uc_mem_map_ptr(uc_, s.start, size, s.writable ? UC_PROT_ALL : UC_PROT_READ | UC_PROT_EXEC,
                                          s.host)
                         : uc_mmio_map(uc_, s.start, size, &on_read, &s, &on_write, &s);
  if (err != UC_ERR_OK) {
    char range[64];
    std::snprintf(range, sizeof range, "[0x%llx, 0x%llx]", static_cast<unsigned long long>(s.start),
                  static_cast<unsigned long long>(s.last));
    const std::string message = std::string("cpu: Unicorn refused to map ") + range + ": " + uc_strerror(err);
    SC_REPORT_ERROR("tlmmap/cpu", message.c_str());
  }
}

uint64_t UnicornMemoryMap::on_read(uc_engine*, uint64_t offset, unsigned size, void* user) {
  auto* s = static_cast<Segment*>(user);
  return s->owner->read_(s->owner->context_, s->start + offset, size);
}

void UnicornMemoryMap::on_write(uc_engine*, uint64_t offset, unsigned size, uint64_t value, void* user) {
  auto* s = static_cast<Segment*>(user);
  s->owner->write_(s->owner->context_, s->start + offset, size, value);
}

}  // namespace tlmmap::detail

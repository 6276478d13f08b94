// Unicorn's view of the physical space, as page-aligned segments: host
// memory from DMI grants (uc_mem_map_ptr, read-only or read-write) and MMIO
// whose callbacks go to the CPU's transport, mapped page by page on first
// touch (Unicorn's map and unmap cost time per page, so the whole space is
// never mapped at once). Placing a segment replaces whatever it meets; the
// parts of old segments outside it stay mapped as they were.
#pragma once

#include <cstdint>
#include <map>

#include <unicorn/unicorn.h>

namespace tlmmap::detail {

class UnicornMemoryMap {
 public:
  struct Segment {
    uint64_t start = 0;
    uint64_t last = 0;
    uint8_t* host = nullptr;  // nullptr: MMIO
    bool writable = false;
    UnicornMemoryMap* owner = nullptr;
  };
  // Plain functions with a context (every MMIO access goes through them:
  // no std::function hop on that path).
  using Read = uint64_t (*)(void* context, uint64_t address, unsigned size);
  using Write = void (*)(void* context, uint64_t address, unsigned size, uint64_t value);

  static constexpr uint64_t kPage = 0x1000;

  UnicornMemoryMap(uc_engine* uc, void* context, Read read, Write write)
      : uc_(uc), context_(context), read_(read), write_(write) {}

  // [start, last] must be page-aligned (start and last + 1).
  void map_mmio(uint64_t start, uint64_t last) { place({start, last, nullptr, false, this}); }
  void map_host(uint64_t start, uint64_t last, uint8_t* host, bool writable) {
    place({start, last, host, writable, this});
  }
  // Unmaps every host segment meeting [first, last] (its pages become MMIO
  // again when touched); returns whether there was one.
  bool unmap_host_meeting(uint64_t first, uint64_t last);

  const Segment* find(uint64_t address) const;
  const std::map<uint64_t, Segment>& segments() const noexcept { return segments_; }

 private:
  void place(const Segment& segment);
  void map_in_unicorn(Segment& segment);
  static uint64_t on_read(uc_engine*, uint64_t offset, unsigned size, void* user);
  static void on_write(uc_engine*, uint64_t offset, unsigned size, uint64_t value, void* user);

  uc_engine* uc_;
  void* context_;
  Read read_;
  Write write_;
  std::map<uint64_t, Segment> segments_;  // by start; nodes stay put (callbacks hold them)
};

}  // namespace tlmmap::detail

#include "host_memory.hpp"

#include <sys/mman.h>

#include "tlmmap/core/report.hpp"

namespace tlmmap::detail {

HostMemory::~HostMemory() {
  uint8_t* p = data_.load();
  if (owned_ && p != nullptr) munmap(p, static_cast<std::size_t>(size_));
}

uint8_t* HostMemory::reserve(const std::string& owner) {
  void* block = MAP_FAILED;
  if (size_ > 0 && size_ <= u128(SIZE_MAX)) {
    block = mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  if (block == MAP_FAILED) {
    report(Severity::error, kMemoryMsg,
           "cannot reserve " + hex(size_) + " bytes of host memory for region '" + owner + "'");
    return nullptr;
  }
  uint8_t* expected = nullptr;
  if (!data_.compare_exchange_strong(expected, static_cast<uint8_t*>(block), std::memory_order_acq_rel)) {
    munmap(block, static_cast<std::size_t>(size_));  // another thread reserved it first
    return expected;
  }
  return static_cast<uint8_t*>(block);
}

}  // namespace tlmmap::detail

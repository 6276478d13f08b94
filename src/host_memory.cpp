#include "tlmmap/host_memory.hpp"

#include <sys/mman.h>

#include <string>

#include "report.hpp"

namespace tlmmap {

HostMemory::HostMemory(u128 size) : size_(size) {}

HostMemory::HostMemory(u128 size, uint8_t* external) : size_(size), data_(external), owned_(false) {}

HostMemory::~HostMemory() {
  if (owned_ && data_ != nullptr) munmap(data_, static_cast<std::size_t>(size_));
}

uint8_t* HostMemory::reserve(const char* owner) {
  void* block = MAP_FAILED;
  if (size_ > 0 && size_ <= u128(SIZE_MAX)) {
    block = mmap(nullptr, static_cast<std::size_t>(size_), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  }
  if (block == MAP_FAILED) {
    detail::report_error(detail::kMemoryMsg, "cannot reserve " + hex(size_) +
                                                 " bytes of host memory for region '" + owner + "'");
    return nullptr;
  }
  data_ = static_cast<uint8_t*>(block);
  return data_;
}

}  // namespace tlmmap

#include "host_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tlmmap/core/report.hpp"

namespace tlmmap::detail {

HostMemory::HostMemory(u128 size, const std::string& path, bool shared, const std::string& owner)
    : size_(size), from_file_(true) {
  const auto fail = [&](const std::string& what) {
    report(Severity::error, kMemoryMsg,
           "region '" + owner + "': cannot map file '" + path + "': " + what + ": " + std::strerror(errno));
  };
  if (size == 0 || size > u128(SIZE_MAX)) {
    errno = EINVAL;
    fail("size " + hex(size));
    return;
  }
  if (!shared) {
    // Private: the file's content is copied into anonymous memory; a short
    // (or read-only) image is fine, the rest reads as zero.
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      fail("open");
      return;
    }
    uint8_t* block = reserve(owner);
    for (std::size_t done = 0; block != nullptr && done < static_cast<std::size_t>(size);) {
      const ssize_t n = pread(fd, block + done, static_cast<std::size_t>(size) - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("read");
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    close(fd);
    return;
  }
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    fail("open");
    return;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || (u128(st.st_size) < size && ftruncate(fd, static_cast<off_t>(size)) != 0)) {
    fail("size it to " + hex(size));
    close(fd);
    return;
  }
  void* block = mmap(nullptr, static_cast<std::size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);  // the mapping keeps the file
  if (block == MAP_FAILED) {
    fail("mmap");
    return;
  }
  data_.store(static_cast<uint8_t*>(block));
}

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
  anonymous_.store(true);
  uint8_t* expected = nullptr;
  if (!data_.compare_exchange_strong(expected, static_cast<uint8_t*>(block), std::memory_order_acq_rel)) {
    munmap(block, static_cast<std::size_t>(size_));  // another thread reserved it first
    return expected;
  }
  return static_cast<uint8_t*>(block);
}

}  // namespace tlmmap::detail

#include "host_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tlmmap/core/report.hpp"

namespace tlmmap::detail {

namespace {

// Opens `path` for a shared mapping of `size` bytes (made or grown to it); -1 if it cannot be.
int open_shared(const std::string& path, u128 size, std::string& failed) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    failed = "open";
    return -1;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || (u128(st.st_size) < size && ftruncate(fd, static_cast<off_t>(size)) != 0)) {
    failed = "size it to " + hex(size);
    close(fd);
    return -1;
  }
  return fd;
}

// Copies the file's content (a short or read-only image is fine) into `block`.
bool read_image(const std::string& path, uint8_t* block, std::size_t size, std::string& failed) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    failed = "open";
    return false;
  }
  bool ok = true;
  for (std::size_t done = 0; done < size;) {
    const ssize_t n = pread(fd, block + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failed = "read";
      ok = false;
    }
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  close(fd);
  return ok;
}

}  // namespace

HostMemory::HostMemory(u128 size, const std::string& path, bool shared, const std::string& owner)
    : size_(size), from_file_(true) {
  std::string failed;
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
    uint8_t* block = reserve(owner);
    if (block != nullptr && !read_image(path, block, static_cast<std::size_t>(size), failed)) fail(failed);
    return;
  }
  const int fd = open_shared(path, size, failed);
  if (fd < 0) {
    fail(failed);
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

bool HostMemory::back_with_file(const std::string& path, bool shared, const std::string& owner) {
  std::string failed;
  const auto fail = [&](const std::string& what) {
    report(Severity::error, kMemoryMsg,
           "region '" + owner + "': cannot back it with file '" + path + "': " + what);
    return false;
  };
  if (!owned_ || from_file_) return fail("its memory is caller-owned or already a file's");
  uint8_t* block = data(owner);
  if (block == nullptr) return false;
  if (!shared) {
    return read_image(path, block, static_cast<std::size_t>(size_), failed) ||
           fail(failed + ": " + std::strerror(errno));
  }
  const int fd = open_shared(path, size_, failed);
  if (fd < 0) return fail(failed + ": " + std::strerror(errno));
  // Over the anonymous block, at its address: whoever holds it sees the file.
  void* mapped = mmap(block, static_cast<std::size_t>(size_), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) return fail(std::string("mmap: ") + std::strerror(errno));
  from_file_ = true;
  anonymous_.store(false);
  return true;
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

// Settings of the randomized tests: counts and seeds from the environment,
// smaller runs under the sanitizers.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace tlmmap::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif

// The number in environment variable `name` (decimal or 0x hex), or `fallback`.
inline uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  return std::strtoull(text, nullptr, 0);
}

}  // namespace tlmmap::test

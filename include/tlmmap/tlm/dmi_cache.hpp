// The initiator side of DMI: the regions granted so far, the ranges where
// DMI was denied (so they are not asked again), and their invalidation.
#pragma once

#include <cstdint>
#include <vector>

#include <tlm>

namespace tlmmap {

class DmiCache {
 public:
  // A granted region covering [address, address + length) with the access
  // needed, or nullptr.
  const tlm::tlm_dmi* find(uint64_t address, unsigned length, bool is_write) {
    const uint64_t last = address + (length - 1);
    if (last_ < grants_.size() && covers(grants_[last_], address, last, is_write)) return &grants_[last_];
    for (std::size_t i = 0; i < grants_.size(); ++i) {
      if (covers(grants_[i], address, last, is_write)) {
        last_ = i;
        return &grants_[i];
      }
    }
    return nullptr;
  }

  // Was DMI denied for this address (and not invalidated since)?
  bool denied(uint64_t address) const {
    for (const auto& d : denials_) {
      if (d.first <= address && address <= d.second) return true;
    }
    return false;
  }

  // Records the answer to a get_direct_mem_ptr() call for `address`.
  void record(uint64_t address, bool granted, const tlm::tlm_dmi& dmi) {
    if (granted && dmi.get_dmi_ptr() != nullptr && !dmi.is_none_allowed()) {
      grants_.push_back(dmi);
    } else {
      // An answer that does not cover the address denies just the address.
      const bool covers_address = dmi.get_start_address() <= address && address <= dmi.get_end_address();
      denials_.emplace_back(covers_address ? dmi.get_start_address() : address,
                            covers_address ? dmi.get_end_address() : address);
    }
  }

  // invalidate_direct_mem_ptr(): drops every grant and denial that meets [start, end].
  void invalidate(uint64_t start, uint64_t end) {
    ++invalidations_;
    auto meets = [&](uint64_t s, uint64_t e) { return s <= end && start <= e; };
    std::vector<tlm::tlm_dmi> kept;
    for (const auto& g : grants_) {
      if (!meets(g.get_start_address(), g.get_end_address())) kept.push_back(g);
    }
    grants_.swap(kept);
    std::vector<std::pair<uint64_t, uint64_t>> kept_denials;
    for (const auto& d : denials_) {
      if (!meets(d.first, d.second)) kept_denials.push_back(d);
    }
    denials_.swap(kept_denials);
    last_ = ~std::size_t(0);
  }

  void clear() {
    grants_.clear();
    denials_.clear();
    last_ = ~std::size_t(0);
  }

  const std::vector<tlm::tlm_dmi>& grants() const noexcept { return grants_; }
  uint64_t invalidations() const noexcept { return invalidations_; }

 private:
  static bool covers(const tlm::tlm_dmi& d, uint64_t first, uint64_t last, bool is_write) {
    return d.get_start_address() <= first && last <= d.get_end_address() && last >= first &&
           (is_write ? d.is_write_allowed() : d.is_read_allowed());
  }

  std::vector<tlm::tlm_dmi> grants_;
  std::vector<std::pair<uint64_t, uint64_t>> denials_;
  std::size_t last_ = ~std::size_t(0);
  uint64_t invalidations_ = 0;
};

}  // namespace tlmmap

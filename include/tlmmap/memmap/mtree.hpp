// QEMU 7.2's `info mtree` text: the region trees of the address spaces
// (`info mtree`, `info mtree -D`) and their flat views (`info mtree -f`),
// line for line as QEMU prints them for the same map.
//
// QEMU takes the order of address-space groups and flat-view blocks from a
// hash table; tlmmap prints them in the order of the first address space of
// each group (creation order), so the output is deterministic.
#pragma once

#include <string>
#include <vector>

#include "tlmmap/core/address_space.hpp"

namespace tlmmap {

struct MtreeOptions {
  bool flat_view = false;      // `info mtree -f`
  bool show_disabled = false;  // `info mtree -D`: print disabled regions too
};

// For the given address spaces, in their order.
std::string mtree_text(const std::vector<AddressSpace*>& spaces, const MtreeOptions& options = {});
// For every live address space, in creation order: what QEMU's monitor
// command shows.
std::string info_mtree(const MtreeOptions& options = {});

}  // namespace tlmmap

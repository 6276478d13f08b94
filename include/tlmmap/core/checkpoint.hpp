// Checkpoints: the contents of every memory region (RAM, ROM, ROM devices)
// and the map's state (enabled, addresses, alias offsets, read-only,
// non-volatile, romd mode, used lengths, dirty bitmaps), saved to a file and
// restored into the same map, at any point of a running simulation.
//
// Regions are known by their path: names from the top of their container
// tree down ("system/pci/vga"; "#2" marks the second sibling of a name,
// siblings taken in name order). A restore into a map of another shape (a
// region missing or added, another kind, another size) is refused whole,
// naming the first difference. Memory pages that were never written (or
// hold only zeros) are not saved.
#pragma once

#include <string>

namespace tlmmap {

// Every region reached from a live address space, and every live memory
// region. Reports (kCheckpointMsg) a file that cannot be written.
void save_checkpoint(const std::string& path);
// Reports, and changes nothing, when the file cannot be read, is not a
// checkpoint, or was saved from a map of another shape. The map's changes
// are one transaction: listeners and DMI holders hear of them at its commit.
void restore_checkpoint(const std::string& path);

}  // namespace tlmmap

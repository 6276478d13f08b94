// Loads a memory map from a memmap v1 document (docs/memmap-format.md):
// JSON, or YAML of the same structure for *.yaml / *.yml files.
//
// The map is built through the same public API a C++ user calls, in the
// order the file lists things, inside one transaction. Bad input is refused
// whole: an SC_REPORT_ERROR (message type "tlmmap/memmap") names the file and
// the entry, nothing stays built, and the functions return nullptr when the
// report handler does not throw.
#pragma once

#include <memory>
#include <string>

#include "tlmmap/core/memory_map.hpp"

namespace tlmmap {

std::unique_ptr<MemoryMap> load_memmap_file(const std::string& path);
// `origin` names the document in messages.
std::unique_ptr<MemoryMap> load_memmap_json(const std::string& text, const std::string& origin = "memmap");
std::unique_ptr<MemoryMap> load_memmap_yaml(const std::string& text, const std::string& origin = "memmap");

}  // namespace tlmmap

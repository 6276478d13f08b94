// A mirror is an alias that (through any chain of aliases) shows a container
// holding the alias itself. Rendering recurses into it with the window
// shifted by the mirror's offset; at zero shift it would recurse forever.
#pragma once

#include <string>

#include "region_node.hpp"

namespace tlmmap::detail {

// A description of the first zero-shift mirror found among the aliases in
// `top` and below it (containers followed down, alias targets not), or "".
std::string find_zero_shift_mirror(const RegionNode& top);

}  // namespace tlmmap::detail

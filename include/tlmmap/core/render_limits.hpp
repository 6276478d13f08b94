// Limits of a render. They are only reached by a mirror alias that recurses
// too long or a hostile map; the render then stops there and reports it.
#pragma once

#include <cstddef>

namespace tlmmap {

// Nesting (containers and alias hops) deeper than this stops the render.
inline constexpr int kMaxRenderDepth = 256;
// Regions visited in one render; bounds the work of mirrors that branch.
inline constexpr std::size_t kMaxRenderVisits = 50'000'000;

}  // namespace tlmmap

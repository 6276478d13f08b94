// Library-internal: deferred reclamation of destroyed regions.
//
// A flat view names nodes, and a view may outlive the regions it names (a
// transaction still shows the view of before it, a Section or a reader on
// another thread holds one). A node whose handle died is kept by the epoch
// that is current when it dies: every view made until then holds that epoch
// (or an older one), and each epoch holds the next, so the node goes when
// the last view that may name it goes. The first view made after a node
// died starts a new epoch, so views made later never keep it.
#pragma once

#include <memory>
#include <vector>

#include "region_node.hpp"

namespace tlmmap::detail {

// Only the map makes flat views.
struct ViewKey {};

class Epoch {
 public:
  Epoch() = default;
  Epoch(const Epoch&) = delete;
  Epoch& operator=(const Epoch&) = delete;
  // Iterative: a long chain of epochs that nothing else holds goes without recursion.
  ~Epoch();

  void keep(std::unique_ptr<RegionNode> orphan) { orphans_.push_back(std::move(orphan)); }
  bool keeps_orphans() const noexcept { return !orphans_.empty(); }
  void set_next(std::shared_ptr<Epoch> next) { next_ = std::move(next); }

 private:
  std::vector<std::unique_ptr<RegionNode>> orphans_;
  std::shared_ptr<Epoch> next_;
};

}  // namespace tlmmap::detail

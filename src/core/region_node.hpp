// Library-internal: the state of a region. A Region object (the handle the
// user owns) holds one; the map's graph, the renderer and the flat views work
// on nodes only. When the handle dies the node is unlinked from the graph and
// handed to the map's deferred reclamation (map_state.hpp): it lives on, with
// its host memory, until no flat view that may name it is left.
//
// The kinds differ by behaviour (virtual functions below), never by switches
// on RegionKind: the graph code only asks structural questions (is it an
// alias, does it terminate).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "host_memory.hpp"
#include "tlmmap/core/access.hpp"
#include "tlmmap/core/device_port.hpp"
#include "tlmmap/core/dirty_memory.hpp"
#include "tlmmap/core/event_notifier.hpp"
#include "tlmmap/core/flat_range.hpp"
#include "tlmmap/core/flat_view.hpp"
#include "tlmmap/core/mem_tx_result.hpp"
#include "tlmmap/core/mmio_ops.hpp"
#include "tlmmap/core/ram_backing.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/region.hpp"
#include "tlmmap/core/route.hpp"

namespace tlmmap {
class AddressSpace;
}

namespace tlmmap::detail {

class SpaceNode;

// TLM-style byte enables: byte i of an access moves when
// pattern[(index + i) % length] is non-zero; all bytes without a pattern.
struct ByteEnables {
  const uint8_t* pattern = nullptr;
  unsigned length = 0;
  unsigned index = 0;

  bool on(uint64_t i) const noexcept { return pattern == nullptr || pattern[(index + i) % length] != 0; }
  ByteEnables from(uint64_t i) const noexcept {
    return pattern == nullptr ? *this : ByteEnables{pattern, length, static_cast<unsigned>((index + i) % length)};
  }
  // Calls f(first, count) for each run of enabled bytes among `n`.
  template <typename F>
  void for_each_run(uint64_t n, F&& f) const {
    if (pattern == nullptr) {
      f(uint64_t(0), n);
      return;
    }
    uint64_t i = 0;
    while (i < n) {
      if (!on(i)) {
        ++i;
        continue;
      }
      uint64_t run = 1;
      while (i + run < n && on(i + run)) ++run;
      f(i, run);
      i += run;
    }
  }
};

// One piece of an access, inside one flat range: what a region kind needs
// to perform it.
struct Piece {
  const FlatRange& range;
  const SpaceNode& space;
  uint64_t address;  // in the address space
  uint64_t offset;   // in the region
  uint8_t* data;
  uint64_t length;
  bool is_write;
  bool single;  // one whole access as a CPU makes it
  ByteEnables enables;
  const MemTxAttrs& attrs;
  Duration& latency;

  template <typename F>
  void for_each_enabled_run(F&& f) const {
    enables.for_each_run(length, std::forward<F>(f));
  }
  // "read of 4 bytes at 0x1000 in address space 'memory'"
  std::string describe() const;
};

class RegionNode {
 public:
  RegionNode(std::string name, RegionKind kind, u128 size);
  virtual ~RegionNode() = default;
  RegionNode(const RegionNode&) = delete;
  RegionNode& operator=(const RegionNode&) = delete;

  // --- behaviour ---------------------------------------------------------

  // QEMU's memory_region_type() of this region itself (aliases show their
  // target's: see Region::type_name()).
  virtual std::string_view own_type_name() const noexcept { return "i/o"; }
  // What accesses through `range` of this region do (route.hpp).
  virtual Route route(const FlatRange& /*range*/, bool /*is_write*/) const noexcept { return model_route(false); }
  // Performs one piece of an access on the model's path.
  virtual MemTxResult access(const Piece& piece);
  // A debug access: no side effects. Returns the bytes moved.
  virtual uint64_t debug_access(uint64_t /*offset*/, uint8_t* /*data*/, uint64_t /*length*/, bool /*is_write*/) {
    return 0;
  }
  // The handle died: forget everything that belonged to it (callbacks, ports).
  virtual void orphan() {}
  // Accesses through it reach an external device (a DevicePort).
  virtual bool reaches_device() const noexcept { return false; }
  // The dirty bitmaps of a region backed by host memory (made on the first
  // call with `make`), nullptr for other kinds.
  virtual DirtyBitmaps* dirty_bitmaps(bool /*make*/) { return nullptr; }
  // Host memory (reserved on the first call), nullptr for kinds without.
  virtual uint8_t* host_memory() { return nullptr; }
  // The host memory behind it (RAM, ROM, ROM devices), nullptr for other kinds.
  virtual HostMemory* memory_block() noexcept { return nullptr; }
  // Bytes of host memory behind it (what set_size() may grow to).
  virtual u128 memory_capacity() const noexcept { return size; }
  bool has_host_memory() const noexcept { return kind == RegionKind::ram || kind == RegionKind::rom || kind == RegionKind::rom_device; }
  // QEMU's memory_region_get_dirty_log_mask(): the clients logging it.
  uint8_t dirty_log_mask(bool global_tracking) const noexcept {
    uint8_t mask = 0;
    for (unsigned c = 0; c < kDirtyClientCount; ++c) {
      if (log_counts[c] > 0) mask |= static_cast<uint8_t>(1u << c);
    }
    if (global_tracking && migratable) mask |= dirty_bit(DirtyClient::migration);
    return mask;
  }
  // Coalesced MMIO ranges (offsets in the region) and QEMU's
  // flush_coalesced_mmio flag; MMIO regions only.
  struct Span {
    uint64_t offset;
    u128 size;
  };
  std::vector<Span> coalesced;
  bool flush_coalesced = false;
  // ioeventfds: writes of `size` bytes at `offset` (and `data` when
  // `match_data`) notify instead of calling the write callback.
  struct Ioeventfd {
    uint64_t offset;
    unsigned size;
    bool match_data;
    uint64_t data;
    EventNotifier* notifier;
    bool operator==(const Ioeventfd& o) const noexcept {
      return offset == o.offset && size == o.size && match_data == o.match_data && (!match_data || data == o.data) &&
             notifier == o.notifier;
    }
  };
  std::vector<Ioeventfd> ioeventfds;
  bool orphaned() const noexcept { return handle.load(std::memory_order_relaxed) == nullptr; }

  Duration latency(bool is_write) const noexcept {
    return Duration((is_write ? write_latency_ps : read_latency_ps).load(std::memory_order_relaxed));
  }

  // --- the graph (the map's thread only) -----------------------------------
  // What every render reads comes first, in one cache line for all but
  // aliases (whose target follows in the next): rendering large maps is
  // bound by the cache misses on nodes.
  RegionKind kind;
  bool enabled = true;
  bool readonly = false;
  bool nonvolatile = false;
  bool romd_mode = true;
  bool may_overlap = false;
  bool is_alias;
  bool terminates;  // every kind but container and alias
  u128 size;
  uint64_t address = 0;
  // Ascending priority, equal priorities in add order: the reverse of the
  // render order, so that the common case (an add at priority 0) appends.
  std::vector<RegionNode*> subregions;
  RegionNode* alias_target = nullptr;  // aliases only
  uint64_t alias_offset = 0;
  int priority = 0;
  // Bumped by a change of configuration (latency, ops): flat ranges carry it,
  // so a view rendered after such a change differs where the region shows.
  uint32_t version = 0;
  RegionNode* container = nullptr;
  std::string name;
  std::vector<RegionNode*> aliases;  // aliases whose target this is
  std::vector<SpaceNode*> rooted_spaces;
  uint64_t add_sequence = 0;
  // Scratch stamp for graph walks (MapState::next_walk_stamp()).
  mutable uint64_t walk_stamp = 0;
  std::atomic<int64_t> read_latency_ps{0};
  std::atomic<int64_t> write_latency_ps{0};
  // The user's object; nullptr once it has been destroyed.
  std::atomic<Region*> handle{nullptr};
  // set_log() counts per dirty-log client.
  uint16_t log_counts[kDirtyClientCount] = {};
  // Global dirty tracking logs it (RAM, ROM devices).
  bool migratable = false;

 protected:
  // Names of memory regions are unique among live ones (QEMU's RAM block
  // ids): migration and checkpoints find memory by name.
  void claim_name();
  void release_name() noexcept;
  bool named_ = false;

 public:

 protected:
  Route model_route(bool is_write) const noexcept { return Route{RouteKind::model, nullptr, nullptr, latency(is_write)}; }
};

// RAM and ROM: host memory.
class RamNode : public RegionNode {
 public:
  RamNode(std::string name, RegionKind kind, u128 size) : RegionNode(std::move(name), kind, size), memory_(this->size) { claim_name(); }
  RamNode(std::string name, u128 size, uint8_t* host)
      : RegionNode(std::move(name), RegionKind::ram, size), memory_(this->size, host) { claim_name(); }
  RamNode(std::string name, RegionKind kind, u128 size, const RamFile& file)
      : RegionNode(std::move(name), kind, size), memory_(this->size, file.path, file.shared, this->name) { claim_name(); }
  // Resizeable: host memory for `max`, the region `used` long.
  RamNode(std::string name, const ResizeableRam& r)
      : RegionNode(std::move(name), RegionKind::ram, r.used), max_size(r.max), resized(r.resized), memory_(r.max) { claim_name(); }

  std::string_view own_type_name() const noexcept override { return readonly ? "rom" : "ram"; }
  Route route(const FlatRange& range, bool is_write) const noexcept override;
  MemTxResult access(const Piece& piece) override;
  uint64_t debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;
  uint8_t* host() { return memory_.data(name); }
  uint8_t* host_memory() override { return host(); }
  bool reserved() const noexcept { return memory_.reserved(); }
  DirtyBitmaps* dirty_bitmaps(bool make) override {
    if (!dirty_ && make) dirty_ = std::make_unique<DirtyBitmaps>(memory_.size());
    return dirty_.get();
  }
  u128 memory_capacity() const noexcept override { return memory_.size(); }
  HostMemory* memory_block() noexcept override { return &memory_; }
  void orphan() override { release_name(); }

  u128 max_size = 0;  // resizeable only
  std::function<void(RamRegion&, u128)> resized;

 private:
  HostMemory memory_;
  std::unique_ptr<DirtyBitmaps> dirty_;
};

// MMIO: callbacks (QEMU's MemoryRegionOps) or a DevicePort.
class MmioNode : public RegionNode {
 public:
  MmioNode(std::string name, u128 size, MmioOps ops, RegionKind kind = RegionKind::mmio);
  MmioNode(std::string name, u128 size, DevicePort& port);

  Route route(const FlatRange& range, bool is_write) const noexcept override;
  MemTxResult access(const Piece& piece) override;
  uint64_t debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;
  void orphan() override;
  bool reaches_device() const noexcept override { return port_ != nullptr; }

  const MmioOps& ops() const noexcept { return *ops_; }
  void set_ops(MmioOps ops);
  MemTxResult dispatch_read(uint64_t offset, uint64_t& value, unsigned size, const MemTxAttrs& attrs);
  MemTxResult dispatch_write(uint64_t offset, uint64_t value, unsigned size, const MemTxAttrs& attrs);
  bool access_valid(uint64_t offset, unsigned size, bool is_write, const MemTxAttrs& attrs) const;
  unsigned buffer_access_size(uint64_t offset, uint64_t remaining) const;
  // A buffered coalesced write goes out (through the normal write path).
  void deliver_coalesced(uint64_t offset, const uint8_t* data, unsigned size, const MemTxAttrs& attrs);

 private:
  // Does a write of `length` bytes at `offset` lie wholly in a coalesced range?
  bool coalesces(uint64_t offset, uint64_t length) const noexcept;
  // Callbacks run while this is non-zero; ops replaced meanwhile live until it drops.
  struct DispatchScope;
  MemTxResult transfer(uint64_t offset, uint8_t* data, uint64_t length, bool is_write, const MemTxAttrs& attrs);

  std::unique_ptr<MmioOps> ops_;
  std::vector<std::unique_ptr<MmioOps>> retired_ops_;
  unsigned dispatch_depth_ = 0;
  DevicePort* port_ = nullptr;
};

// ROM device: host memory read directly in romd mode, callbacks otherwise.
class RomDeviceNode : public MmioNode {
 public:
  RomDeviceNode(std::string name, u128 size, MmioOps ops)
      : MmioNode(std::move(name), size, std::move(ops), RegionKind::rom_device), memory_(this->size) { claim_name(); }

  std::string_view own_type_name() const noexcept override { return romd_mode ? "romd" : "i/o"; }
  Route route(const FlatRange& range, bool is_write) const noexcept override;
  MemTxResult access(const Piece& piece) override;
  uint64_t debug_access(uint64_t offset, uint8_t* data, uint64_t length, bool is_write) override;
  uint8_t* host() { return memory_.data(name); }
  bool back_with_file(const RamFile& file) { return memory_.back_with_file(file.path, file.shared, name); }
  uint8_t* host_memory() override { return host(); }
  DirtyBitmaps* dirty_bitmaps(bool make) override {
    if (!dirty_ && make) dirty_ = std::make_unique<DirtyBitmaps>(memory_.size());
    return dirty_.get();
  }
  u128 memory_capacity() const noexcept override { return memory_.size(); }
  HostMemory* memory_block() noexcept override { return &memory_; }
  void orphan() override {
    MmioNode::orphan();
    release_name();
  }

 private:
  HostMemory memory_;
  std::unique_ptr<DirtyBitmaps> dirty_;
};

// Reservations: every access is reported and refused.
class RefusingNode : public RegionNode {
 public:
  RefusingNode(std::string name, RegionKind kind, u128 size, std::string label, std::string why)
      : RegionNode(std::move(name), kind, size), label_(std::move(label)), why_(std::move(why)) {}
  MemTxResult access(const Piece& piece) override;

 private:
  std::string label_;  // how the report names the kind
  std::string why_;  // ", which ..." after the region's name in the report
};

// Internal access to the state behind public objects.
struct NodeAccess {
  static RegionNode& of(const Region& r) noexcept { return *r.node_; }
  static RegionNode*& slot(Region& r) noexcept { return r.node_; }
  static const RegionNode* of(const FlatRange& r) noexcept { return r.node_; }
  static void set(FlatRange& r, const RegionNode* node, uint32_t version) noexcept {
    r.node_ = node;
    r.version_ = version;
  }
  static const RegionNode* root_of(const FlatView& v) noexcept { return v.root_; }
  static SpaceNode& of(const AddressSpace& s) noexcept;
  static const std::shared_ptr<SpaceNode>& shared(const AddressSpace& s) noexcept;
};

// The user's object of a node, or nullptr.
inline Region* handle_of(const RegionNode* node) noexcept {
  return node != nullptr ? node->handle.load(std::memory_order_relaxed) : nullptr;
}

}  // namespace tlmmap::detail

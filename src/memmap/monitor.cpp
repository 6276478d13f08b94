#include "tlmmap/memmap/monitor.hpp"

#include <algorithm>
#include <istream>
#include <list>
#include <ostream>
#include <sstream>

#include "monitor_memory.hpp"
#include "monitor_syntax.hpp"
#include "monitor_trace.hpp"
#include "tlmmap/core/alias_region.hpp"
#include "tlmmap/core/checkpoint.hpp"
#include "tlmmap/core/coalesced_mmio.hpp"
#include "tlmmap/core/iommu_region.hpp"
#include "tlmmap/core/memory_listener.hpp"
#include "tlmmap/core/mmio_region.hpp"
#include "tlmmap/core/ram_region.hpp"
#include "tlmmap/core/report.hpp"
#include "tlmmap/core/rom_device_region.hpp"
#include "tlmmap/core/transaction.hpp"
#include "tlmmap/memmap/loaded_regions.hpp"
#include "tlmmap/memmap/mtree.hpp"

namespace tlmmap {

using detail::CommandError;
using detail::quote;
using Args = std::vector<std::string>;

class Monitor::Impl {
 public:
  Impl(MemoryMap& map, std::ostream& out, MonitorOptions options)
      : map_(map), out_(out), options_(options), trace_(out) {
    const auto spaces = map_.address_spaces();
    if (!spaces.empty()) space_ = spaces.front();
  }
  ~Impl();

  bool execute(const std::string& line);
  int run(std::istream& in);
  void close_transactions();

  std::size_t errors = 0;
  bool quit = false;

 private:
  struct Command {
    const char* name;
    std::size_t min_args;
    std::size_t max_args;  // SIZE_MAX: any number
    const char* usage;
    const char* summary;
    void (Impl::*run)(const Args&);
  };
  static const std::vector<Command>& commands();
  const Command* find_command(const std::string& word) const;

  // Regions by memmap id, or by a display name no other region has.
  Region& region(const std::string& key) const;
  // `region "<id>"`: how messages name a region.
  std::string label(const Region& region) const { return "region " + id_text(region); }
  std::string id_text(const Region& region) const;
  template <typename R>
  R& region_as(const std::string& key, const char* what) const;
  AddressSpace& space_named(const std::string& name) const;
  AddressSpace& current_space() const;

  void help(const Args& a);
  void echo(const Args& a);
  void quit_command(const Args& a);
  void info(const Args& a);
  void info_region(const Region& r);
  void info_iommu();
  void translate(const Args& a);
  void space(const Args& a);
  void examine(const Args& a);
  void write(const Args& a);
  void begin(const Args& a);
  void commit(const Args& a);
  void enable(const Args& a);
  void disable(const Args& a);
  void move(const Args& a);
  void alias_offset(const Args& a);
  void alias_target(const Args& a);
  void readonly(const Args& a);
  void nonvolatile(const Args& a);
  void romd(const Args& a);
  void add(const Args& a);
  void del(const Args& a);
  void priority(const Args& a);
  void size(const Args& a);
  void resize(const Args& a);
  void coalescing(const Args& a);
  void flush_coalesced(const Args& a);
  void ioeventfd(const Args& a);
  void trace(const Args& a);
  void log(const Args& a);
  void dirty(const Args& a);
  void checkpoint(const Args& a);

  struct Eventfd {
    MmioRegion* region;
    uint64_t offset;
    unsigned size;
    bool match_data;
    uint64_t data;
    EventNotifier notifier;
  };

  MemoryMap& map_;
  std::ostream& out_;
  MonitorOptions options_;
  detail::TraceListener trace_;
  AddressSpace* space_ = nullptr;
  std::size_t line_ = 0;
  std::vector<std::size_t> open_begins_;  // lines of the begins not yet committed
  std::list<Eventfd> eventfds_;           // notifiers must not move
};

// ---------------------------------------------------------------------------
// The command table: what `help` prints and how lines are dispatched.

const std::vector<Monitor::Impl::Command>& Monitor::Impl::commands() {
  static const std::vector<Command> table{
      {"help", 0, 1, "help [COMMAND]", "list the commands, or show one", &Impl::help},
      {"echo", 0, SIZE_MAX, "echo [TEXT...]", "print the text", &Impl::echo},
      {"quit", 0, 0, "quit", "stop reading commands", &Impl::quit_command},
      {"info", 1, 3,
       "info mtree [-f] [-D] | info spaces | info regions | info region REGION | info ioeventfds | info iommu",
       "show the map (`info mtree` is QEMU's), address spaces, regions, ioeventfds (of the file and the monitor), "
       "IOMMU regions",
       &Impl::info},
      {"space", 0, 1, "space [NAME]", "select the address space of x, xp, w and wp (or show it)", &Impl::space},
      {"x", 1, 1, "x/NFU ADDRESS", "dump N units (F: x d u, U: b h w g) loaded as a CPU loads them",
       &Impl::examine},
      {"translate", 2, 7, "translate SPACE ADDRESS [requester_id=N] [secure=on|off] [user=on|off] [memory=on|off] [access=read|write]",
       "translate an address through the IOMMUs it reaches, without side effects", &Impl::translate},
      {"xp", 1, 1, "xp/NFU ADDRESS", "the same with one debug read (no side effects)", &Impl::examine},
      {"w", 2, SIZE_MAX, "w/U ADDRESS VALUE...", "store units (U: b h w g) as a CPU stores them", &Impl::write},
      {"wp", 2, SIZE_MAX, "wp/U ADDRESS VALUE...", "the same with one debug write", &Impl::write},
      {"begin", 0, 0, "begin", "open a transaction (they nest)", &Impl::begin},
      {"commit", 0, 0, "commit", "close the innermost transaction; the outermost renders", &Impl::commit},
      {"enable", 1, 1, "enable REGION", "memory_region_set_enabled(true)", &Impl::enable},
      {"disable", 1, 1, "disable REGION", "memory_region_set_enabled(false)", &Impl::disable},
      {"move", 2, 2, "move REGION ADDRESS", "memory_region_set_address()", &Impl::move},
      {"alias_offset", 2, 2, "alias_offset REGION OFFSET", "memory_region_set_alias_offset()",
       &Impl::alias_offset},
      {"alias_target", 3, 3, "alias_target REGION TARGET OFFSET", "point an alias at another region",
       &Impl::alias_target},
      {"readonly", 2, 2, "readonly REGION on|off", "memory_region_set_readonly()", &Impl::readonly},
      {"nonvolatile", 2, 2, "nonvolatile REGION on|off", "memory_region_set_nonvolatile()", &Impl::nonvolatile},
      {"romd", 2, 2, "romd REGION on|off", "memory_region_rom_device_set_romd()", &Impl::romd},
      {"add", 3, 4, "add CONTAINER OFFSET REGION [PRIORITY]",
       "memory_region_add_subregion() (with PRIORITY: placed by it, not expected to overlap)", &Impl::add},
      {"add_overlap", 3, 4, "add_overlap CONTAINER OFFSET REGION [PRIORITY]",
       "memory_region_add_subregion_overlap()", &Impl::add},
      {"del", 2, 2, "del CONTAINER REGION", "memory_region_del_subregion()", &Impl::del},
      {"priority", 2, 2, "priority REGION PRIORITY", "re-add a subregion at the same offset with a new priority",
       &Impl::priority},
      {"size", 2, 2, "size REGION SIZE", "memory_region_set_size()", &Impl::size},
      {"resize", 2, 2, "resize REGION USED", "memory_region_ram_resize() of a resizeable RAM", &Impl::resize},
      {"coalescing", 1, 4, "coalescing add REGION OFFSET SIZE | coalescing set|clear REGION | coalescing flush",
       "coalesced MMIO ranges, and flushing the buffered writes", &Impl::coalescing},
      {"flush_coalesced", 2, 2, "flush_coalesced REGION on|off", "memory_region_set/clear_flush_coalesced()",
       &Impl::flush_coalesced},
      {"ioeventfd", 4, 5, "ioeventfd add|del REGION OFFSET SIZE [DATA]",
       "memory_region_add/del_eventfd() with a notifier the monitor counts", &Impl::ioeventfd},
      {"trace", 1, 2, "trace on [SPACE] | trace off", "print every memory-listener callback", &Impl::trace},
      {"log", 1, 3,
       "log start|stop REGION CLIENT | log sync [REGION] | log global start|stop",
       "dirty logging: memory_region_set_log(), sync_dirty_bitmap(), global dirty log", &Impl::log},
      {"dirty", 3, 5,
       "dirty get|test_and_clear|reset REGION OFFSET SIZE CLIENT | dirty set REGION OFFSET SIZE | dirty list "
       "REGION CLIENT",
       "the dirty bitmaps of a region (CLIENT: vga code migration)", &Impl::dirty},
      {"checkpoint", 2, 2, "checkpoint save|load PATH", "save or restore memory and map state", &Impl::checkpoint},
  };
  return table;
}

const Monitor::Impl::Command* Monitor::Impl::find_command(const std::string& word) const {
  for (const Command& c : commands()) {
    if (word == c.name) return &c;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Running lines

Monitor::Impl::~Impl() {
  if (trace_.on()) trace_.stop(/*quiet=*/true);  // the output may be gone already
  close_transactions();
  // The notifiers go last: del_eventfd() outside a transaction is told at once.
  for (Eventfd& e : eventfds_) {
    if (e.region != nullptr) e.region->del_eventfd(e.offset, e.size, e.match_data, e.data, e.notifier);
  }
}

void Monitor::Impl::close_transactions() {
  for (; !open_begins_.empty(); open_begins_.pop_back()) transaction_commit();
}

bool Monitor::Impl::execute(const std::string& line) {
  ++line_;
  if (options_.echo) out_ << "(tlmmap) " << line << "\n";
  std::string word;
  try {
    const Args tokens = detail::tokenize(line);
    if (tokens.empty()) return true;
    word = tokens[0];
    const std::size_t slash = word.find('/');
    const Command* command = find_command(word.substr(0, slash));
    if (command == nullptr) throw CommandError("unknown command (help lists them)");
    word = command->name;
    const bool takes_format = word == "x" || word == "xp" || word == "w" || word == "wp";
    if (slash != std::string::npos && !takes_format) throw CommandError("takes no /format");
    const std::size_t args = tokens.size() - 1;
    if (args < command->min_args || args > command->max_args) {
      throw CommandError(std::string("usage: ") + command->usage);
    }
    // The map's refusals (and the checkpoint's) become this command's; its
    // warnings are printed where they happen.
    ScopedReportHandler reports([this](Severity severity, const char* type, const std::string& message) {
      if (severity == Severity::error) throw Error(type, message);
      out_ << (severity == Severity::warning ? "warning" : "info") << ": line " << line_ << ": " << message << "\n";
    });
    (this->*command->run)(tokens);
    return true;
  } catch (const CommandError& e) {
    out_ << "error: line " << line_ << ": " << (word.empty() ? "" : word + ": ") << e.what() << "\n";
  } catch (const std::exception& e) {
    // The map's refusals (tlmmap::Error), and anything else a call may throw: one line.
    out_ << "error: line " << line_ << ": " << word << ": " << e.what() << "\n";
  }
  ++errors;
  return false;
}

int Monitor::Impl::run(std::istream& in) {
  std::string line;
  while (!quit) {
    if (options_.prompt) out_ << "(tlmmap) " << std::flush;
    if (!std::getline(in, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!execute(line) && options_.stop_on_error) break;
  }
  if (!open_begins_.empty()) {
    for (const std::size_t begin_line : open_begins_) {
      out_ << "error: line " << begin_line << ": begin: still open at the end of the input; committed there\n";
      ++errors;
    }
    close_transactions();
  }
  out_.flush();
  return errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------
// Names

Region& Monitor::Impl::region(const std::string& key) const {
  if (Region* r = map_.region(key)) return *r;
  std::vector<Region*> named;
  for (Region* r : map_.regions()) {
    if (r->name() == key) named.push_back(r);
  }
  if (named.size() == 1) return *named.front();
  if (named.empty()) throw CommandError("no region " + quote(key));
  std::string ids;
  for (const Region* r : named) ids += (ids.empty() ? "" : ", ") + quote(map_.id_of(*r));
  throw CommandError(quote(key) + " is the name of " + std::to_string(named.size()) + " regions (ids " + ids +
                     "); name one by its id");
}

std::string Monitor::Impl::id_text(const Region& r) const {
  const std::string& id = map_.id_of(r);
  return quote(id.empty() ? r.name() : id);
}

template <typename R>
R& Monitor::Impl::region_as(const std::string& key, const char* what) const {
  Region& r = region(key);
  auto* typed = dynamic_cast<R*>(&r);
  if (typed == nullptr) throw CommandError(label(r) + " is of kind " + std::string(to_string(r.kind())) + ", not " + what);
  return *typed;
}

AddressSpace& Monitor::Impl::space_named(const std::string& name) const {
  if (AddressSpace* s = map_.address_space(name)) return *s;
  throw CommandError("no address space " + quote(name));
}

AddressSpace& Monitor::Impl::current_space() const {
  if (space_ == nullptr) throw CommandError("the map has no address space");
  return *space_;
}

// ---------------------------------------------------------------------------
// Console

void Monitor::Impl::help(const Args& a) {
  if (a.size() == 2) {
    const Command* c = find_command(a[1]);
    if (c == nullptr) throw CommandError("no command " + quote(a[1]));
    out_ << c->usage << "\n  " << c->summary << "\n";
    return;
  }
  for (const Command& c : commands()) out_ << c.usage << "\n  " << c.summary << "\n";
  out_ << "REGION: a memmap id, or a name no other region has; numbers: 0x hex or decimal; # starts a comment\n";
}

void Monitor::Impl::echo(const Args& a) {
  std::string text;
  for (std::size_t i = 1; i < a.size(); ++i) text += (i == 1 ? "" : " ") + a[i];
  out_ << text << "\n";
}

void Monitor::Impl::quit_command(const Args&) { quit = true; }

void Monitor::Impl::info(const Args& a) {
  const std::string& what = a[1];
  if (what == "mtree") {
    MtreeOptions options;
    for (std::size_t i = 2; i < a.size(); ++i) {
      if (a[i] == "-f") {
        options.flat_view = true;
      } else if (a[i] == "-D") {
        options.show_disabled = true;
      } else {
        throw CommandError("unknown option " + quote(a[i]) + " (-f, -D)");
      }
    }
    out_ << mtree_text(map_.address_spaces(), options);
  } else if (what == "spaces" && a.size() == 2) {
    for (const AddressSpace* s : map_.address_spaces()) {
      const Region* root = s->root();
      out_ << "space " << quote(s->name()) << " root=" << (root != nullptr ? id_text(*root) : "-")
           << (s == space_ ? " current" : "") << "\n";
    }
  } else if (what == "regions" && a.size() == 2) {
    for (const Region* r : map_.regions()) info_region(*r);
  } else if (what == "region" && a.size() == 3) {
    info_region(region(a[2]));
  } else if (what == "iommu" && a.size() == 2) {
    info_iommu();
  } else if (what == "ioeventfds" && a.size() == 2) {
    const auto line = [this](const Region& r, uint64_t offset, unsigned size, bool match_data, uint64_t data,
                             const EventNotifier& notifier, const char* from) {
      out_ << "ioeventfd " << id_text(r) << " " << hex(offset) << "+" << size
           << " data=" << (match_data ? hex(data) : "any") << " notified=" << notifier.notifications()
           << " from=" << from << "\n";
    };
    for (const Region* r : map_.regions()) {
      if (const auto* loaded = dynamic_cast<const LoadedMmioRegion*>(r)) {
        for (const auto& fd : loaded->ioeventfds()) line(*r, fd.offset, fd.size, fd.match_data, fd.data, *fd.notifier, "file");
      }
    }
    for (const Eventfd& e : eventfds_) {
      if (e.region != nullptr) line(*e.region, e.offset, e.size, e.match_data, e.data, e.notifier, "monitor");
    }
  } else {
    throw CommandError("usage: " + std::string(find_command("info")->usage));
  }
}

void Monitor::Impl::info_region(const Region& r) {
  const auto on_off = [](bool b) { return b ? "on" : "off"; };
  out_ << label(r) << " name=" << quote(r.name()) << " kind=" << to_string(r.kind()) << " size=" << hex(r.size())
       << " container=" << (r.container() != nullptr ? id_text(*r.container()) : "-")
       << " address=" << hex(r.address()) << " priority=" << r.priority() << " overlap=" << on_off(r.may_overlap())
       << " enabled=" << on_off(r.enabled()) << " readonly=" << on_off(r.readonly())
       << " nonvolatile=" << on_off(r.nonvolatile()) << " romd=" << on_off(r.romd_mode())
       << " log=" << detail::clients_text(r.dirty_log_mask());
  if (r.kind() == RegionKind::alias) {
    const Region* target = r.alias_target();
    out_ << " target=" << (target != nullptr ? id_text(*target) : "-")
         << " target_offset=" << hex(r.alias_offset());
  }
  out_ << "\n";
}

void Monitor::Impl::info_iommu() {
  static const char* const flags_text[] = {"none", "map", "unmap", "map_unmap"};
  for (Region* r : map_.regions()) {
    if (r->kind() != RegionKind::iommu) continue;
    const auto& iommu = static_cast<const IommuRegion&>(*r);
    out_ << "iommu " << id_text(iommu) << " name=" << quote(iommu.name()) << " size=" << hex(iommu.size())
         << " indexes=" << iommu.num_indexes() << " min_page=" << hex(iommu.min_page_size())
         << " notifiers=" << iommu.notifier_count()
         << " notifier_flags=" << flags_text[static_cast<uint8_t>(iommu.notifier_flags()) & 3] << "\n";
  }
}

namespace {

const char* perm_text(IommuAccess perm) {
  static const char* const text[] = {"none", "r", "w", "rw"};
  return text[static_cast<uint8_t>(perm) & 3];
}

const char* reason_text(IommuFaultReason reason) {
  switch (reason) {
    case IommuFaultReason::no_translation: return "no_translation";
    case IommuFaultReason::permission: return "permission";
    case IommuFaultReason::nesting: return "nesting";
  }
  return "?";
}

}  // namespace

void Monitor::Impl::translate(const Args& a) {
  AddressSpace& space = space_named(a[1]);
  const uint64_t address = detail::parse_address(a[2], "address");
  // Unspecified attributes unless one is given, as an initiator without the extension.
  MemTxAttrs attrs;
  IommuAccess wanted = IommuAccess::none;
  for (std::size_t i = 3; i < a.size(); ++i) {
    const std::size_t eq = a[i].find('=');
    const std::string key = a[i].substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : a[i].substr(eq + 1);
    if (eq == std::string::npos) {
      throw CommandError("attribute " + quote(a[i]) + " is not KEY=VALUE (requester_id, secure, user, memory, access)");
    } else if (key == "access") {
      if (value != "read" && value != "write") throw CommandError("access " + quote(value) + " is not read or write");
      wanted = value == "read" ? IommuAccess::read : IommuAccess::write;
      continue;
    } else if (key == "requester_id") {
      attrs.requester_id = static_cast<uint16_t>(detail::parse_number(value, "requester_id", 0xffff));
    } else if (key == "secure") {
      attrs.secure = detail::parse_switch(value, "secure");
    } else if (key == "user") {
      attrs.user = detail::parse_switch(value, "user");
    } else if (key == "memory") {
      attrs.memory = detail::parse_switch(value, "memory");
    } else {
      throw CommandError("unknown attribute " + quote(key) + " (requester_id, secure, user, memory, access)");
    }
    attrs.unspecified = false;
  }
  const FlatRange* range = space.lookup(address);
  if (range == nullptr || range->region() == nullptr) {
    throw CommandError("nothing is mapped at " + hex(address) + " in address space " + quote(space.name()));
  }
  const std::string from = "translation " + quote(space.name()) + " " + hex(address) + " -> ";
  const auto reached = [this](AddressSpace& s, uint64_t at) {
    const FlatRange* r = s.lookup(at);
    return r != nullptr && r->region() != nullptr ? id_text(*r->region()) : std::string("-");
  };
  if (range->region()->kind() != RegionKind::iommu) {
    out_ << from << quote(space.name()) << " " << hex(address) << " page=" << hex(range->first) << "-"
         << hex(range->last) << " perm=rw via=- region=" << reached(space, address) << "\n";
    return;
  }
  auto& iommu = static_cast<IommuRegion&>(*range->region());
  const uint64_t offset = range->region_offset(address);
  IommuFaultReason reason = IommuFaultReason::no_translation;
  std::vector<IommuRegion*> path;
  const IommuTlbEntry e = iommu.resolve(offset, attrs, wanted, &reason, &path);
  std::string via;
  for (const IommuRegion* r : path) via += (via.empty() ? "" : ",") + id_text(*r);
  if (e.target == nullptr) {
    const IommuRegion& refused = *path.back();
    out_ << "fault " << quote(space.name()) << " " << hex(address) << " iommu=" << id_text(refused)
         << " index=" << refused.attrs_to_index(attrs) << " reason=" << reason_text(reason) << " via=" << via << "\n";
    return;
  }
  // The page in input addresses of `space`, inside the range the IOMMU shows there.
  const u128 page_first = std::max<u128>(range->first, u128(address) - (offset - e.iova));
  const u128 page_last = std::min<u128>(range->last, page_first + e.addr_mask);
  const uint64_t out = e.translate(offset);
  out_ << from << quote(e.target->name()) << " " << hex(out) << " page=" << hex(page_first) << "-" << hex(page_last)
       << " perm=" << perm_text(e.perm) << " via=" << via << " region=" << reached(*e.target, out) << "\n";
}

void Monitor::Impl::space(const Args& a) {
  if (a.size() == 2) space_ = &space_named(a[1]);
  out_ << "space " << quote(current_space().name()) << "\n";
}

// ---------------------------------------------------------------------------
// Memory

void Monitor::Impl::examine(const Args& a) {
  const std::size_t slash = a[0].find('/');
  const detail::UnitFormat unit =
      slash == std::string::npos ? detail::UnitFormat{} : detail::parse_unit_format(a[0].substr(slash + 1), true);
  const uint64_t address = detail::parse_address(a[1], "address");
  out_ << detail::dump_memory(current_space(), address, unit, a[0].compare(0, 2, "xp") == 0);
}

void Monitor::Impl::write(const Args& a) {
  const std::size_t slash = a[0].find('/');
  const detail::UnitFormat unit =
      slash == std::string::npos ? detail::UnitFormat{} : detail::parse_unit_format(a[0].substr(slash + 1), false);
  const uint64_t address = detail::parse_address(a[1], "address");
  const u128 max = unit.size == 8 ? u128(UINT64_MAX) : (u128(1) << (8 * unit.size)) - 1;
  std::vector<uint64_t> values;
  for (std::size_t i = 2; i < a.size(); ++i) values.push_back(static_cast<uint64_t>(detail::parse_number(a[i], "value", max)));
  detail::write_memory(current_space(), address, unit.size, values, a[0].compare(0, 2, "wp") == 0);
}

// ---------------------------------------------------------------------------
// Map changes

void Monitor::Impl::begin(const Args&) {
  transaction_begin();
  open_begins_.push_back(line_);
}

void Monitor::Impl::commit(const Args&) {
  if (open_begins_.empty()) throw CommandError("no transaction is open");
  open_begins_.pop_back();
  transaction_commit();
}

void Monitor::Impl::enable(const Args& a) { region(a[1]).set_enabled(true); }

void Monitor::Impl::disable(const Args& a) { region(a[1]).set_enabled(false); }

void Monitor::Impl::move(const Args& a) {
  Region& r = region(a[1]);
  r.set_address(detail::parse_address(a[2], "address"));
}

void Monitor::Impl::alias_offset(const Args& a) {
  auto& alias = region_as<AliasRegion>(a[1], "an alias");
  alias.set_alias_offset(detail::parse_address(a[2], "offset"));
}

void Monitor::Impl::alias_target(const Args& a) {
  auto& alias = region_as<AliasRegion>(a[1], "an alias");
  Region& target = region(a[2]);
  alias.set_target(target, detail::parse_address(a[3], "offset"));
}

void Monitor::Impl::readonly(const Args& a) {
  Region& r = region(a[1]);
  r.set_readonly(detail::parse_switch(a[2], "readonly"));
}

void Monitor::Impl::nonvolatile(const Args& a) {
  Region& r = region(a[1]);
  r.set_nonvolatile(detail::parse_switch(a[2], "nonvolatile"));
}

void Monitor::Impl::romd(const Args& a) {
  auto& device = region_as<RomDeviceRegion>(a[1], "a rom_device");
  device.set_romd(detail::parse_switch(a[2], "romd"));
}

void Monitor::Impl::add(const Args& a) {
  Region& container = region(a[1]);
  const uint64_t offset = detail::parse_address(a[2], "offset");
  Region& sub = region(a[3]);
  const bool overlap = a[0] == "add_overlap";
  const int priority = a.size() == 5 ? detail::parse_priority(a[4]) : 0;
  if (overlap) {
    container.add_subregion_overlap(offset, sub, priority);
  } else if (a.size() == 5) {
    container.add_subregion_placed(offset, sub, priority, false);
  } else {
    container.add_subregion(offset, sub);
  }
}

void Monitor::Impl::del(const Args& a) {
  Region& container = region(a[1]);
  container.del_subregion(region(a[2]));
}

void Monitor::Impl::priority(const Args& a) {
  Region& r = region(a[1]);
  const int priority = detail::parse_priority(a[2]);
  Region* container = r.container();
  if (container == nullptr) throw CommandError(label(r) + " is not a subregion");
  // QEMU has no call for it; re-adding is what set_address() does too.
  Transaction t;
  container->del_subregion(r);
  container->add_subregion_placed(r.address(), r, priority, r.may_overlap());
}

void Monitor::Impl::size(const Args& a) {
  Region& r = region(a[1]);
  r.set_size(detail::parse_number(a[2], "size", k64BitSpace));
}

void Monitor::Impl::resize(const Args& a) {
  auto& ram = region_as<RamRegion>(a[1], "a ram");
  ram.resize(detail::parse_number(a[2], "used length", k64BitSpace));
}

void Monitor::Impl::coalescing(const Args& a) {
  const std::string& what = a[1];
  if (what == "flush" && a.size() == 2) {
    flush_coalesced_mmio();
    return;
  }
  const bool add = what == "add" && a.size() == 5;
  if (!add && !((what == "set" || what == "clear") && a.size() == 3)) {
    throw CommandError("usage: " + std::string(find_command("coalescing")->usage));
  }
  auto& mmio = region_as<MmioRegion>(a[2], "an mmio region");
  if (add) {
    const uint64_t offset = detail::parse_address(a[3], "offset");
    const u128 size = detail::parse_number(a[4], "size", k64BitSpace);
    mmio.add_coalescing(offset, size);
  } else if (what == "set") {
    mmio.set_coalescing();
  } else {
    mmio.clear_coalescing();
  }
}

void Monitor::Impl::flush_coalesced(const Args& a) {
  auto& mmio = region_as<MmioRegion>(a[1], "an mmio region");
  if (detail::parse_switch(a[2], "flush_coalesced")) {
    mmio.set_flush_coalesced();
  } else {
    mmio.clear_flush_coalesced();
  }
}

void Monitor::Impl::ioeventfd(const Args& a) {
  const bool add = a[1] == "add";
  if (!add && a[1] != "del") throw CommandError("usage: " + std::string(find_command("ioeventfd")->usage));
  auto& mmio = region_as<MmioRegion>(a[2], "an mmio region");
  const uint64_t offset = detail::parse_address(a[3], "offset");
  const auto size = static_cast<unsigned>(detail::parse_number(a[4], "size", 8));
  const bool match_data = a.size() == 6;
  const uint64_t data = match_data ? detail::parse_address(a[5], "data") : 0;
  const auto same = [&](const Eventfd& e) {
    return e.region == static_cast<MmioRegion*>(&mmio) && e.offset == offset && e.size == size && e.match_data == match_data &&
           (!match_data || e.data == data);
  };
  auto it = std::find_if(eventfds_.begin(), eventfds_.end(), same);
  if (add) {
    if (it != eventfds_.end()) throw CommandError(label(mmio) + " already has this ioeventfd");
    Eventfd& e = eventfds_.emplace_back();
    e.region = &mmio;
    e.offset = offset;
    e.size = size;
    e.match_data = match_data;
    e.data = data;
    try {
      mmio.add_eventfd(offset, size, match_data, data, e.notifier);
    } catch (...) {
      eventfds_.pop_back();
      throw;
    }
    return;
  }
  if (it == eventfds_.end()) {
    throw CommandError(label(mmio) + " has no ioeventfd of the monitor at " + hex(offset) + "+" + std::to_string(size));
  }
  // Told at once outside a transaction; inside one the notifier must live
  // until the commit, so it stays listed (and counted) until the monitor goes.
  mmio.del_eventfd(offset, size, match_data, data, it->notifier);
  if (transaction_depth() == 0) {
    eventfds_.erase(it);
  } else {
    it->region = nullptr;
  }
}

// ---------------------------------------------------------------------------
// Listeners, dirty logging, checkpoints

void Monitor::Impl::trace(const Args& a) {
  if (a[1] == "off" && a.size() == 2) {
    if (!trace_.on()) throw CommandError("tracing is off");
    trace_.stop();
  } else if (a[1] == "on") {
    if (trace_.on()) throw CommandError("tracing is on already");
    trace_.start(a.size() == 3 ? &space_named(a[2]) : nullptr);
  } else {
    throw CommandError("usage: " + std::string(find_command("trace")->usage));
  }
}

void Monitor::Impl::log(const Args& a) {
  const std::string& what = a[1];
  if ((what == "start" || what == "stop") && a.size() == 4) {
    Region& r = region(a[2]);
    r.set_log(what == "start", detail::parse_client(a[3]));
  } else if (what == "sync" && a.size() <= 3) {
    if (a.size() == 3) {
      region(a[2]).sync_dirty_bitmap();
    } else {
      global_dirty_log_sync();
    }
  } else if (what == "global" && a.size() == 3 && (a[2] == "start" || a[2] == "stop")) {
    if (a[2] == "start") {
      global_dirty_log_start();
    } else {
      global_dirty_log_stop();
    }
  } else {
    throw CommandError("usage: " + std::string(find_command("log")->usage));
  }
}

void Monitor::Impl::dirty(const Args& a) {
  const std::string& what = a[1];
  const bool with_client = what == "get" || what == "test_and_clear" || what == "reset";
  if (!(with_client ? a.size() == 6 : (what == "set" && a.size() == 5) || (what == "list" && a.size() == 4))) {
    throw CommandError("usage: " + std::string(find_command("dirty")->usage));
  }
  Region& r = region(a[2]);
  if (what == "list") {
    const DirtyClient client = detail::parse_client(a[3]);
    const DirtyBitmaps* bitmaps = r.dirty_bitmaps();
    std::string ranges;
    if (bitmaps != nullptr) {
      const uint64_t pages = bitmaps->pages();
      const unsigned shift = bitmaps->page_shift();
      for (uint64_t p = 0; p < pages;) {
        if (((bitmaps->word(client, p / 64) >> (p % 64)) & 1) == 0) {
          ++p;
          continue;
        }
        const uint64_t first = p;
        while (p < pages && ((bitmaps->word(client, p / 64) >> (p % 64)) & 1) != 0) ++p;
        ranges += (ranges.empty() ? "" : " ") + hex(u128(first) << shift) + "-" + hex((u128(p) << shift) - 1);
      }
    }
    out_ << (ranges.empty() ? "none" : ranges) << "\n";
    return;
  }
  const uint64_t offset = detail::parse_address(a[3], "offset");
  const u128 size = detail::parse_number(a[4], "size", k64BitSpace);
  if (u128(offset) + size > r.size()) {
    throw CommandError(hex(offset) + "+" + hex(size) + " is beyond the end of " + label(r) + " (size " +
                       hex(r.size()) + ")");
  }
  if (what == "set") {
    r.set_dirty(offset, size);
    return;
  }
  const DirtyClient client = detail::parse_client(a[5]);
  if (what == "get") {
    out_ << (r.get_dirty(offset, size, client) ? "dirty" : "clean") << "\n";
  } else if (what == "test_and_clear") {
    out_ << (r.test_and_clear_dirty(offset, size, client) ? "dirty" : "clean") << "\n";
  } else {
    r.reset_dirty(offset, size, client);
  }
}

void Monitor::Impl::checkpoint(const Args& a) {
  if (a[1] == "save") {
    save_checkpoint(a[2]);
  } else if (a[1] == "load") {
    restore_checkpoint(a[2]);
  } else {
    throw CommandError("usage: " + std::string(find_command("checkpoint")->usage));
  }
}

// ---------------------------------------------------------------------------

Monitor::Monitor(MemoryMap& map, std::ostream& out, MonitorOptions options)
    : impl_(std::make_unique<Impl>(map, out, options)) {}

Monitor::~Monitor() = default;

bool Monitor::execute(const std::string& line) { return impl_->execute(line); }

int Monitor::run(std::istream& in) { return impl_->run(in); }

std::size_t Monitor::errors() const noexcept { return impl_->errors; }

bool Monitor::quit_requested() const noexcept { return impl_->quit; }

}  // namespace tlmmap

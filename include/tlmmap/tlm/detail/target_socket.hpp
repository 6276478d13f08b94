// Library-internal: the target socket of an AddressSpaceTarget (and of an
// IommuModule: any `Engine` with b_transport(id, ...), nb_transport_fw(id,
// ...), transport_dbg(id, ...) and get_direct_mem_ptr(id, ...); the address
// space's TargetEngine takes its page cache where the others take the id,
// and both for DMI). A standard
// tlm::tlm_target_socket that any number of initiators bind to, like
// tlm_utils::multi_passthrough_target_socket, with two differences that
// matter to a bus:
//  * each binding gets its own interface object that calls the engine
//    directly (one virtual call per transaction, where the passthrough
//    socket makes three indirect calls through registered functors);
//  * it knows which objects bound to it, so that a destroyed initiator is
//    never called (a map may change while a platform is torn down).
#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlmmap/tlm/detail/target_engine.hpp"

namespace tlmmap::detail {

// The interface one initiator's port binds to.
template <typename Engine>
class EngineBinder final : public tlm::tlm_fw_transport_if<tlm::tlm_base_protocol_types> {
 public:
  explicit EngineBinder(int id) : id_(id) {}
  void attach(Engine& engine) noexcept {
    engine_ = &engine;
    if constexpr (kKeepsPageCache) page_cache_ = engine.page_cache();
  }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    if constexpr (kKeepsPageCache) {
      engine_->b_transport(page_cache_, gp, delay);
    } else {
      engine_->b_transport(id_, gp, delay);
    }
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    return engine_->nb_transport_fw(id_, gp, phase, delay);
  }
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override {
    if constexpr (kKeepsPageCache) {
      return engine_->transport_dbg(page_cache_, gp);
    } else {
      return engine_->transport_dbg(id_, gp);
    }
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override {
    if constexpr (kKeepsPageCache) {
      return engine_->get_direct_mem_ptr(page_cache_, id_, gp, dmi);
    } else {
      return engine_->get_direct_mem_ptr(id_, gp, dmi);
    }
  }
  // SystemC tells the interface which port bound to it.
  void register_port(sc_core::sc_port_base& port, const char*) override { other_side_ = &port; }
  sc_core::sc_port_base* other_side() const noexcept { return other_side_; }

 private:
  // An address space's engine: its page cache (which never moves) is kept
  // here too, one dependent load less per call.
  static constexpr bool kKeepsPageCache = std::is_same_v<Engine, TargetEngine>;
  Engine* engine_ = nullptr;
  TargetEngine::Slots page_cache_ = nullptr;
  int id_;
  sc_core::sc_port_base* other_side_ = nullptr;
};

template <unsigned int BUSWIDTH, typename Engine = TargetEngine>
class TargetSocket : public tlm::tlm_target_socket<BUSWIDTH, tlm::tlm_base_protocol_types, 0,
                                                   sc_core::SC_ZERO_OR_MORE_BOUND>,
                     public InitiatorPorts {
  using base = tlm::tlm_target_socket<BUSWIDTH, tlm::tlm_base_protocol_types, 0, sc_core::SC_ZERO_OR_MORE_BOUND>;

 public:
  explicit TargetSocket(const char* name) : base(name) {
    // The export itself must be bound: to the first binder, which the first
    // initiator then takes (as the passthrough socket does).
    binders_.push_back(std::make_unique<EngineBinder<Engine>>(0));
    sc_core::sc_export<tlm::tlm_fw_transport_if<>>::bind(*binders_.front());
  }

  // Every binder calls `engine` from now on.
  void attach(Engine& engine) {
    engine_ = &engine;
    for (auto& b : binders_) b->attach(engine);
  }

  // An initiator binds: it gets an interface of its own.
  tlm::tlm_fw_transport_if<>& get_base_interface() override {
    if (first_unclaimed_) {
      first_unclaimed_ = false;
      return *binders_.front();
    }
    binders_.push_back(std::make_unique<EngineBinder<Engine>>(static_cast<int>(binders_.size())));
    if (engine_ != nullptr) binders_.back()->attach(*engine_);
    return *binders_.back();
  }
  const tlm::tlm_fw_transport_if<>& get_base_interface() const override { return *binders_.front(); }

  // InitiatorPorts
  unsigned count() override { return first_unclaimed_ ? 0 : static_cast<unsigned>(binders_.size()); }
  BwInterface* at(int i) override { return this->get_base_port()[i]; }
  bool alive(int i) override {
    if (static_cast<std::size_t>(i) >= bound_.size() || bound_[i].object == nullptr) return true;
    return sc_core::sc_find_object(bound_[i].name.c_str()) == bound_[i].object;
  }

 private:
  // Names the objects bound to the socket (their initiator sockets), when
  // they all exist.
  void end_of_elaboration() override {
    base::end_of_elaboration();
    bound_.clear();
    for (const auto& b : binders_) {
      sc_core::sc_object* other = b->other_side();
      bound_.push_back({other, other != nullptr ? other->name() : std::string()});
    }
  }

  struct Bound {
    sc_core::sc_object* object;
    std::string name;
  };
  std::vector<std::unique_ptr<EngineBinder<Engine>>> binders_;
  bool first_unclaimed_ = true;
  Engine* engine_ = nullptr;
  std::vector<Bound> bound_;
};

}  // namespace tlmmap::detail

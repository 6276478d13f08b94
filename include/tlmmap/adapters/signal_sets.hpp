// The pins of each AMBA protocol, listed once (X-macros) and used three ways:
//   XxxPortSet<..., sc_out, sc_in>    a manager's ports (it drives VALIDs)
//   XxxPortSet<..., sc_in, sc_out>    a subordinate's ports
//   XxxPortSet<..., sc_signal, sc_signal>  the wires between them (XxxSignals)
// Names are AMBA's, lower case. `connect(other)` binds each pin to the
// same-named member of `other`; TLMMAP_BIND_<PROTOCOL>(model, prefix, wires)
// binds a verilated model whose ports are named prefix + AMBA name
// (s_axi_awvalid, ...) in one line.
#pragma once

#include <type_traits>

#include <systemc>

#include "tlmmap/adapters/pins.hpp"

// X(context, side, width, name): side M is driven by the manager, S by the subordinate.
#define TLMMAP_APB4_PINS(X, C, DW, AW) \
  X(C, M, AW, paddr)                   \
  X(C, M, 1, psel)                     \
  X(C, M, 1, penable)                  \
  X(C, M, 1, pwrite)                   \
  X(C, M, DW, pwdata)                  \
  X(C, M, DW / 8, pstrb)               \
  X(C, M, 3, pprot)                    \
  X(C, S, 1, pready)                   \
  X(C, S, DW, prdata)                  \
  X(C, S, 1, pslverr)

#define TLMMAP_AXI_LITE_PINS(X, C, DW, AW) \
  X(C, M, AW, awaddr)                      \
  X(C, M, 3, awprot)                       \
  X(C, M, 1, awvalid)                      \
  X(C, S, 1, awready)                      \
  X(C, M, DW, wdata)                       \
  X(C, M, DW / 8, wstrb)                   \
  X(C, M, 1, wvalid)                       \
  X(C, S, 1, wready)                       \
  X(C, S, 2, bresp)                        \
  X(C, S, 1, bvalid)                       \
  X(C, M, 1, bready)                       \
  X(C, M, AW, araddr)                      \
  X(C, M, 3, arprot)                       \
  X(C, M, 1, arvalid)                      \
  X(C, S, 1, arready)                      \
  X(C, S, DW, rdata)                       \
  X(C, S, 2, rresp)                        \
  X(C, S, 1, rvalid)                       \
  X(C, M, 1, rready)

#define TLMMAP_AXI4_PINS(X, C, DW, AW, IDW) \
  X(C, M, IDW, awid)                        \
  X(C, M, AW, awaddr)                       \
  X(C, M, 8, awlen)                         \
  X(C, M, 3, awsize)                        \
  X(C, M, 2, awburst)                       \
  X(C, M, 1, awlock)                        \
  X(C, M, 4, awcache)                       \
  X(C, M, 3, awprot)                        \
  X(C, M, 4, awqos)                         \
  X(C, M, 1, awvalid)                       \
  X(C, S, 1, awready)                       \
  X(C, M, DW, wdata)                        \
  X(C, M, DW / 8, wstrb)                    \
  X(C, M, 1, wlast)                         \
  X(C, M, 1, wvalid)                        \
  X(C, S, 1, wready)                        \
  X(C, S, IDW, bid)                         \
  X(C, S, 2, bresp)                         \
  X(C, S, 1, bvalid)                        \
  X(C, M, 1, bready)                        \
  X(C, M, IDW, arid)                        \
  X(C, M, AW, araddr)                       \
  X(C, M, 8, arlen)                         \
  X(C, M, 3, arsize)                        \
  X(C, M, 2, arburst)                       \
  X(C, M, 1, arlock)                        \
  X(C, M, 4, arcache)                       \
  X(C, M, 3, arprot)                        \
  X(C, M, 4, arqos)                         \
  X(C, M, 1, arvalid)                       \
  X(C, S, 1, arready)                       \
  X(C, S, IDW, rid)                         \
  X(C, S, DW, rdata)                        \
  X(C, S, 2, rresp)                         \
  X(C, S, 1, rlast)                         \
  X(C, S, 1, rvalid)                        \
  X(C, M, 1, rready)

#define TLMMAP_PIN_MEMBER_(c, side, width, name) side<::tlmmap::adapters::pin_t<(width)>> name{#name};
#define TLMMAP_PIN_BIND_(c, side, width, name) name(other.name);

namespace tlmmap::adapters {

template <unsigned DW, unsigned AW, template <class> class M, template <class> class S>
struct Apb4PortSet {
  TLMMAP_APB4_PINS(TLMMAP_PIN_MEMBER_, ~, DW, AW)
  template <class Other>
  void connect(Other& other) {
    TLMMAP_APB4_PINS(TLMMAP_PIN_BIND_, ~, DW, AW)
  }
};

template <unsigned DW, unsigned AW, template <class> class M, template <class> class S>
struct AxiLitePortSet {
  TLMMAP_AXI_LITE_PINS(TLMMAP_PIN_MEMBER_, ~, DW, AW)
  template <class Other>
  void connect(Other& other) {
    TLMMAP_AXI_LITE_PINS(TLMMAP_PIN_BIND_, ~, DW, AW)
  }
};

template <unsigned DW, unsigned AW, unsigned IDW, template <class> class M, template <class> class S>
struct Axi4PortSet {
  TLMMAP_AXI4_PINS(TLMMAP_PIN_MEMBER_, ~, DW, AW, IDW)
  template <class Other>
  void connect(Other& other) {
    TLMMAP_AXI4_PINS(TLMMAP_PIN_BIND_, ~, DW, AW, IDW)
  }
};

template <class T>
using sc_signal_t = sc_core::sc_signal<T>;
template <class T>
using sc_in_t = sc_core::sc_in<T>;
template <class T>
using sc_out_t = sc_core::sc_out<T>;

// The wires between a bridge and an RTL model.
template <unsigned DW = 32, unsigned AW = 32>
using Apb4Signals = Apb4PortSet<DW, AW, sc_signal_t, sc_signal_t>;
template <unsigned DW = 32, unsigned AW = 32>
using AxiLiteSignals = AxiLitePortSet<DW, AW, sc_signal_t, sc_signal_t>;
template <unsigned DW = 64, unsigned AW = 32, unsigned IDW = 4>
using Axi4Signals = Axi4PortSet<DW, AW, IDW, sc_signal_t, sc_signal_t>;

}  // namespace tlmmap::adapters

// Binds every AMBA port of a verilated model, named prefix + AMBA name, to
// the wires: TLMMAP_BIND_AXI4(ram, s_axi_, wires). The prefix may be empty.
#define TLMMAP_BIND_MODEL_PIN_(prefix, side, width, name) model_.prefix##name(wires_.name);
#define TLMMAP_BIND_APB4(model, prefix, wires)                      \
  do {                                                              \
    auto& model_ = (model);                                         \
    auto& wires_ = (wires);                                         \
    TLMMAP_APB4_PINS(TLMMAP_BIND_MODEL_PIN_, prefix, 8, 8)          \
  } while (0)
#define TLMMAP_BIND_AXI_LITE(model, prefix, wires)                  \
  do {                                                              \
    auto& model_ = (model);                                         \
    auto& wires_ = (wires);                                         \
    TLMMAP_AXI_LITE_PINS(TLMMAP_BIND_MODEL_PIN_, prefix, 8, 8)      \
  } while (0)
#define TLMMAP_BIND_AXI4(model, prefix, wires)                      \
  do {                                                              \
    auto& model_ = (model);                                         \
    auto& wires_ = (wires);                                         \
    TLMMAP_AXI4_PINS(TLMMAP_BIND_MODEL_PIN_, prefix, 8, 8, 1)       \
  } while (0)

// The same for RTL that leaves out pins its protocol makes optional (an APB3
// block without PSTRB and PPROT, an AXI subordinate without AxQOS, AxCACHE
// or AxLOCK, ...): every port the model has is bound, a pin it lacks is
// skipped (its wire keeps its value: 0 unless the bridge drives it).
// TLMMAP_BIND_AXI4_PRESENT(ram, s_axi_, wires). The handshake pins are
// required (a misspelt prefix does not compile).
namespace tlmmap::adapters::detail {
template <class Model, class Wire, class Port>
void bind_if_present(Model& model, Wire& wire, Port port) {
  if constexpr (std::is_invocable_v<Port, Model&>) port(model)(wire);
}
}  // namespace tlmmap::adapters::detail
#define TLMMAP_BIND_PRESENT_PIN_(prefix, side, width, name)                                        \
  ::tlmmap::adapters::detail::bind_if_present(                                                     \
      model_, wires_.name, [](auto& m) -> decltype((m.prefix##name)) { return m.prefix##name; });
#define TLMMAP_BIND_APB4_PRESENT(model, prefix, wires)                \
  do {                                                                \
    auto& model_ = (model);                                           \
    auto& wires_ = (wires);                                           \
    static_cast<void>(model_.prefix##psel);                           \
    static_cast<void>(model_.prefix##pready);                         \
    TLMMAP_APB4_PINS(TLMMAP_BIND_PRESENT_PIN_, prefix, 8, 8)          \
  } while (0)
#define TLMMAP_BIND_AXI_LITE_PRESENT(model, prefix, wires)            \
  do {                                                                \
    auto& model_ = (model);                                           \
    auto& wires_ = (wires);                                           \
    static_cast<void>(model_.prefix##awvalid);                        \
    static_cast<void>(model_.prefix##rready);                         \
    TLMMAP_AXI_LITE_PINS(TLMMAP_BIND_PRESENT_PIN_, prefix, 8, 8)      \
  } while (0)
#define TLMMAP_BIND_AXI4_PRESENT(model, prefix, wires)                \
  do {                                                                \
    auto& model_ = (model);                                           \
    auto& wires_ = (wires);                                           \
    static_cast<void>(model_.prefix##awvalid);                        \
    static_cast<void>(model_.prefix##wlast);                          \
    static_cast<void>(model_.prefix##rlast);                          \
    TLMMAP_AXI4_PINS(TLMMAP_BIND_PRESENT_PIN_, prefix, 8, 8, 1)       \
  } while (0)

// riscv-virt: boots firmware on the RISC-V virt machine (virt_machine.hpp).
//
//   riscv-virt --kernel /usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin --uart-input boot.txt
//   riscv-virt --mtree --time-limit 0        # the map after set-up, no run
//
// Exit status: the guest's (sifive_test: 0 pass, (code << 1) | 1 fail, as
// QEMU), 0 at a time or instruction limit, 1 when the guest stopped
// otherwise (no more events), 2 on bad options or errors.
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>
#include <systemc>

#include "tlmmap/memmap/mtree.hpp"
#include "tlmmap/tlm/systemc_reports.hpp"
#include "virt_machine.hpp"

namespace {

constexpr const char* kDefaultBios = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin";

// "128M", "1G", "0x8000000", "65536": a size in bytes.
uint64_t parse_size(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"((0[xX][0-9a-fA-F]+|[0-9]+)([KkMmGg]?)(i?[Bb])?)"))) {
    throw CLI::ValidationError("size '" + text + "' (expected e.g. 128M, 1G, 0x8000000)");
  }
  uint64_t value = std::stoull(m[1].str(), nullptr, 0);
  switch (m[2].str().empty() ? ' ' : std::tolower(m[2].str()[0])) {
    case 'k': value <<= 10; break;
    case 'm': value <<= 20; break;
    case 'g': value <<= 30; break;
    default: break;
  }
  return value;
}

// "10us", "2.5s", "100ns": a simulated time.
sc_core::sc_time parse_time(const std::string& text) {
  std::smatch m;
  if (!std::regex_match(text, m, std::regex(R"(([0-9]+(\.[0-9]+)?)\s*(ps|ns|us|ms|s))"))) {
    throw CLI::ValidationError("time '" + text + "' (expected a number and ps, ns, us, ms or s, e.g. 10us)");
  }
  const double value = std::stod(m[1].str());
  const std::string unit = m[3].str();
  const sc_core::sc_time_unit u = unit == "ps"   ? sc_core::SC_PS
                                  : unit == "ns" ? sc_core::SC_NS
                                  : unit == "us" ? sc_core::SC_US
                                  : unit == "ms" ? sc_core::SC_MS
                                                 : sc_core::SC_SEC;
  return sc_core::sc_time(value, u);
}

uint64_t parse_address(const std::string& text) {
  if (!std::regex_match(text, std::regex(R"(0[xX][0-9a-fA-F]+|[0-9]+)"))) {
    throw CLI::ValidationError("address '" + text + "' (expected e.g. 0x80200000)");
  }
  return std::stoull(text, nullptr, 0);
}

}  // namespace

int main(int argc, char* argv[]) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  tlmmap::report_through_systemc();
  // sc_stop()'s "Simulation stopped by user" would land in the console log.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  tlmmap::virt::VirtConfig config;
  CLI::App app{"riscv-virt: QEMU's RISC-V virt machine on tlmmap (one Unicorn hart)"};
  std::string ram = "128M", bios = kDefaultBios, bios_address = "0x80000000", kernel_address = "0x80200000";
  std::string dtb_address, quantum = "100us", instruction_time = "10ns", time_limit, checkpoint_dir, dump_dtb;
  bool mtree = false;
  bool stats = false;
  app.add_option("--bios", bios, "M-mode firmware, e.g. OpenSBI fw_jump.bin ('none': nothing)")
      ->capture_default_str();
  app.add_option("--bios-address", bios_address, "where the firmware is loaded and entered")->capture_default_str();
  app.add_option("--kernel", config.kernel, "payload loaded for the firmware, e.g. U-Boot (qemu-riscv64_smode)")
      ->check(CLI::ExistingFile);
  app.add_option("--kernel-address", kernel_address, "where the payload is loaded")->capture_default_str();
  app.add_option("--dtb", config.dtb, "device tree blob to use instead of the generated one")
      ->check(CLI::ExistingFile);
  app.add_option("--dtb-address", dtb_address, "where the device tree goes (default: QEMU's place, end of RAM)");
  app.add_option("--dump-dtb", dump_dtb, "write the device tree the guest gets to this file");
  app.add_option("--ram", ram, "RAM size at 0x80000000 (e.g. 128M, 1G)")->capture_default_str();
  app.add_option("--memmap", config.memmap, "the machine's memory map")->check(CLI::ExistingFile)->capture_default_str();
  app.add_option("--uart-input", config.uart_input,
                 "UART input script: each line is typed once the guest prints its prompt ('=> '); "
                 "@wait TEXT, @send TEXT, @prompt TEXT, # comments (default: stdin)")
      ->check(CLI::ExistingFile);
  app.add_option("--uart-output", config.uart_output, "write the UART's output to this file (default: stdout)");
  app.add_option("--flash", config.flash,
                 "image file of the CFI flash at 0x20000000 (32 MiB; written through; made erased if missing)");
  app.add_option("--framebuffer-dir", config.framebuffer_dir,
                 "write the framebuffer's PNG frames (bands of changed rows) to this directory")
      ->check(CLI::ExistingDirectory);
  app.add_option("--quantum", quantum, "global quantum of the loosely-timed CPU")->capture_default_str();
  app.add_option("--instruction-time", instruction_time, "simulated time per guest instruction")->capture_default_str();
  app.add_flag("--mtree", mtree, "print `info mtree -f` of the machine after set-up");
  app.add_flag("--stats", stats, "print the CPU's counters at the end (MMIO accesses, DMI mappings, ...)");
  app.add_option("--checkpoint-dir", checkpoint_dir,
                 "save a checkpoint there when the simulation ends (virt.ckpt: memory and map state; "
                 "virt.state: CPU and device registers)");
  app.add_option("--restore", config.restore_dir, "start from a checkpoint saved by --checkpoint-dir (no images loaded)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--time-limit", time_limit, "stop after this much simulated time (e.g. 5s; 0s: set up only)");
  app.add_option("--instruction-limit", config.instruction_limit, "stop after this many guest instructions");
  try {
    app.parse(argc, argv);
    config.ram_size = parse_size(ram);
    config.bios = bios == "none" ? "" : bios;
    config.bios_address = parse_address(bios_address);
    config.kernel_address = parse_address(kernel_address);
    if (!dtb_address.empty()) config.dtb_address = parse_address(dtb_address);
    config.quantum = parse_time(quantum);
    config.instruction_time = parse_time(instruction_time);
    if (config.instruction_time == sc_core::SC_ZERO_TIME) throw CLI::ValidationError("--instruction-time must be > 0");
    if (!config.bios.empty() && !std::ifstream(config.bios)) {
      throw CLI::ValidationError("--bios: cannot read '" + config.bios + "'");
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  try {
    tlmmap::virt::VirtMachine machine{"virt", config};
    if (!dump_dtb.empty()) {
      std::ofstream out(dump_dtb, std::ios::binary);
      out.write(reinterpret_cast<const char*>(machine.dtb().data()), static_cast<std::streamsize>(machine.dtb().size()));
      if (!out) {
        std::cerr << "riscv-virt: cannot write '" << dump_dtb << "'\n";
        return 2;
      }
    }
    if (mtree) std::cout << tlmmap::info_mtree({/*flat_view=*/true}) << std::flush;
    const sc_core::sc_time limit = time_limit.empty() ? sc_core::SC_ZERO_TIME : parse_time(time_limit);
    if (!time_limit.empty() && limit == sc_core::SC_ZERO_TIME) return 0;
    if (time_limit.empty()) {
      sc_core::sc_start();
    } else {
      sc_core::sc_start(limit);
    }
    std::cout << std::flush;
    int status = 0;
    const auto& cpu = machine.cpu().stats();
    if (machine.finished_status()) {
      status = *machine.finished_status();
      std::cerr << "riscv-virt: " << machine.finish_reason();
    } else if (config.instruction_limit != 0 && cpu.instructions >= config.instruction_limit) {
      std::cerr << "riscv-virt: instruction limit reached";
    } else if (!time_limit.empty() && sc_core::sc_time_stamp() >= limit) {
      std::cerr << "riscv-virt: time limit reached";
    } else {
      std::cerr << "riscv-virt: the simulation stopped (nothing left to happen)";
      status = 1;
    }
    std::cerr << " at " << sc_core::sc_time_stamp() << ", " << cpu.instructions << " instructions\n";
    if (stats) {
      std::cerr << "riscv-virt: cpu: " << cpu.transports << " b_transport calls, " << cpu.dmi_mappings
                << " DMI mappings, " << cpu.invalidations << " unmapped, " << cpu.write_throughs
                << " writes through read-only grants, " << cpu.runs << " runs, " << cpu.wfi << " WFI\n";
    }
    if (!checkpoint_dir.empty()) {
      machine.save_checkpoint(checkpoint_dir);
      std::cerr << "riscv-virt: checkpoint saved to " << checkpoint_dir << "\n";
    }
    return status;
  } catch (const sc_core::sc_report& report) {
    std::cerr << report.get_msg() << "\n";
    return 2;
  } catch (const CLI::ValidationError& e) {
    std::cerr << "riscv-virt: " << e.what() << "\n";
    return 2;
  }
}

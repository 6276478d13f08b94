// The rest of QEMU's memory API on one small board, each feature shown
// working (docs/memory-api.md explains them):
//   * a memory listener that mirrors the map, as an accelerator or vhost does;
//   * a framebuffer whose dirty pages a display reads (dirty logging);
//   * a UART whose transmit register is coalesced, flushed by a status read;
//   * a virtio-style doorbell: an ioeventfd wakes a SystemC thread instead
//     of calling the device's write callback;
//   * NVRAM in a shared file, seen by the next run;
//   * a DMA engine reaching RAM with map/unmap;
//   * a checkpoint taken and restored while the simulation runs.
// Run: build/examples/memory_api [scratch directory] (default /tmp).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "tlmmap/tlmmap.hpp"

using sc_core::SC_NS;

struct Board : sc_core::sc_module {
  tlmmap::Bus<32> bus{"bus"};
  tlmmap::RamRegion ram{"ram", 0x100000};
  tlmmap::RamRegion framebuffer{"framebuffer", 0x8000};
  tlmmap::MmioRegion uart{"uart", 0x100};
  tlmmap::MmioRegion virtio{"virtio", 0x100};
  tlmmap::RamRegion nvram;
  tlmmap::ScEventNotifier doorbell;
  std::string transmitted;
  int queue_kicks = 0;

  SC_HAS_PROCESS(Board);
  Board(sc_core::sc_module_name name, const std::string& nvram_file)
      : sc_core::sc_module(name), nvram("nvram", 0x1000, tlmmap::RamFile{nvram_file, true}) {
    tlmmap::MmioOps uart_ops;
    uart_ops.write = [this](uint64_t offset, uint64_t value, unsigned) {
      if (offset == 0) transmitted += static_cast<char>(value);
    };
    uart_ops.read = [](uint64_t offset, unsigned) -> uint64_t { return offset == 4 ? 0x60 : 0; };  // LSR: empty
    uart.set_ops(uart_ops);
    uart.add_coalescing(0, 4);  // the transmit register: writes are buffered
    tlmmap::MmioOps virtio_ops;
    virtio_ops.read = [](uint64_t, unsigned) { return 0; };
    virtio_ops.write = [](uint64_t offset, uint64_t, unsigned) {
      std::cout << "  virtio: write at 0x" << std::hex << offset << std::dec << " reached the callback\n";
    };
    virtio.set_ops(virtio_ops);
    virtio.add_eventfd(0x50, 4, true, 0, doorbell);  // queue 0's notify register
    bus.map(0x80000000, ram);
    bus.map(0x40000000, framebuffer);
    bus.map(0x10000000, uart);
    bus.map(0x10001000, virtio);
    bus.map(0x20000000, nvram);
    SC_THREAD(virtio_queue);
  }

  // The device's queue handler runs when the doorbell rings.
  void virtio_queue() {
    while (true) {
      sc_core::wait(doorbell.event);
      ++queue_kicks;
      std::cout << "  virtio: queue 0 kicked at " << sc_core::sc_time_stamp() << " (no callback ran)\n";
    }
  }
};

struct Guest : sc_core::sc_module {
  Board& board;
  std::string scratch;
  SC_HAS_PROCESS(Guest);
  Guest(sc_core::sc_module_name name, Board& b, std::string dir) : sc_core::sc_module(name), board(b), scratch(dir) {
    SC_THREAD(run);
  }
  tlmmap::AddressSpace& space() { return board.bus.space(); }
  void store(uint64_t address, unsigned size, uint64_t value) { space().store(address, size, value); }
  uint64_t load(uint64_t address, unsigned size) {
    uint64_t v = 0;
    space().load(address, size, v);
    return v;
  }

  void run() {
    wait(10, SC_NS);
    std::cout << "-- dirty logging: the display logs the framebuffer\n";
    board.framebuffer.set_log(true, tlmmap::DirtyClient::vga);
    for (uint64_t y : {3, 4, 7}) store(0x40000000 + y * 0x1000 + 0x40, 4, 0x00ff00ff);
    std::cout << "  pages to redraw:";
    for (uint64_t page = 0; page < 8; ++page) {
      if (board.framebuffer.test_and_clear_dirty(page * 0x1000, 0x1000, tlmmap::DirtyClient::vga)) {
        std::cout << " " << page;
      }
    }
    std::cout << "\n";

    std::cout << "-- coalesced MMIO: the guest prints \"hello\" to the UART\n";
    for (char c : std::string("hello")) store(0x10000000, 1, static_cast<uint8_t>(c));
    std::cout << "  buffered " << tlmmap::coalesced_mmio_pending() << " writes, the device saw \""
              << board.transmitted << "\"\n";
    load(0x10000004, 1);  // reading the status register flushes the ring first
    std::cout << "  after a status read the device saw \"" << board.transmitted << "\"\n";

    std::cout << "-- ioeventfd: the guest rings queue 0's doorbell\n";
    store(0x10001050, 4, 0);  // matches: the event fires instead of the callback
    wait(1, SC_NS);
    store(0x10001050, 4, 1);  // another queue number: the callback runs
    wait(1, SC_NS);

    std::cout << "-- NVRAM in a shared file\n";
    const uint64_t boots = load(0x20000000, 4) + 1;
    store(0x20000000, 4, boots);
    std::cout << "  boot count in the file: " << boots << " (run the example again: it goes up)\n";

    std::cout << "-- map/unmap: a DMA engine fills a buffer in place\n";
    tlmmap::Mapping buffer = space().map(0x80010000, 0x100, true);
    std::cout << "  mapped " << buffer.length() << " bytes " << (buffer.bounced() ? "through the bounce buffer" : "in place")
              << "\n";
    std::memset(buffer.data(), 0xa5, buffer.length());
    tlmmap::AddressSpace::unmap(buffer, 0x100);
    std::cout << "  the CPU reads 0x" << std::hex << load(0x80010000, 4) << std::dec << "\n";

    std::cout << "-- a checkpoint while the simulation runs\n";
    const std::string checkpoint = scratch + "/memory_api.ckpt";
    store(0x80000000, 4, 0x1234);
    board.uart.set_enabled(false);
    tlmmap::save_checkpoint(checkpoint);
    store(0x80000000, 4, 0xdead);
    board.uart.set_enabled(true);
    tlmmap::restore_checkpoint(checkpoint);
    std::cout << "  restored: ram[0] = 0x" << std::hex << load(0x80000000, 4) << std::dec
              << ", uart enabled: " << board.uart.enabled() << "\n";
    board.uart.set_enabled(true);
    std::remove(checkpoint.c_str());
  }
};

int sc_main(int argc, char* argv[]) {
  const std::string scratch = argc > 1 ? argv[1] : "/tmp";
  Board board("board", scratch + "/memory_api.nvram");

  // A listener mirrors the map (what an accelerator registers).
  tlmmap::MemoryListener mirror("mirror");
  auto show = [](const char* what, const tlmmap::Section& s) {
    std::cout << "  listener: " << what << " 0x" << std::hex << s.offset_within_address_space << "-0x"
              << s.offset_within_address_space + static_cast<uint64_t>(s.size) - 1 << std::dec << " "
              << (s.region() != nullptr ? s.region()->name() : "?") << "\n";
  };
  mirror.region_add = [&](const tlmmap::Section& s) { show("add", s); };
  mirror.region_del = [&](const tlmmap::Section& s) { show("del", s); };
  mirror.log_start = [](const tlmmap::Section& s, uint8_t, uint8_t) {
    std::cout << "  listener: log_start " << s.region()->name() << "\n";
  };
  mirror.coalesced_io_add = [](const tlmmap::Section&, uint64_t address, uint64_t length) {
    std::cout << "  listener: coalesced 0x" << std::hex << address << " +" << std::dec << length << "\n";
  };
  mirror.eventfd_add = [](const tlmmap::Section& s, bool, uint64_t data, tlmmap::EventNotifier&) {
    std::cout << "  listener: ioeventfd at 0x" << std::hex << s.offset_within_address_space << std::dec
              << " data " << data << "\n";
  };
  std::cout << "-- a listener registers and hears the map replayed\n";
  tlmmap::memory_listener_register(mirror, &board.bus.space());

  Guest guest("guest", board, scratch);
  sc_core::sc_start(1, sc_core::SC_US);
  const bool ok = board.transmitted == "hello" && board.queue_kicks == 1;
  std::cout << (ok ? "all features behaved as documented\n" : "UNEXPECTED RESULT\n");
  return ok ? 0 : 1;
}

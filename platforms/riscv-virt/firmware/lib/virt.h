// The RISC-V virt machine as our bare-metal programs see it: the addresses
// of QEMU 7.2's virt devices (platforms/riscv-virt/virt.memmap.json), MMIO
// accessors and CSR access.
#pragma once

#include <stdint.h>

#define VIRT_TEST_BASE 0x00100000UL   // sifive_test
#define VIRT_RTC_BASE 0x00101000UL    // goldfish RTC
#define VIRT_CLINT_BASE 0x02000000UL  // ACLINT: msip at +0, mtimecmp at +0x4000, mtime at +0xbff8
#define VIRT_PLIC_BASE 0x0c000000UL
#define VIRT_UART_BASE 0x10000000UL   // ns16550a
#define VIRT_FLASH_BASE 0x20000000UL  // CFI flash, 32 MiB
#define VIRT_FB_BASE 0x04000000UL     // simple framebuffer (QEMU's platform-bus window)

// PLIC interrupt sources, as on QEMU's virt.
#define VIRT_IRQ_RTC 11
#define VIRT_IRQ_UART 10

// QEMU virt's mtime runs at 10 MHz.
#define VIRT_TIMEBASE_HZ 10000000UL

static inline uint8_t mmio_read8(uintptr_t a) { return *(volatile uint8_t*)a; }
static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t*)a; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t*)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v) { *(volatile uint8_t*)a = v; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t*)a = v; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t*)a = v; }

// CSR access. Programs are compiled and linked with -march=rv64imac (so gcc
// picks picolibc's rv64imac/lp64 multilib), which binutils 2.40 reads as
// "no Zicsr": each CSR instruction enables it for itself.
#define CSR_ASM_(insn) ".option push\n.option arch, +zicsr\n" insn "\n.option pop"
#define csr_read(csr)                                        \
  ({                                                         \
    uint64_t v_;                                             \
    __asm__ volatile(CSR_ASM_("csrr %0, " #csr) : "=r"(v_)); \
    v_;                                                      \
  })
#define csr_write(csr, v) __asm__ volatile(CSR_ASM_("csrw " #csr ", %0")::"r"((uint64_t)(v)))
#define csr_set(csr, v) __asm__ volatile(CSR_ASM_("csrs " #csr ", %0")::"r"((uint64_t)(v)))
#define csr_clear(csr, v) __asm__ volatile(CSR_ASM_("csrc " #csr ", %0")::"r"((uint64_t)(v)))
#define wfi() __asm__ volatile("wfi")

#define MSTATUS_SIE (1UL << 1)
#define MSTATUS_MIE (1UL << 3)
#define MIP_SSIP (1UL << 1)
#define MIP_MSIP (1UL << 3)
#define MIP_STIP (1UL << 5)
#define MIP_MTIP (1UL << 7)
#define MIP_SEIP (1UL << 9)
#define MIP_MEIP (1UL << 11)
#define MCAUSE_INTERRUPT (1UL << 63)

static inline uint64_t clint_mtime(void) { return mmio_read64(VIRT_CLINT_BASE + 0xbff8); }
static inline void clint_set_mtimecmp(uint64_t t) { mmio_write64(VIRT_CLINT_BASE + 0x4000, t); }

// PLIC (QEMU virt's layout): hart 0's context 0 is M-mode, context 1 S-mode.
#define PLIC_CONTEXT_M 0
#define PLIC_CONTEXT_S 1
static inline void plic_set_priority(unsigned irq, uint32_t p) { mmio_write32(VIRT_PLIC_BASE + 4 * irq, p); }
static inline int plic_pending(unsigned irq) {
  return (mmio_read32(VIRT_PLIC_BASE + 0x1000 + 4 * (irq / 32)) >> (irq % 32)) & 1;
}
static inline void plic_enable(unsigned context, unsigned irq, int on) {
  const uintptr_t a = VIRT_PLIC_BASE + 0x2000 + 0x80 * context + 4 * (irq / 32);
  const uint32_t bit = 1u << (irq % 32);
  mmio_write32(a, on ? (mmio_read32(a) | bit) : (mmio_read32(a) & ~bit));
}
static inline void plic_set_threshold(unsigned context, uint32_t t) {
  mmio_write32(VIRT_PLIC_BASE + 0x200000 + 0x1000 * context, t);
}
static inline uint32_t plic_claim(unsigned context) { return mmio_read32(VIRT_PLIC_BASE + 0x200004 + 0x1000 * context); }
static inline void plic_complete(unsigned context, uint32_t irq) {
  mmio_write32(VIRT_PLIC_BASE + 0x200004 + 0x1000 * context, irq);
}

// goldfish RTC registers.
#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c
static inline uint64_t rtc_time_ns(void) {
  const uint32_t low = mmio_read32(VIRT_RTC_BASE + RTC_TIME_LOW);  // latches the high half
  return ((uint64_t)mmio_read32(VIRT_RTC_BASE + RTC_TIME_HIGH) << 32) | low;
}
static inline void rtc_set_alarm(uint64_t at_ns) {
  mmio_write32(VIRT_RTC_BASE + RTC_ALARM_HIGH, (uint32_t)(at_ns >> 32));
  mmio_write32(VIRT_RTC_BASE + RTC_ALARM_LOW, (uint32_t)at_ns);
}

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

// The reference IOMMU and the DMA engine behind it (devices/iommu_dma.cpp,
// docs/iommu.md): page tables built here in RAM, a DMA copy through the
// IOMMU checked byte for byte, then a page unmapped (entry cleared and
// invalidated) and a copy onto it: the DMA stops with an error at that page,
// the IOMMU records the fault (registers) and raises its interrupt (PLIC 12),
// as the DMA raises its own (PLIC 13).
#include <string.h>

#include "firmware.h"

#define IOMMU_BASE 0x10200000UL
#define DMA_BASE 0x10201000UL
#define IRQ_IOMMU 12
#define IRQ_DMA 13
#define DMA_RID 1  // the DMA engine's requester id: its context

// IOMMU registers and bits.
#define IOMMU_CTRL 0x00
#define IOMMU_CONTEXT_BASE 0x08
#define IOMMU_CONTEXT_COUNT 0x10
#define IOMMU_INV_ADDR 0x18
#define IOMMU_INV_CONTEXT 0x20
#define IOMMU_INV_CMD 0x28
#define IOMMU_FAULT_STATUS 0x30
#define IOMMU_FAULT_ADDR 0x38
#define CTRL_ENABLE 1
#define CTRL_FAULT_IRQ 2
#define INV_PAGE 1
#define PTE_V 1
#define PTE_R 2
#define PTE_W 4

// DMA registers and bits.
#define DMA_SRC 0x00
#define DMA_DST 0x08
#define DMA_LEN 0x10
#define DMA_CTRL 0x18
#define DMA_STATUS 0x20
#define DMA_ERROR_ADDR 0x28
#define DMA_START 1
#define DMA_IRQ 2
#define DMA_BUSY 1
#define DMA_DONE 2
#define DMA_ERROR 4

// Input addresses the DMA uses (its IOVAs).
#define IOVA_SRC 0x0000UL  // two pages, read-only
#define IOVA_DST 0x10000UL // two pages, read-write

static uint64_t contexts[4] __attribute__((aligned(4096)));
static uint64_t level1[512] __attribute__((aligned(4096)));
static uint64_t level0[512] __attribute__((aligned(4096)));
static uint8_t src[2 * 4096] __attribute__((aligned(4096)));
static uint8_t dst[2 * 4096] __attribute__((aligned(4096)));

static uint64_t iommu_read(unsigned r) { return mmio_read64(IOMMU_BASE + r); }
static void iommu_write(unsigned r, uint64_t v) { mmio_write64(IOMMU_BASE + r, v); }
static uint64_t dma_read(unsigned r) { return mmio_read64(DMA_BASE + r); }
static void dma_write(unsigned r, uint64_t v) { mmio_write64(DMA_BASE + r, v); }

static void map_page(uint64_t iova, const void* page, uint64_t rights) {
  level0[(iova >> 12) & 511] = (uint64_t)(uintptr_t)page | rights | PTE_V;
}

// Runs one copy; returns DMA STATUS once it is no longer busy.
static uint64_t dma_copy(uint64_t from, uint64_t to, uint64_t length) {
  dma_write(DMA_STATUS, DMA_DONE | DMA_ERROR);
  dma_write(DMA_SRC, from);
  dma_write(DMA_DST, to);
  dma_write(DMA_LEN, length);
  dma_write(DMA_CTRL, DMA_START | DMA_IRQ);
  const uint64_t start = clint_mtime();
  uint64_t status;
  while (((status = dma_read(DMA_STATUS)) & DMA_BUSY) != 0 || (status & (DMA_DONE | DMA_ERROR)) == 0) {
    if (clint_mtime() - start > VIRT_TIMEBASE_HZ) firmware_fail(2, "the DMA never finished");
  }
  return status;
}

static int wait_pending(unsigned irq) {
  const uint64_t start = clint_mtime();
  while (!plic_pending(irq)) {
    if (clint_mtime() - start > VIRT_TIMEBASE_HZ) return 0;
  }
  return 1;
}

// The PLIC hands out `irq` (polled: interrupts stay masked in the hart);
// `clear` lowers the device's line before the completion.
static void claim(unsigned irq, void (*clear)(void)) {
  CHECK(wait_pending(irq));
  CHECK(plic_claim(PLIC_CONTEXT_M) == irq);
  clear();
  plic_complete(PLIC_CONTEXT_M, irq);
}
static void clear_dma(void) { dma_write(DMA_STATUS, DMA_DONE | DMA_ERROR); }
static void clear_fault(void) { iommu_write(IOMMU_FAULT_STATUS, 3); }

int main(void) {
  for (unsigned i = 0; i < sizeof src; ++i) src[i] = (uint8_t)(i * 7 + 1);
  memset(dst, 0, sizeof dst);

  // Tables: the DMA's context -> level 1 -> level 0 -> the pages.
  contexts[DMA_RID] = (uint64_t)(uintptr_t)level1 | PTE_V;
  level1[0] = (uint64_t)(uintptr_t)level0 | PTE_V;
  map_page(IOVA_SRC, src, PTE_R);
  map_page(IOVA_SRC + 0x1000, src + 0x1000, PTE_R);
  map_page(IOVA_DST, dst, PTE_R | PTE_W);
  map_page(IOVA_DST + 0x1000, dst + 0x1000, PTE_R | PTE_W);
  __asm__ volatile("fence rw, rw" ::: "memory");
  iommu_write(IOMMU_CONTEXT_BASE, (uint64_t)(uintptr_t)contexts);
  iommu_write(IOMMU_CONTEXT_COUNT, 4);
  iommu_write(IOMMU_CTRL, CTRL_ENABLE | CTRL_FAULT_IRQ);
  CHECK(iommu_read(IOMMU_CTRL) == (CTRL_ENABLE | CTRL_FAULT_IRQ));

  for (unsigned irq = IRQ_IOMMU; irq <= IRQ_DMA; ++irq) {
    plic_set_priority(irq, 1);
    plic_enable(PLIC_CONTEXT_M, irq, 1);
  }
  plic_set_threshold(PLIC_CONTEXT_M, 0);

  // A copy across both pages on both sides, at offsets.
  uint64_t status = dma_copy(IOVA_SRC + 0x100, IOVA_DST + 0x80, 0x1c00);
  printf("iommu_dma: copy status %lx\n", (unsigned long)status);
  CHECK(status == DMA_DONE);
  CHECK(memcmp(dst + 0x80, src + 0x100, 0x1c00) == 0);
  CHECK(dst[0x7f] == 0 && dst[0x80 + 0x1c00] == 0);
  CHECK(iommu_read(IOMMU_FAULT_STATUS) == 0);
  claim(IRQ_DMA, clear_dma);

  // Unmap the second destination page: entry cleared, then invalidated.
  level0[((IOVA_DST + 0x1000) >> 12) & 511] = 0;
  __asm__ volatile("fence rw, rw" ::: "memory");
  iommu_write(IOMMU_INV_CONTEXT, DMA_RID);
  iommu_write(IOMMU_INV_ADDR, IOVA_DST + 0x1000);
  iommu_write(IOMMU_INV_CMD, INV_PAGE);
  memset(dst, 0, sizeof dst);

  // A copy onto both pages: the first is written, the second faults.
  status = dma_copy(IOVA_SRC, IOVA_DST, 0x2000);
  const uint64_t fault = iommu_read(IOMMU_FAULT_STATUS);
  printf("iommu_dma: after the unmap: status %lx, error at %lx, fault status %lx at %lx\n", (unsigned long)status,
         (unsigned long)dma_read(DMA_ERROR_ADDR), (unsigned long)fault, (unsigned long)iommu_read(IOMMU_FAULT_ADDR));
  CHECK((status & DMA_ERROR) != 0);
  CHECK(dma_read(DMA_ERROR_ADDR) == IOVA_DST + 0x1000);
  CHECK(memcmp(dst, src, 0x1000) == 0);
  for (unsigned i = 0x1000; i < sizeof dst; ++i) CHECK(dst[i] == 0);
  CHECK((fault & 1) != 0);                        // pending
  CHECK((fault & 4) != 0);                        // a write
  CHECK(((fault >> 8) & 0xff) == 1);              // no translation
  CHECK(((fault >> 32) & 0xffff) == DMA_RID);     // the DMA's context
  CHECK(iommu_read(IOMMU_FAULT_ADDR) == IOVA_DST + 0x1000);
  claim(IRQ_IOMMU, clear_fault);
  CHECK(iommu_read(IOMMU_FAULT_STATUS) == 0);
  CHECK(!plic_pending(IRQ_IOMMU));
  claim(IRQ_DMA, clear_dma);
  printf("iommu_dma: pass\n");
  return 0;
}

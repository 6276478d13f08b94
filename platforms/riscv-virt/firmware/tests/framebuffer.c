// Draws on the simple framebuffer (640x480 x8r8g8b8 at 0x4000000): a red
// band at rows 100-131, then, after a frame period, a green square at
// rows 300-309 (x 200-209). The test checks the PNG bands the device wrote.
#include "firmware.h"

#define WIDTH 640
#define FB ((volatile uint32_t*)VIRT_FB_BASE)

static void fill(unsigned x0, unsigned y0, unsigned w, unsigned h, uint32_t xrgb) {
  for (unsigned y = y0; y < y0 + h; ++y) {
    for (unsigned x = x0; x < x0 + w; ++x) FB[y * WIDTH + x] = xrgb;
  }
}

// Waits `ms` milliseconds of machine time (the device refreshes meanwhile).
static void wait_ms(unsigned ms) {
  const uint64_t end = clint_mtime() + (uint64_t)ms * (VIRT_TIMEBASE_HZ / 1000);
  while (clint_mtime() < end) {
  }
}

int main(void) {
  fill(0, 100, WIDTH, 32, 0x00ff0000);
  wait_ms(25);
  fill(200, 300, 10, 10, 0x0000ff00);
  wait_ms(25);
  CHECK(FB[100 * WIDTH] == 0x00ff0000 && FB[305 * WIDTH + 205] == 0x0000ff00);
  printf("framebuffer: drawn\n");
  return 0;
}

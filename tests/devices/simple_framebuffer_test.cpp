// The simple framebuffer: RAM logged by the VGA client; at each refresh (a
// frame period of simulated time) a PNG of the band of rows the changed
// pages cover, and no file when nothing changed.
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

#include "support/tlm_devices.hpp"
#include "tlmmap/devices/simple_framebuffer.hpp"
#include "tlmmap/tlmmap.hpp"

namespace tlmmap {
namespace {

namespace fs = std::filesystem;
using sc_core::sc_time;
using sc_core::SC_MS;

constexpr uint64_t kBase = 0x4000000;

struct Png {
  unsigned width = 0, height = 0;
  std::vector<uint8_t> rgb;
  std::string band;  // the tlmmap-band text
  uint32_t pixel(unsigned x, unsigned y) const {
    const uint8_t* p = &rgb[(uint64_t(y) * width + x) * 3];
    return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  }
};

Png read_png(const std::string& path) {
  Png out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_file(&image, path.c_str())) << path;
  image.format = PNG_FORMAT_RGB;
  out.width = image.width;
  out.height = image.height;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  EXPECT_TRUE(png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr));
  // The text chunk, through the classic API.
  FILE* f = std::fopen(path.c_str(), "rb");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_read_info(png, info);
  png_textp text = nullptr;
  int n = 0;
  png_get_text(png, info, &text, &n);
  for (int i = 0; i < n; ++i) {
    if (std::string(text[i].key) == "tlmmap-band") out.band = text[i].text;
  }
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  return out;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Board {
  Board() : dir(std::string(::testing::TempDir()) + "/fb_test_" + std::to_string(::getpid())) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    SimpleFramebufferConfig c;
    c.output_dir = dir;
    c.frame_period = sc_time(10, SC_MS);
    fb = std::make_unique<SimpleFramebuffer>("fb", c);
    root.add_subregion(kBase, fb->memory());
  }
  ~Board() { fs::remove_all(dir); }
  void pixel(unsigned x, unsigned y, uint32_t xrgb) {
    EXPECT_EQ(space.store(kBase + uint64_t(y) * 2560 + x * 4, 4, xrgb), MemTxResult::ok);
  }

  std::string dir;
  ContainerRegion root{"system", k64BitSpace};
  std::unique_ptr<SimpleFramebuffer> fb;
  AddressSpace space{root, "memory"};
};

TEST(SimpleFramebuffer, IsRamOf640x480x8r8g8b8LoggedForTheVgaClient) {
  Board b;
  EXPECT_EQ(b.fb->stride(), 2560u);
  EXPECT_EQ(b.fb->memory().size(), 640u * 480 * 4);
  EXPECT_EQ(b.fb->memory().dirty_log_mask(), dirty_bit(DirtyClient::vga));
}

TEST(SimpleFramebuffer, NothingDrawnNoFrame) {
  Board b;
  sc_core::sc_start(sc_time(35, SC_MS));
  EXPECT_EQ(b.fb->frames_written(), 0u);
  EXPECT_TRUE(files_in(b.dir).empty());
}

TEST(SimpleFramebuffer, AFrameHoldsOnlyTheBandOfRowsOfTheChangedPages) {
  Board b;
  // Pixel (5, 100) is at byte 256020, in page 62 (bytes 253952-258047),
  // which holds the end of row 99 and the start of row 100.
  b.pixel(5, 100, 0x00ff8000);
  sc_core::sc_start(sc_time(15, SC_MS));  // the refresh at 10 ms
  ASSERT_EQ(files_in(b.dir), std::vector<std::string>{"fb-000001-y0099-h0002.png"});
  const Png png = read_png(b.dir + "/fb-000001-y0099-h0002.png");
  EXPECT_EQ(png.width, 640u);
  EXPECT_EQ(png.height, 2u);
  EXPECT_EQ(png.pixel(5, 1), 0xff8000u) << "row 100 is the band's second";
  EXPECT_EQ(png.pixel(6, 1), 0u);
  EXPECT_EQ(png.band, "frame=1 y=99 rows=2 width=640 height=480");
}

TEST(SimpleFramebuffer, EachRefreshWritesWhatChangedSinceTheLast) {
  Board b;
  b.pixel(0, 0, 0x111111);
  sc_core::sc_start(sc_time(15, SC_MS));
  sc_core::sc_start(sc_time(10, SC_MS));  // the refresh at 20 ms: nothing new
  b.pixel(639, 479, 0x222222);
  b.pixel(0, 300, 0x333333);
  sc_core::sc_start(sc_time(10, SC_MS));  // at 30 ms: rows 299.. to the end
  EXPECT_EQ(files_in(b.dir), (std::vector<std::string>{"fb-000001-y0000-h0002.png", "fb-000003-y0299-h0181.png"}));
  EXPECT_EQ(b.fb->frames_written(), 2u);
  const Png png = read_png(b.dir + "/fb-000003-y0299-h0181.png");
  EXPECT_EQ(png.pixel(0, 1), 0x333333u);
  EXPECT_EQ(png.pixel(639, 180), 0x222222u);
}

TEST(SimpleFramebuffer, ACpuGetsReadOnlyDmiSoItsWritesAreNeverMissed) {
  tlmmap::Bus<32> bus("bus");
  SimpleFramebufferConfig c;
  c.output_dir = "";  // count the bands only
  SimpleFramebuffer fb("fb", c);
  bus.map(kBase, fb.memory());
  test::RecordingInitiator<32> cpu("cpu");
  cpu.socket.bind(bus.target_socket);
  tlm::tlm_dmi dmi;
  EXPECT_FALSE(cpu.dmi(kBase, dmi, tlm::TLM_WRITE_COMMAND) && dmi.is_write_allowed());
  uint32_t white = 0xffffff;
  EXPECT_EQ(cpu.transport(tlm::TLM_WRITE_COMMAND, kBase + 2560 * 200, &white, 4), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(fb.refresh(), "");
  EXPECT_EQ(fb.frames_written(), 1u);
  EXPECT_EQ(fb.last_band_y(), 200u);
  EXPECT_EQ(fb.last_band_rows(), 2u);
}

TEST(SimpleFramebuffer, RefusesAFormatItDoesNotKnow) {
  SimpleFramebufferConfig c;
  c.format = "r5g6b5";
  EXPECT_THROW(SimpleFramebuffer("fb", c), sc_core::sc_report);
}

}  // namespace
}  // namespace tlmmap

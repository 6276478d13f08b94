// A linear framebuffer (Linux's `simple-framebuffer`): RAM the guest draws
// into, at a fixed resolution and format, shown by writing PNG files.
//
// The memory is a RamRegion logged by the VGA dirty client, as QEMU's
// display devices do: at each refresh (one every `frame_period` of
// simulated time) the device syncs the dirty bitmap and, only if some
// pages changed, writes one PNG of the band of rows those pages cover (from
// the first changed row to the last, full width). Nothing changed: no file.
//
// Files: `<output_dir>/<prefix>-<refresh>-y<first row>-h<rows>.png`, with
// <refresh> the refresh's number (the frame at simulated time
// refresh * frame_period, 6 digits), the row and row count 4 digits each,
// e.g. `fb-000003-y0120-h0016.png`. The PNG is 8-bit RGB, the band's pixels
// exactly (x8r8g8b8: the top byte is ignored), and a tEXt chunk
// "tlmmap-band" holds "frame=<refresh> y=<first row> rows=<rows>
// width=<width> height=<height>".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "tlmmap/core/ram_region.hpp"

namespace tlmmap {

struct SimpleFramebufferConfig {
  unsigned width = 640;
  unsigned height = 480;
  // Only x8r8g8b8 (4 bytes per pixel, little-endian 0xXXRRGGBB) for now.
  std::string format = "x8r8g8b8";
  sc_core::sc_time frame_period = sc_core::sc_time(10, sc_core::SC_MS);
  std::string output_dir = ".";  // empty: frames are counted, not written
  std::string prefix = "fb";
};

class SimpleFramebuffer : public sc_core::sc_module {
 public:
  SimpleFramebuffer(sc_core::sc_module_name name, SimpleFramebufferConfig config);
  ~SimpleFramebuffer() override;

  RamRegion& memory() noexcept { return memory_; }
  const SimpleFramebufferConfig& config() const noexcept { return config_; }
  unsigned stride() const noexcept { return config_.width * 4; }

  // One refresh now (what the refresh thread does every frame period):
  // returns the PNG written, or "" if no page changed.
  std::string refresh();
  // Bands written so far (files, or counted when output_dir is empty).
  unsigned frames_written() const noexcept { return frames_written_; }
  // The rows of the last band: first row and count (0, 0 before any).
  unsigned last_band_y() const noexcept { return last_y_; }
  unsigned last_band_rows() const noexcept { return last_rows_; }

 private:
  void run();
  std::string write_band(unsigned y, unsigned rows);

  SimpleFramebufferConfig config_;
  RamRegion memory_;
  uint64_t refreshes_ = 0;
  unsigned frames_written_ = 0;
  unsigned last_y_ = 0;
  unsigned last_rows_ = 0;
};

}  // namespace tlmmap

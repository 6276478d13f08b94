#include "tlmmap/devices/simple_framebuffer.hpp"

#include <png.h>

#include <cstdio>
#include <memory>

#include "tlmmap/core/dirty_memory.hpp"

namespace tlmmap {
namespace {

constexpr const char* kFramebufferMsg = "tlmmap/devices/simple_framebuffer";

uint64_t page_rounded(uint64_t bytes) {
  const uint64_t page = dirty_page_size();
  return (bytes + page - 1) / page * page;
}

std::string config_error(const SimpleFramebufferConfig& c) {
  if (c.format != "x8r8g8b8") return "format '" + c.format + "' (only x8r8g8b8)";
  if (c.width == 0 || c.height == 0 || c.width > 8192 || c.height > 8192) {
    return "size " + std::to_string(c.width) + "x" + std::to_string(c.height);
  }
  if (c.frame_period == sc_core::SC_ZERO_TIME) return "a frame period of zero";
  return "";
}

// Writes rows [y, y + rows) of an x8r8g8b8 buffer as 8-bit RGB.
bool write_png(const std::string& path, const uint8_t* pixels, unsigned width, unsigned stride, unsigned rows,
               const std::string& text) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) return false;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  std::vector<uint8_t> row(width * 3);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_init_io(png, file.get());
  png_set_IHDR(png, info, width, rows, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_text chunk{};
  chunk.compression = PNG_TEXT_COMPRESSION_NONE;
  chunk.key = const_cast<char*>("tlmmap-band");
  chunk.text = const_cast<char*>(text.c_str());
  png_set_text(png, info, &chunk, 1);
  png_write_info(png, info);
  for (unsigned r = 0; r < rows; ++r) {
    const uint8_t* src = pixels + uint64_t(r) * stride;
    for (unsigned x = 0; x < width; ++x) {  // little-endian 0xXXRRGGBB: B, G, R, X in memory
      row[3 * x + 0] = src[4 * x + 2];
      row[3 * x + 1] = src[4 * x + 1];
      row[3 * x + 2] = src[4 * x + 0];
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

SimpleFramebuffer::SimpleFramebuffer(sc_core::sc_module_name name, SimpleFramebufferConfig config)
    : sc_module(name),
      config_(std::move(config)),
      memory_(std::string(this->name()), page_rounded(uint64_t(config_.width) * 4 * config_.height)) {
  const std::string error = config_error(config_);
  if (!error.empty()) {
    SC_REPORT_ERROR(kFramebufferMsg, ("framebuffer '" + std::string(this->name()) + "': " + error).c_str());
    return;
  }
  memory_.set_log(true, DirtyClient::vga);
  SC_HAS_PROCESS(SimpleFramebuffer);
  SC_THREAD(run);
}

SimpleFramebuffer::~SimpleFramebuffer() {
  if (config_error(config_).empty()) memory_.set_log(false, DirtyClient::vga);
}

void SimpleFramebuffer::run() {
  for (;;) {
    sc_core::wait(config_.frame_period);
    refresh();
  }
}

std::string SimpleFramebuffer::refresh() {
  ++refreshes_;
  memory_.sync_dirty_bitmap();
  const uint64_t page = dirty_page_size();
  const uint64_t bytes = uint64_t(stride()) * config_.height;
  uint64_t first = UINT64_MAX, end = 0;
  for (uint64_t at = 0; at < bytes; at += page) {
    if (memory_.test_and_clear_dirty(at, page, DirtyClient::vga)) {
      if (first == UINT64_MAX) first = at;
      end = std::min(at + page, bytes);
    }
  }
  if (first == UINT64_MAX) return "";
  const auto y = static_cast<unsigned>(first / stride());
  const auto rows = static_cast<unsigned>((end + stride() - 1) / stride()) - y;
  last_y_ = y;
  last_rows_ = rows;
  ++frames_written_;
  return write_band(y, rows);
}

std::string SimpleFramebuffer::write_band(unsigned y, unsigned rows) {
  if (config_.output_dir.empty()) return "";
  char file[64];
  std::snprintf(file, sizeof file, "-%06llu-y%04u-h%04u.png", static_cast<unsigned long long>(refreshes_), y, rows);
  const std::string path = config_.output_dir + "/" + config_.prefix + file;
  const std::string text = "frame=" + std::to_string(refreshes_) + " y=" + std::to_string(y) +
                           " rows=" + std::to_string(rows) + " width=" + std::to_string(config_.width) +
                           " height=" + std::to_string(config_.height);
  if (!write_png(path, memory_.host_ptr() + uint64_t(y) * stride(), config_.width, stride(), rows, text)) {
    SC_REPORT_WARNING(kFramebufferMsg,
                      ("framebuffer '" + std::string(name()) + "': cannot write '" + path + "'").c_str());
  }
  return path;
}

}  // namespace tlmmap

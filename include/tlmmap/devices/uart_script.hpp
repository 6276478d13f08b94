// Scripted input for a UART console: each line of a script is typed once
// the guest has printed its prompt, as a person (or expect) would.
//
// Script format (one step per line, in order):
//   TEXT           wait until the guest has printed the prompt since the last
//                  thing sent, then send TEXT and a newline ("\n")
//   (empty line)   the same with nothing but the newline
//   # ...          a comment (no step)
//   @prompt TEXT   the prompt awaited from now on (default "=> ", U-Boot's);
//                  TEXT runs to the end of the line, trailing blanks included
//   @wait TEXT     wait until the guest has printed TEXT, send nothing
//   @send TEXT     send TEXT at once, no newline (e.g. a key that stops a
//                  countdown after `@wait autoboot:`)
// Output is matched from the end of the last thing sent, so a command's echo
// never satisfies the next wait. When sent bytes reach the UART is the
// sender's choice (riscv-virt delivers them 1 ms of simulated time later,
// as QEMU's host-side input arrives while the guest runs on). tests/platforms/riscv-virt/record-qemu.py
// follows the same rules to feed QEMU.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tlmmap/devices/device_state.hpp"

namespace tlmmap {

class UartScript {
 public:
  struct Step {
    enum class Kind { line, wait, send, prompt } kind;
    std::string text;
  };

  // Reports (SC_REPORT_ERROR naming the origin and line) an unknown directive.
  static UartScript parse(const std::string& text, const std::string& origin = "script");
  static UartScript load_file(const std::string& path);

  // Where sent bytes go (a Uart16550's receive()).
  void set_sender(std::function<void(const std::string&)> send) { send_ = std::move(send); }
  // Feed every byte the guest prints; sends what becomes due. Call start()
  // once before the first byte to send what is due at once.
  void start();
  void output(char c);

  bool finished() const noexcept { return next_ == steps_.size(); }
  // Checkpoints (device_state.hpp), under `prefix`: the next step, the
  // number of steps (a restore refuses another script) and the output seen
  // since the last send (a prompt printed in part before the checkpoint).
  void save_state(DeviceState& state, const std::string& prefix) const;
  void restore_state(const DeviceState& state, const std::string& prefix);
  const std::vector<Step>& steps() const noexcept { return steps_; }

 private:
  void advance();

  std::vector<Step> steps_;
  std::size_t next_ = 0;
  static constexpr const char* kDefaultPrompt = "=> ";  // U-Boot's
  std::string prompt_ = kDefaultPrompt;
  std::string seen_;  // output since the last send
  std::function<void(const std::string&)> send_;
};

}  // namespace tlmmap

// `tlmmap monitor`: a scriptable console over a map, in the spirit of QEMU's
// monitor. It reads one command per line and prints what docs/monitor.md
// describes, precisely enough for another program to drive it and parse it.
//
// Commands run against the map through the public API, exactly as a C++
// program would make the same calls: `info mtree`, memory dumps and writes
// through an address space, every map change with begin/commit, listener
// tracing, dirty logging and checkpoints. A bad command prints one line
// ("error: line N: COMMAND: ...") and changes nothing; the monitor goes on
// unless told to stop at the first error.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>

#include "tlmmap/core/memory_map.hpp"

namespace tlmmap {

struct MonitorOptions {
  // Prints "(tlmmap) <line>" before the output of each command line: what
  // a program reading the output splits it on.
  bool echo = false;
  // run() stops at the first error.
  bool stop_on_error = false;
  // Prints "(tlmmap) " before reading each line (an interactive terminal).
  bool prompt = false;
};

class Monitor {
 public:
  // The map and the stream must outlive the monitor.
  Monitor(MemoryMap& map, std::ostream& out, MonitorOptions options = {});
  // Stops tracing and commits the transactions the monitor left open.
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  // Runs one line (a command, a comment or nothing); false if it was
  // refused (one error line was printed). Lines are numbered from 1 in the
  // order they are given.
  bool execute(const std::string& line);
  // Runs every line of `in` until its end, `quit`, or (with stop_on_error)
  // the first error; then closes the transactions left open (an error).
  // Returns 0 if no command failed, 1 otherwise.
  int run(std::istream& in);

  // Commands refused so far.
  std::size_t errors() const noexcept;
  // `quit` was given.
  bool quit_requested() const noexcept;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tlmmap

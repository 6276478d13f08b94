#!/usr/bin/env bash
# Builds everything and runs every test (one process per test, see tests/).
#   TLMMAP_BUILD_DIR   build directory (default: build)
#   TLMMAP_SANITIZE=ON build with AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
build="${TLMMAP_BUILD_DIR:-build}"
sanitize="${TLMMAP_SANITIZE:-OFF}"
extra=()
if [ "$sanitize" = "ON" ]; then
  # Benchmarks measure nothing useful under sanitizers.
  extra+=(-DTLMMAP_BUILD_BENCHMARKS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
cmake -S . -B "$build" -G Ninja -DTLMMAP_SANITIZE="$sanitize" "${extra[@]}" >/dev/null
cmake --build "$build"
cd "$build"
# detect_leaks=0: LeakSanitizer trips over SystemC's QuickThreads stacks (docs/toolchain notes).
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --output-on-failure -j"$(nproc)"

#!/usr/bin/env bash
# Builds everything and runs every test (one process per test, see tests/).
#   TLMMAP_BUILD_DIR   build directory (default: build)
#   TLMMAP_SANITIZE    ON (or address): AddressSanitizer + UndefinedBehaviorSanitizer, everything;
#                      thread: ThreadSanitizer, the tests with host threads only (label `threads`)
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
build="${TLMMAP_BUILD_DIR:-build}"
sanitize="${TLMMAP_SANITIZE:-OFF}"
extra=()
targets=()
labels=()
case "$sanitize" in
  OFF) ;;
  thread)
    extra+=(-DTLMMAP_BUILD_BENCHMARKS=OFF -DTLMMAP_BUILD_EXAMPLES=OFF -DTLMMAP_BUILD_TOOLS=OFF)
    targets+=(--target tlmmap_threaded_tests)
    labels+=(-L threads)
    ;;
  *)
    # Benchmarks measure nothing useful under sanitizers.
    extra+=(-DTLMMAP_BUILD_BENCHMARKS=OFF)
    ;;
esac
# Line tables only (-g1): stack traces stay readable, the build takes a fifth less.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DTLMMAP_SANITIZE="$sanitize" "${extra[@]}" >/dev/null
cmake --build "$build" "${targets[@]}"
cd "$build"
# detect_leaks=0: LeakSanitizer trips over SystemC's QuickThreads stacks (docs/toolchain notes).
ASAN_OPTIONS="detect_leaks=0:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  TSAN_OPTIONS="halt_on_error=1" ctest --output-on-failure -j"$(nproc)" "${labels[@]}"

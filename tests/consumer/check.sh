#!/usr/bin/env bash
# ctest: the consumer project builds and runs against tlmmap one way:
#   installed     find_package(tlmmap) after cmake --install
#   subdirectory  add_subdirectory of the source tree
#   check.sh SOURCE_DIR BUILD_DIR WORK_DIR installed|subdirectory [SANITIZE]
set -euo pipefail
source_dir=$1 build_dir=$2 work=$3 mode=$4 sanitize=${5:-OFF}
# A sanitized libtlmmap needs its runtime in the consumer's link too.
flags=()
case "$sanitize" in
  ON|on|1|TRUE|true|YES|yes|address)
    flags=(-DCMAKE_CXX_FLAGS="-fsanitize=address,undefined" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined")
    ;;
esac
rm -rf "$work" && mkdir -p "$work"
export SC_COPYRIGHT_MESSAGE=DISABLE
expected="  0000000000001000-0000000000001fff (prio 0, ram): ram"
# Neither needs SystemC's library when it uses the core only.
no_systemc() {
  if ldd "$1" | grep -q libsystemc; then
    echo "$1 links libsystemc" >&2
    return 1
  fi
}

installed() {
  cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
  cmake -S "$source_dir/tests/consumer" -B "$work/installed" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" "${flags[@]}" >/dev/null
  cmake --build "$work/installed" >/dev/null
  "$work/installed/consumer" | grep -qxF "$expected"
  "$work/installed/core_consumer" | grep -qxF "$expected"
  no_systemc "$work/installed/core_consumer"
  echo "find_package(tlmmap) after cmake --install: OK"
}

subdirectory() {
  cmake -S "$source_dir/tests/consumer" -B "$work/subdir" -G Ninja -DTLMMAP_SOURCE="$source_dir" -DTLMMAP_SANITIZE="$sanitize" "${flags[@]}" >/dev/null
  cmake --build "$work/subdir" --target consumer core_consumer >/dev/null
  "$work/subdir/consumer" | grep -qxF "$expected"
  "$work/subdir/core_consumer" | grep -qxF "$expected"
  no_systemc "$work/subdir/core_consumer"
  echo "add_subdirectory(tlmmap): OK"
}

case "$mode" in
  installed) installed ;;
  subdirectory) subdirectory ;;
  *) echo "check.sh: unknown mode '$mode' (installed or subdirectory)" >&2; exit 2 ;;
esac

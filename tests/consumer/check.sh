#!/usr/bin/env bash
# ctest: the consumer project builds and runs against tlmmap both ways.
#   check.sh SOURCE_DIR BUILD_DIR WORK_DIR
set -euo pipefail
source_dir=$1 build_dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export SC_COPYRIGHT_MESSAGE=DISABLE
expected="  0000000000001000-0000000000001fff (prio 0, ram): ram"

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/consumer" -B "$work/installed" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/installed" >/dev/null
"$work/installed/consumer" | grep -qxF "$expected"
echo "find_package(tlmmap) after cmake --install: OK"

cmake -S "$source_dir/tests/consumer" -B "$work/subdir" -G Ninja -DTLMMAP_SOURCE="$source_dir" >/dev/null
cmake --build "$work/subdir" --target consumer >/dev/null
"$work/subdir/consumer" | grep -qxF "$expected"
echo "add_subdirectory(tlmmap): OK"

#!/usr/bin/env bash
# Builds and runs the PC memory map demo.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/dev/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target pc_memory_map tlmmap-cli
SC_COPYRIGHT_MESSAGE=DISABLE ./build/examples/pc_memory_map

#!/usr/bin/env bash
# Installs the Debian 12 packages tlmmap builds with (only those missing).
set -euo pipefail
packages=(cmake ninja-build pkg-config g++ libsystemc-dev libsystemc-doc libboost-dev
          libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
          libunicorn-dev gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf libpng-dev verilator
          libfdt-dev device-tree-compiler opensbi u-boot-qemu
          qemu-system-misc)  # the reference our firmware tests are checked against
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get -o DPkg::Lock::Timeout=300 update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"

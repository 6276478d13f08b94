#!/usr/bin/env bash
# Runs one of our firmware programs on QEMU's virt machine, the reference
# for the semantics they test: passes if it exits through sifive_test with
# the pass code (QEMU's exit status is then 0; a fail code is the status).
# usage: firmware_on_qemu.sh <qemu-system-riscv64> <program.elf> [input file for the UART]
set -euo pipefail
qemu=$1 elf=$2 input=${3:-/dev/null}
timeout 60 "$qemu" -M virt -m 128M -bios none -nographic -kernel "$elf" < "$input"

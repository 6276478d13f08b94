#!/usr/bin/python3
"""Records QEMU's console log of a firmware session, fed by a UART input
script with the same rules as riscv-virt's --uart-input
(include/tlmmap/devices/uart_script.hpp): a line is typed once the prompt
has been printed since the last send, @wait TEXT waits, @send TEXT types
without a newline, @prompt TEXT changes the prompt.

  record-qemu.py SCRIPT LOG [BIOS [KERNEL]]

Re-record the test data with:
  tests/platforms/riscv-virt/record-qemu.py tests/platforms/riscv-virt/uboot.script \
      tests/platforms/riscv-virt/uboot.qemu.log
"""
import os
import select
import subprocess
import sys
import time

BIOS = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
KERNEL = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


def parse(path):
    steps = []
    for number, line in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        line = line.rstrip("\r")
        if line.startswith("#"):
            continue
        if line.startswith("@"):
            word, _, rest = line[1:].partition(" ")
            if word not in ("prompt", "wait", "send") or not rest:
                sys.exit(f"{path}:{number}: bad directive '{line}'")
            steps.append((word, rest))
        else:
            steps.append(("line", line))
    # A final newline ends the last line; it is not an empty step.
    if steps and steps[-1] == ("line", ""):
        steps.pop()
    return steps


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    script, log = sys.argv[1], sys.argv[2]
    bios = sys.argv[3] if len(sys.argv) > 3 else BIOS
    kernel = sys.argv[4] if len(sys.argv) > 4 else KERNEL
    steps = parse(script)
    qemu = subprocess.Popen(
        ["qemu-system-riscv64", "-M", "virt", "-m", "128M", "-nographic", "-bios", bios, "-kernel", kernel],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = bytearray()
    seen = b""
    prompt = b"=> "
    step = 0
    deadline = time.time() + 120

    def advance():
        nonlocal step, seen, prompt
        while step < len(steps):
            kind, text = steps[step]
            data = text.encode()
            if kind == "prompt":
                prompt = data
            elif kind in ("wait", "line"):
                awaited = data if kind == "wait" else prompt
                at = seen.find(awaited)
                if at < 0:
                    return
                seen = seen[at + len(awaited):]
                if kind == "line":
                    seen = b""
                    qemu.stdin.write(data + b"\n")
                    qemu.stdin.flush()
            else:
                seen = b""
                qemu.stdin.write(data)
                qemu.stdin.flush()
            step += 1

    advance()
    while time.time() < deadline:
        ready, _, _ = select.select([qemu.stdout], [], [], 1.0)
        if not ready:
            if qemu.poll() is not None:
                break
            continue
        chunk = os.read(qemu.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
        for byte in chunk:
            if step < len(steps):
                seen += bytes([byte])
                advance()
    qemu.kill()
    qemu.wait()
    with open(log, "wb") as f:
        f.write(bytes(out))
    if step < len(steps):
        sys.exit(f"QEMU's session ended before the script did (at step {step + 1} of {len(steps)})")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Capture QEMU `info mtree` dumps of many machines as golden test cases.

For each machine: start QEMU paused with a QMP socket, fetch
`info mtree`, `info mtree -D` and `info mtree -f` through
`human-monitor-command`, turn CRLF into LF and write

    OUT/<arch>-<machine>[-variant]/cmdline.txt, tree.txt, tree-D.txt, flat.txt

Standard library only.  Usage:

    capture.py [--out DIR] [--timeout SEC] [--list] [--keep-big] [NAME_GLOB ...]

NAME_GLOB selects cases by name (fnmatch), e.g. 'arm-*'.  Machines that do
not start (with the primary and the fallback arguments) are skipped and
listed at the end; so are machines whose three dumps exceed --max-bytes.
"""

import argparse
import fnmatch
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "qemu-cases"))

# (case name, qemu arch, machine, [extra args], [[fallback extra args], ...])
# Extra args are inserted after -machine, like the shared cmdline.txt files.
MACHINES = [
    # x86
    ("x86_64-pc", "x86_64", "pc", ["-m", "512"], []),
    ("x86_64-q35", "x86_64", "q35", ["-m", "512"], []),
    ("x86_64-q35-devices", "x86_64", "q35",
     ["-m", "512", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
      "-device", "e1000e,bus=rp1", "-device", "pci-bridge,id=br1,chassis_nr=2",
      "-device", "ich9-usb-ehci1", "-device", "VGA"], []),
    ("x86_64-pc-vga", "x86_64", "pc", ["-m", "512", "-device", "VGA",
                                       "-device", "e1000"], []),
    ("x86_64-q35-intel-iommu", "x86_64", "q35,kernel-irqchip=split",
     ["-m", "512", "-device", "intel-iommu,intremap=off", "-device", "e1000e"], []),
    ("x86_64-pc-nvdimm-dimm", "x86_64", "pc,nvdimm=on",
     ["-m", "512,slots=2,maxmem=2G",
      "-object", "memory-backend-ram,id=mem1,size=128M", "-device", "nvdimm,memdev=mem1",
      "-object", "memory-backend-ram,id=mem2,size=256M", "-device", "pc-dimm,memdev=mem2"], []),
    ("x86_64-isapc", "x86_64", "isapc", ["-m", "32"], []),
    ("x86_64-microvm", "x86_64", "microvm", ["-m", "256"], []),
    ("i386-pc", "i386", "pc", ["-m", "128"], []),
    ("i386-q35", "i386", "q35", ["-m", "128"], []),
    # arm / aarch64
    ("arm-mps2-an385", "arm", "mps2-an385", [], []),
    ("arm-mps2-an500", "arm", "mps2-an500", [], []),
    ("arm-mps2-an505", "arm", "mps2-an505", [], []),
    ("arm-mps2-an511", "arm", "mps2-an511", [], []),
    ("arm-mps2-an521", "arm", "mps2-an521", [], []),
    ("arm-mps3-an524", "arm", "mps3-an524", [], []),
    ("arm-mps3-an547", "arm", "mps3-an547", [], []),
    ("arm-musca-a", "arm", "musca-a", [], []),
    ("arm-musca-b1", "arm", "musca-b1", [], []),
    ("arm-vexpress-a9", "arm", "vexpress-a9", [], []),
    ("arm-vexpress-a15", "arm", "vexpress-a15", [], []),
    ("arm-versatilepb", "arm", "versatilepb", [], []),
    ("arm-realview-eb-mpcore", "arm", "realview-eb-mpcore", [], []),
    ("arm-virt", "arm", "virt", ["-m", "256"], []),
    ("arm-raspi2b", "arm", "raspi2b", [], []),
    ("arm-xilinx-zynq-a9", "arm", "xilinx-zynq-a9", [], []),
    ("arm-stm32vldiscovery", "arm", "stm32vldiscovery", [], []),
    ("arm-netduinoplus2", "arm", "netduinoplus2", [], []),
    ("arm-microbit", "arm", "microbit", [], []),
    ("arm-lm3s6965evb", "arm", "lm3s6965evb", [], []),
    ("arm-integratorcp", "arm", "integratorcp", [], []),
    ("arm-sabrelite", "arm", "sabrelite", [], []),
    ("arm-cubieboard", "arm", "cubieboard", [], []),
    ("arm-highbank", "arm", "highbank", [], []),
    ("arm-musicpal", "arm", "musicpal", [], []),
    ("arm-collie", "arm", "collie", [], []),
    ("arm-canon-a1100", "arm", "canon-a1100", [], [["-bios", "{ZERO}"]]),
    ("arm-emcraft-sf2", "arm", "emcraft-sf2", [], []),
    ("arm-mcimx6ul-evk", "arm", "mcimx6ul-evk", [], []),
    ("arm-ast2500-evb", "arm", "ast2500-evb", [], []),
    ("arm-npcm750-evb", "arm", "npcm750-evb", [], []),
    ("arm-orangepi-pc", "arm", "orangepi-pc", [], []),
    ("arm-smdkc210", "arm", "smdkc210", [], []),
    ("arm-sx1", "arm", "sx1", [], [["-kernel", "{ZERO}"]]),
    ("arm-z2", "arm", "z2", [], []),
    ("aarch64-virt", "aarch64", "virt", ["-m", "512", "-cpu", "cortex-a57"], []),
    ("aarch64-virt-secure", "aarch64", "virt,secure=on,virtualization=on",
     ["-m", "256", "-cpu", "cortex-a57"], []),
    ("aarch64-virt-smmuv3", "aarch64", "virt,iommu=smmuv3",
     ["-m", "256", "-cpu", "cortex-a57", "-device", "virtio-net-pci"], []),
    ("aarch64-xlnx-zcu102", "aarch64", "xlnx-zcu102", [], []),
    ("aarch64-sbsa-ref", "aarch64", "sbsa-ref", [], []),
    ("aarch64-xlnx-versal-virt", "aarch64", "xlnx-versal-virt", [], []),
    # riscv
    ("riscv64-virt", "riscv64", "virt", ["-m", "512"], []),
    ("riscv64-sifive_u", "riscv64", "sifive_u", [], []),
    ("riscv64-microchip-icicle-kit", "riscv64", "microchip-icicle-kit", [], []),
    ("riscv64-spike", "riscv64", "spike", [], []),
    ("riscv64-shakti_c", "riscv64", "shakti_c", [], []),
    ("riscv32-sifive_e", "riscv32", "sifive_e", [], []),
    ("riscv32-opentitan", "riscv32", "opentitan", [], []),
    ("riscv32-virt", "riscv32", "virt", ["-m", "128"], []),
    # ppc
    ("ppc-40p", "ppc", "40p", [], []),
    ("ppc-mac99", "ppc", "mac99", [], []),
    ("ppc-g3beige", "ppc", "g3beige", [], []),
    ("ppc-bamboo", "ppc", "bamboo", [], []),
    ("ppc-mpc8544ds", "ppc", "mpc8544ds", [], [["-bios", "{ZERO}"]]),
    ("ppc-ppce500", "ppc", "ppce500", [], [["-bios", "{ZERO}"]]),
    ("ppc-sam460ex", "ppc", "sam460ex", [], []),
    ("ppc-pegasos2", "ppc", "pegasos2", [], []),
    ("ppc-ref405ep", "ppc", "ref405ep", [], []),
    ("ppc-virtex-ml507", "ppc", "virtex-ml507", [], []),
    ("ppc64-powernv9", "ppc64", "powernv9", [], []),
    ("ppc64-powernv8", "ppc64", "powernv8", [], []),
    ("ppc64-pseries", "ppc64", "pseries", ["-m", "512"], []),
    ("ppc64-mac99", "ppc64", "mac99", [], []),
    # mips
    ("mips-malta", "mips", "malta", [], []),
    ("mips-mipssim", "mips", "mipssim", [], []),
    ("mips64-pica61", "mips64", "pica61", [], []),
    ("mips64el-magnum", "mips64el", "magnum", [], []),
    ("mips64el-boston", "mips64el", "boston", [], [["-m", "1G", "-bios", "{ZERO}"]]),
    ("mips64el-fuloong2e", "mips64el", "fuloong2e", [], []),
    ("mips64el-loongson3-virt", "mips64el", "loongson3-virt", ["-m", "512"], [["-m", "512", "-bios", "{ZERO}"]]),
    # sparc
    ("sparc-SS-5", "sparc", "SS-5", [], []),
    ("sparc-SS-20", "sparc", "SS-20", [], []),
    ("sparc-leon3_generic", "sparc", "leon3_generic", [], [["-bios", "{ZERO}"]]),
    ("sparc-Voyager", "sparc", "Voyager", [], []),
    ("sparc64-sun4u", "sparc64", "sun4u", [], []),
    ("sparc64-niagara", "sparc64", "niagara", [], [["-bios", "{ZERO}"]]),
    # firmware run for a few seconds (QMP cont, sleep, stop) before the dumps:
    # PAM/SMRAM programmed, bus mastering on, BARs mapped, ...
    ("x86_64-pc-seabios-run", "x86_64", "pc", ["-m", "512", "-device", "e1000",
                                               "-device", "VGA"], [], {"run": 3}),
    ("x86_64-q35-seabios-run", "x86_64", "q35",
     ["-m", "512", "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1",
      "-device", "e1000e,bus=rp1", "-device", "pci-bridge,id=br1,chassis_nr=2",
      "-device", "ich9-usb-ehci1", "-device", "VGA"], [], {"run": 3}),
    ("sparc64-sun4u-run", "sparc64", "sun4u", [], [], {"run": 3}),
    ("ppc-mac99-run", "ppc", "mac99", [], [], {"run": 3}),
    ("ppc64-powernv9-run", "ppc64", "powernv9", [], [], {"run": 3}),
    ("hppa-hppa-run", "hppa", "hppa", ["-no-shutdown"], [], {"run": 3}),
    ("alpha-clipper-run", "alpha", "clipper", [], [], {"run": 3}),
    # others
    ("sh4-r2d", "sh4", "r2d", [], []),
    ("sh4-shix", "sh4", "shix", [], [["-bios", "{ZERO}"]]),
    ("m68k-q800", "m68k", "q800", [], [["-bios", "{ZERO}"]]),
    ("m68k-virt", "m68k", "virt", [], []),
    ("m68k-mcf5208evb", "m68k", "mcf5208evb", [], [["-kernel", "{ZERO}"]]),
    ("m68k-an5206", "m68k", "an5206", [], [["-kernel", "{ZERO}"]]),
    ("m68k-next-cube", "m68k", "next-cube", [], []),
    ("alpha-clipper", "alpha", "clipper", [], []),
    ("hppa-hppa", "hppa", "hppa", [], []),
    ("s390x-s390-ccw-virtio", "s390x", "s390-ccw-virtio", ["-m", "512"], []),
    ("xtensa-lx60", "xtensa", "lx60", [], []),
    ("xtensa-ml605", "xtensa", "ml605", [], []),
    ("xtensa-virt", "xtensa", "virt", [], []),
    ("xtensa-sim", "xtensa", "sim", [], []),
    ("microblaze-petalogix-s3adsp1800", "microblaze", "petalogix-s3adsp1800", [], []),
    ("microblaze-petalogix-ml605", "microblazeel", "petalogix-ml605", [], []),
    ("microblaze-xlnx-zynqmp-pmu", "microblazeel", "xlnx-zynqmp-pmu", [], []),
    ("or1k-or1k-sim", "or1k", "or1k-sim", [], []),
    ("or1k-virt", "or1k", "virt", [], []),
    ("loongarch64-virt", "loongarch64", "virt", ["-m", "1024"], []),
    ("avr-mega2560", "avr", "mega2560", [], []),
    ("avr-uno", "avr", "uno", [], []),
    ("rx-gdbsim-r5f562n8", "rx", "gdbsim-r5f562n8", [], []),
    ("tricore-KIT_AURIX_TC277_TRB", "tricore", "KIT_AURIX_TC277_TRB", [], []),
    ("tricore-tricore_testboard", "tricore", "tricore_testboard", [], []),
    ("cris-axis-dev88", "cris", "axis-dev88", [], [["-kernel", "{ZERO}"]]),
    ("nios2-10m50-ghrd", "nios2", "10m50-ghrd", [], []),
]

# Generic fallbacks tried after the machine's own ones.
GENERIC_FALLBACKS = [["-bios", "none"], ["-m", "256"]]


ZERO_SIZE = 1 << 20   # bytes of the dummy firmware/kernel image "{ZERO}"
ZERO_SHOWN = "/tmp/zero.bin"


def qemu_cmd(arch, machine, extra, sock, zero=ZERO_SHOWN):
    extra = [x.replace("{ZERO}", zero) for x in extra]
    return (["qemu-system-" + arch, "-machine", machine + ",accel=tcg"] + extra +
            ["-S", "-display", "none",
             "-qmp", "unix:%s,server=on,wait=off" % sock,
             "-nodefaults", "-serial", "null"])


class QMP:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError("no QMP greeting: %r" % greeting)

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise RuntimeError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8", "surrogateescape"))

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError("QMP error: %r" % r["error"])
            # asynchronous event: ignore

    def hmp(self, line):
        out = self.cmd("human-monitor-command", **{"command-line": line})
        return out.replace("\r\n", "\n")

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def try_capture(arch, machine, extra, timeout, run=0):
    """Returns (dict of texts, None) or (None, error string)."""
    tmpd = tempfile.mkdtemp(prefix="qcap")
    sock = os.path.join(tmpd, "qmp.sock")
    zero = os.path.join(tmpd, "zero.bin")
    with open(zero, "wb") as f:
        f.write(bytes(ZERO_SIZE))
    cmd = qemu_cmd(arch, machine, extra, sock, zero)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        shutil.rmtree(tmpd, ignore_errors=True)
        return None, str(e)
    try:
        deadline = time.time() + timeout
        q = None
        while time.time() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace").strip()
                return None, "exited %d: %s" % (proc.returncode, err.splitlines()[-1] if err else "")
            if os.path.exists(sock):
                try:
                    q = QMP(sock, max(1.0, deadline - time.time()))
                    break
                except (OSError, RuntimeError):
                    pass
            time.sleep(0.05)
        if q is None:
            return None, "timeout waiting for QMP"
        try:
            q.cmd("qmp_capabilities")
            if run:
                q.cmd("cont")
                time.sleep(run)
                q.cmd("stop")
            out = {
                "tree.txt": q.hmp("info mtree"),
                "tree-D.txt": q.hmp("info mtree -D"),
                "flat.txt": q.hmp("info mtree -f"),
            }
        except (OSError, RuntimeError, socket.timeout) as e:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            err = ""
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace").strip()
                err = " (exited %d: %s)" % (proc.returncode,
                                           err.splitlines()[-1] if err else "")
            return None, "QMP failed: %s%s" % (e, err)
        finally:
            q.close()
        return out, None
    finally:
        if proc.poll() is None:
            proc.kill()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for f in (proc.stdout, proc.stderr):
            f.close()
        shutil.rmtree(tmpd, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024)
    ap.add_argument("--list", action="store_true", help="list known cases and exit")
    ap.add_argument("patterns", nargs="*")
    a = ap.parse_args()

    sel = [m for m in MACHINES
           if not a.patterns or any(fnmatch.fnmatch(m[0], p) for p in a.patterns)]
    if a.list:
        for m in sel:
            print(m[0], " ".join(qemu_cmd(m[1], m[2], m[3], "/tmp/qmp.sock")))
        return 0
    skipped = []
    written = []
    for spec in sel:
        name, arch, machine, extra, fallbacks = spec[:5]
        opts = spec[5] if len(spec) > 5 else {}
        run = opts.get("run", 0)
        if not shutil.which("qemu-system-" + arch):
            skipped.append((name, "qemu-system-%s not installed" % arch))
            continue
        errors = []
        got = None
        for ex in [extra] + fallbacks + [extra + g for g in GENERIC_FALLBACKS]:
            out, err = try_capture(arch, machine, ex, a.timeout + run, run)
            if out is not None:
                got = (out, ex)
                break
            errors.append("%s -> %s" % (" ".join(ex) or "(no extra args)", err))
        if got is None:
            skipped.append((name, "; ".join(errors)))
            print("SKIP %s: %s" % (name, errors[0]), file=sys.stderr)
            continue
        out, ex = got
        total = sum(len(v.encode()) for v in out.values())
        if total > a.max_bytes:
            skipped.append((name, "dumps too big (%d bytes)" % total))
            print("SKIP %s: too big (%d bytes)" % (name, total), file=sys.stderr)
            continue
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "cmdline.txt"), "w") as f:
            f.write(" ".join(qemu_cmd(arch, machine, ex, "/tmp/qmp.sock")) + "\n")
            if run:
                f.write("# then over QMP: cont, %g s, stop; dumps taken after that\n" % run)
        for fn, text in out.items():
            with open(os.path.join(d, fn), "w") as f:
                f.write(text)
        written.append(name)
        print("OK   %s (%d bytes)" % (name, total), file=sys.stderr)
    print("written: %d, skipped: %d" % (len(written), len(skipped)))
    for n, why in skipped:
        print("skipped %s: %s" % (n, why))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Per-op AArch64 instruction counts of one Minnow inference, under qemu-aarch64 with the icount
plugin of ../shared/armcount (run `bash ../shared/armcount/count.sh setup` once first).

    make -C Firmware aarch64-linux
    python3 Tools/armcount_ops.py model.q8 input.bin [--cpu cortex-a76] [--top 0]

Runs Firmware/build/aarch64-linux/minnow-profile, which calls the plugin's snapshot marker
(getpriority(PRIO_PROCESS, 0x4d494e)) before each op and after the last, and prints per op: the
kernel as `minnow bench` names it, its instructions, their share, instructions per
multiply-accumulate and the SIMD share. Counts are deterministic: the same binary, model, input
and CPU give the same figures on any host. `--cpu cortex-a72` is a core without SDOT (the NEON
kernels run), `cortex-a76` one with it.
"""
import argparse, collections, os, subprocess, sys, tempfile

SIMD = ("simd-vector", "simd-scalar", "simdfp-ldst", "sve", "sme", "fp-scalar")


def snapshots(path):
    """{snapshot: (instructions, SIMD instructions)}; the plugin's counters are cumulative."""
    total, simd = collections.Counter(), collections.Counter()
    with open(path) as f:
        for line in f:
            snap, cls, _, count = line.rstrip("\n").split("\t")
            total[snap] += int(count)
            if cls in SIMD:
                simd[snap] += int(count)
    return total, simd


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="a model.q8 (minnow quantize / minnow import)")
    ap.add_argument("input", help="one raw int8 input tensor")
    ap.add_argument("--cpu", default="cortex-a76", help="QEMU CPU model (cortex-a76: SDOT; cortex-a72: none)")
    ap.add_argument("--armcount-dir", default=os.environ.get("ARMCOUNT_DIR", "/tmp/armcount"))
    ap.add_argument("--top", type=int, default=0, help="print only the N ops with most instructions")
    args = ap.parse_args()

    plugin = os.path.join(args.armcount_dir, "plugins", "libicount.so")
    profile = os.path.join(root, "Firmware", "build", "aarch64-linux", "minnow-profile")
    for path, how in ((plugin, "bash ../shared/armcount/count.sh setup"), (profile, "make -C Firmware aarch64-linux")):
        if not os.path.exists(path):
            sys.exit(f"armcount_ops: {path} is missing (run `{how}`)")
    with tempfile.TemporaryDirectory() as tmp:
        tsv = os.path.join(tmp, "icount.tsv")
        run = subprocess.run(["qemu-aarch64", "-cpu", args.cpu, "-plugin", f"{plugin},out={tsv}", profile, args.model, args.input],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"armcount_ops: minnow-profile failed: {run.stderr.strip()}")
        total, simd = snapshots(tsv)
    ops = [line.split("\t") for line in run.stdout.splitlines() if line.count("\t") == 2]
    rows = []
    for index, kernel, macs in ops:
        a, b = str(int(index)), str(int(index) + 1)
        rows.append((int(index), kernel, int(macs), total[b] - total[a], simd[b] - simd[a]))
    whole = sum(r[3] for r in rows)
    print(f"{os.path.basename(args.model)} on {args.cpu}: {whole:,} instructions in {len(rows)} ops "
          f"(input and output copies not included)")
    print(f"{'op':>3}  {'kernel':44s} {'instructions':>13} {'share':>6} {'per MAC':>8} {'SIMD':>5}")
    shown = sorted(rows, key=lambda r: -r[3])[:args.top] if args.top else rows
    for index, kernel, macs, count, vector in shown:
        per_mac = f"{count / macs:8.2f}" if macs else f"{'-':>8}"
        print(f"{index:3d}  {kernel:44s} {count:13,} {100 * count / whole:5.1f}% {per_mac} {100 * vector / max(count, 1):4.0f}%")
    by_kernel = collections.Counter()
    for _, kernel, _, count, _ in rows:
        by_kernel[kernel] += count
    print("by kernel: " + ", ".join(f"{k} {100 * v / whole:.1f}%" for k, v in by_kernel.most_common()))


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # output cut short by a pager or `head`
        sys.stderr.close()

#!/usr/bin/env python3
"""Throws bad inputs at every minnow subcommand and fails on any trap, hang, silent acceptance or
data loss.

Cases, made here from the shipped models and samples (and ../shared/outside when present):
truncated, mutated and empty model.q8, model.bin and .tflite files (model.q8 and model.bin
mutations get their size and CRC fields resealed, so they reach the validators), directories and
missing files where files are expected, model.bin files with huge but finite weights, IDX sets
with 0 images, 2 or 4 channels or trailing bytes, truncated and palette-corrupt PNGs, raw inputs
of the wrong size, outputs that are the input itself through a symbolic link, secondary outputs
(--raw-output, --report, --plot, export's files) over an input or another output, output folders
that do not exist, and writes cut off half-way by a file-size limit (a full disk).

Each run is judged: a signal (a Swift trap is SIGILL or SIGTRAP) or an exit code above 1 is a
trap; more than --timeout seconds is a hang; exit 0 on a case that must be refused is a silent
acceptance; an input file, or a file that must not be overwritten, whose bytes changed is data
loss. Exit status 1 if any was seen.

Usage: Tools/bad-input-sweep.py [--minnow .build/release/minnow] [--mutations 300] [--sample] [--seed 1]
(--sample: a few dozen cases, what the test suite runs.)
"""
import argparse, gzip, hashlib, os, random, resource, shutil, signal, struct, subprocess, sys, tempfile, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def digest(path):
    if not os.path.isfile(path):
        return None
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


class Sweep:
    def __init__(self, minnow, timeout):
        self.minnow, self.timeout = minnow, timeout
        self.counts = {"cases": 0, "refused": 0, "ran": 0, "traps": 0, "hangs": 0, "silent": 0, "lost": 0}
        self.problems = []

    def run(self, args, must_fail, keep=(), file_size_limit=None):
        """Runs minnow with args; `keep` files must be byte-identical afterwards. With
        `file_size_limit` (bytes), every file it writes stops there (EFBIG, as a full disk would)."""
        before = {p: digest(p) for p in keep}
        self.counts["cases"] += 1
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
        try:
            result = subprocess.run([self.minnow] + args, capture_output=True, timeout=self.timeout, env=env,
                                    preexec_fn=limit if file_size_limit else None)
        except subprocess.TimeoutExpired:
            self.counts["hangs"] += 1
            self.problems.append(f"HANG: minnow {' '.join(args)}")
            return
        code = result.returncode
        if code < 0 or code > 1:
            self.counts["traps"] += 1
            self.problems.append(f"TRAP (exit {code}): minnow {' '.join(args)}\n  {result.stderr.decode(errors='replace')[-300:]}")
        elif code == 0 and must_fail:
            self.counts["silent"] += 1
            self.problems.append(f"ACCEPTED: minnow {' '.join(args)}")
        else:
            self.counts["refused" if code else "ran"] += 1
            if code == 1 and not result.stderr.strip():
                self.problems.append(f"SILENT ERROR (no message): minnow {' '.join(args)}")
                self.counts["silent"] += 1
        for p, d in before.items():
            if digest(p) != d:
                self.counts["lost"] += 1
                self.problems.append(f"DATA LOSS: {p} changed by minnow {' '.join(args)}")


def reseal_q8(b):
    struct.pack_into("<I", b, 8, len(b))
    struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[:12]) + bytes(b[16:])) & 0xFFFFFFFF)


def reseal_bin(b):
    struct.pack_into("<Q", b, 16, len(b))
    struct.pack_into("<I", b, 12, zlib.crc32(bytes(b[32:])) & 0xFFFFFFFF)


BOUNDS = [0, 1, 2, 15, 16, 31, 32, 127, 128, 255, 0xFFFF, 0x10000, 0x3FFFFFFF, 0x40000000, 0x7FFFFFFF, 0x80000000,
          0xFFFFFF80, 0xFFFFFFE1, 0xFFFFFFFF]


def mutate_words(good, rng, start, reseal):
    b = bytearray(good)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(start, max(start + 4, len(b) - 4)) & ~3
        if rng.random() < 0.6:
            struct.pack_into("<I", b, at, rng.choice(BOUNDS))
        else:
            b[at + rng.randrange(4)] ^= 1 << rng.randrange(8)
    reseal(b)
    return bytes(b)


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + values


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minnow", default=os.path.join(ROOT, ".build/release/minnow"))
    parser.add_argument("--mutations", type=int, default=300)
    parser.add_argument("--sample", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    mutations = 6 if args.sample else args.mutations
    rng = random.Random(args.seed)
    sweep = Sweep(os.path.abspath(args.minnow), args.timeout)
    work = tempfile.mkdtemp(prefix="minnow-sweep-")
    def path(name):
        return os.path.join(work, name)
    def write(name, data):
        open(path(name), "wb").write(data)
        return path(name)
    try:
        model_bin = os.path.join(ROOT, "Models/fm_dsconv/model.bin")
        sample_png = os.path.join(ROOT, "Models/samples/00-ankle-boot.png")
        good_q8 = path("good.q8")
        subprocess.run([sweep.minnow, "quantize", model_bin, "-o", good_q8, "--samples", "32", "--no-adaptive-rounding",
                        "--no-search-ranges", "--no-equalize-activations"], check=True, capture_output=True)
        q8 = open(good_q8, "rb").read()
        binary = open(model_bin, "rb").read()
        input_bytes = 28 * 28
        raw = write("input.bin", bytes(rng.randrange(256) for _ in range(input_bytes)))
        os.mkdir(path("folder"))

        def q8_consumers(m, must_fail):
            sweep.run(["inspect", m], must_fail, keep=[m])
            sweep.run(["run", m, "--raw-input", raw, "--raw-output", path("out.bin")], must_fail, keep=[m, raw])
            sweep.run(["run", m, sample_png], must_fail, keep=[m])
            sweep.run(["bench", m, "--runs", "1", "--warmup", "0"], must_fail, keep=[m])
            sweep.run(["bench", m, "--runs", "1", "--warmup", "0", "--reference"], must_fail, keep=[m])
            if not args.sample:
                sweep.run(["export", m, "--images", "2", "--out-dir", path("fw"), "--dataset", "sample"], must_fail, keep=[m])
                sweep.run(["eval", model_bin, m, "--dataset", "sample"], must_fail, keep=[m, model_bin])

        # model.q8: missing, directory, empty, truncated, random bytes, mutated with valid CRCs.
        for m in [path("missing.q8"), path("folder"), write("empty.q8", b""), write("noise.q8", bytes(rng.randrange(256) for _ in range(4096)))]:
            q8_consumers(m, True)
        for n in [16, 63, 64, 100, len(q8) // 2, len(q8) - 1]:
            q8_consumers(write(f"cut{n}.q8", q8[:n]), True)
        for n in range(mutations):
            q8_consumers(write(f"mutant{n}.q8", mutate_words(q8, rng, 16, reseal_q8)), False)

        # model.bin: truncated, mutated (CRC resealed), huge weights; through inspect, eval, quantize.
        tensors = next(off for i in range(struct.unpack_from("<I", binary, 8)[0])
                       for tag, _, off, _ in [struct.unpack_from("<4sIQQ", binary, 32 + 24 * i)] if tag == b"TNSR")
        # (file, refused by every command, refused by quantize): huge weights load and evaluate, but past
        # what int8 requantization encodes they cannot be quantized.
        bins = [(write("cut.bin", binary[:len(binary) // 3]), True, True), (write("empty.bin", b""), True, True),
                (path("folder"), True, True)]
        for value in [1e12, 1e30, 3e38]:
            b = bytearray(binary)
            struct.pack_into("<f", b, tensors + 64, value)
            reseal_bin(b)
            bins.append((write(f"huge{value:g}.bin", bytes(b)), False, value > 1e20))
        for n in range(max(2, mutations // 3)):
            bins.append((write(f"mutant{n}.bin", mutate_words(binary, rng, 32, reseal_bin)), False, False))
        for m, must_fail, quantize_must_fail in bins:
            sweep.run(["inspect", m], must_fail, keep=[m])
            sweep.run(["eval", m, "--dataset", "sample"], must_fail, keep=[m])
            sweep.run(["quantize", m, "-o", path("q.q8"), "--samples", "16", "--no-adaptive-rounding", "--no-search-ranges"],
                      quantize_must_fail, keep=[m])

        # Overwriting the input through a link, or as itself: refused, nothing changed.
        victim = write("victim.bin", binary)
        os.symlink(victim, path("link.bin"))
        sweep.run(["quantize", path("link.bin"), "-o", victim, "--samples", "8"], True, keep=[victim])
        sweep.run(["quantize", victim, "-o", path("link.bin"), "--samples", "8"], True, keep=[victim])

        # Secondary outputs over an input or another output, a missing output folder: refused before
        # any work, nothing changed.
        sweep.run(["run", good_q8, "--raw-input", raw, "--raw-output", raw], True, keep=[good_q8, raw])
        sweep.run(["run", good_q8, "--raw-input", raw, "--raw-output", good_q8], True, keep=[good_q8, raw])
        sweep.run(["quantize", model_bin, "-o", path("x.q8"), "--report", model_bin, "--samples", "8"], True, keep=[model_bin])
        sweep.run(["quantize", model_bin, "-o", path("x.q8"), "--plot", path("x.q8"), "--samples", "8"], True, keep=[model_bin])
        sweep.run(["quantize", model_bin, "-o", path("no-such-folder/x.q8"), "--samples", "8"], True, keep=[model_bin])
        fw = path("fw-set")
        subprocess.run([sweep.minnow, "export", good_q8, "--raw-input", raw, "--out-dir", fw], check=True, capture_output=True)
        exported = [os.path.join(fw, f) for f in ["inputs.bin", "outputs.bin", "expected.txt", "model_data.c"]]
        sweep.run(["export", good_q8, "--raw-input", os.path.join(fw, "outputs.bin"), "--out-dir", fw], True, keep=exported)
        shutil.copy(good_q8, path("model_data.c"))
        sweep.run(["export", path("model_data.c"), "--raw-input", raw, "--out-dir", work], True, keep=[path("model_data.c")])
        # A full disk: writes stop at 4 KiB; the earlier export stays whole, the earlier model.q8 too.
        sweep.run(["export", good_q8, "--raw-input", raw, "--raw-input", raw, "--out-dir", fw], True, keep=exported,
                  file_size_limit=4096)
        sweep.run(["quantize", model_bin, "-o", good_q8, "--samples", "8", "--no-adaptive-rounding", "--no-search-ranges"], True,
                  keep=[good_q8, model_bin], file_size_limit=4096)

        # .tflite: the shared models truncated and mutated, through import and inspect.
        shared = os.path.join(ROOT, "..", "shared", "outside")
        tflites = [os.path.join(shared, d, "model.tflite") for d in ["hello_world_int8", "micro_speech_quantized"]
                   if os.path.isfile(os.path.join(shared, d, "model.tflite"))]
        for t in tflites:
            data = open(t, "rb").read()
            cases = [(write("cut.tflite", data[:len(data) // 2]), True), (write("tiny.tflite", data[:12]), True)]
            for n in range(mutations):
                b = bytearray(data)
                for _ in range(rng.randint(1, 3)):
                    b[rng.randrange(len(b) if rng.random() < 0.3 else min(len(b), 2048))] = rng.randrange(256)
                cases.append((write(f"mutant{n}.tflite", bytes(b)), False))
            for m, must_fail in cases:
                sweep.run(["import", m, "-o", path("imported.q8")], must_fail, keep=[m])
                sweep.run(["inspect", m], must_fail, keep=[m])
            sweep.run(["import", t, "-o", t], True, keep=[t])
        sweep.run(["import", path("missing.tflite")], True)

        # Raw inputs of the wrong size, PNGs truncated, not PNG, palette index past the palette.
        sweep.run(["run", good_q8, "--raw-input", write("short.bin", b"\x01" * 10)], True, keep=[good_q8])
        sweep.run(["run", good_q8, "--raw-input", raw, "--raw-input", raw], True)
        png = open(sample_png, "rb").read()
        header = struct.pack(">IIBBBBB", 2, 2, 8, 3, 0, 0, 0)
        palette = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"PLTE", bytes([255, 0, 0, 0, 255, 0]))
                   + png_chunk(b"IDAT", zlib.compress(b"\x00\x00\x01\x00\x05\x07")) + png_chunk(b"IEND", b""))
        for image in [write("cut.png", png[:len(png) // 2]), write("notpng.png", b"hello"), write("palette.png", palette),
                      path("folder"), path("missing.png")]:
            sweep.run(["run", good_q8, image], True, keep=[good_q8])

        # IDX sets: no images, 2 or 4 channels, trailing bytes, truncated gzip.
        def idx_set(name, dims, extra=b"", compress=False):
            d = path(name)
            os.makedirs(d, exist_ok=True)
            count = 1
            for x in dims:
                count *= x
            images = idx(dims, bytes(count)) + extra
            labels = idx([dims[0]], bytes(dims[0]))
            for split in ["t10k", "train"]:
                data = gzip.compress(images)[:-8] if compress else images
                open(os.path.join(d, f"{split}-images-idx3-ubyte" + (".gz" if compress else "")), "wb").write(data)
                open(os.path.join(d, f"{split}-labels-idx1-ubyte"), "wb").write(labels)
            return d
        for name, dims, extra, compress in [("none", [0, 28, 28], b"", False), ("two", [4, 28, 28, 2], b"", False),
                                            ("four", [4, 28, 28, 4], b"", False), ("trailing", [4, 28, 28], b"xyz", False),
                                            ("gz", [4, 28, 28], b"", True)]:
            sweep.run(["eval", model_bin, "--dataset", "fashion-mnist", "--data", idx_set(name, dims, extra, compress)], True,
                      keep=[model_bin])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c = sweep.counts
    for p in sweep.problems[:40]:
        print(p)
    print(f"bad-input sweep: {c['cases']} cases, {c['refused']} refused, {c['ran']} ran; "
          f"{c['traps']} traps, {c['hangs']} hangs, {c['silent']} silent acceptances, {c['lost']} data losses")
    sys.exit(1 if sweep.problems else 0)


if __name__ == "__main__":
    main()

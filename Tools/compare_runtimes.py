#!/usr/bin/env python3
"""int8 latency of the same architectures in LiteRT (XNNPACK), TensorFlow Lite Micro and Minnow.

For fm_dsconv (28x28x1), vww_mbv1_025 (MobileNet v1 0.25, 96x96x3) and mbv2_100_224 (MobileNet v2
1.0, 224x224x3): builds the architecture in Keras layer for layer as Minnow's zoo does
(initialized, not trained: latency does not depend on the weights), converts it to a full-integer int8 TFLite model calibrated on random
inputs, and times single-threaded batch-1 inference in LiteRT with XNNPACK (ai-edge-litert) and
in TensorFlow Lite Micro (tflite-micro's Python interpreter); builds the same architecture with
`minnow train <arch> --init-only`, quantizes it on the shipped sample PNGs (filters also packed
for the GEMM kernels, `--pack-weights`), and times it with `minnow bench --json`, with the
fastest kernels this CPU has and with the reference kernels. Medians of repeated runs, all
measured in this one run; prints the table and the ratios Minnow / LiteRT, TFLM / Minnow and
Minnow reference / Minnow.

With --tflite FILE...: the very same .tflite files (e.g. ../shared/outside/*/model.tflite) in all
three, the fairest comparison there is: LiteRT/XNNPACK and TFLM run the file, Minnow runs
`minnow import FILE` with `minnow bench`; --rounds rounds interleave the three, and each figure is
the median of the rounds' medians.

Needs: pip install tensorflow-cpu ai-edge-litert tflite-micro numpy (only ai-edge-litert,
tflite-micro and numpy with --tflite); a release build of minnow.
Usage: Tools/compare_runtimes.py [--minnow .build/release/minnow] [--only fm_dsconv]
       Tools/compare_runtimes.py --tflite ../shared/outside/*/model.tflite [--rounds 5]
       Tools/compare_runtimes.py --tflite FILE... --table [--runs 3 --rounds 5 --threads 1]
         (Minnow / LiteRT+XNNPACK only, as a range over runs: the speed issues' table)
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

import numpy as np

ARCHS = {  # name: (input shape, classes, LiteRT runs, TFLM runs, Minnow runs)
    "fm_dsconv": ((28, 28, 1), 10, 500, 50, 500),
    "vww_mbv1_025": ((96, 96, 3), 2, 300, 20, 300),
    "mbv2_100_224": ((224, 224, 3), 1000, 30, 3, 30),
}


def keras_model(name):
    import tensorflow as tf
    L = tf.keras.layers
    shape, classes = ARCHS[name][:2]
    def bn_relu6(x):
        return L.ReLU(6.0)(L.BatchNormalization()(x))
    inputs = tf.keras.Input(shape)
    if name == "fm_dsconv":  # as Zoo.fmDSConv
        x = bn_relu6(L.Conv2D(16, 3, padding="same", use_bias=False)(inputs))
        for channels, stride, dilation in [(32, 2, 1), (64, 1, 1), (128, 2, 1), (128, 1, 2)]:
            x = bn_relu6(L.DepthwiseConv2D(3, strides=stride, dilation_rate=dilation, padding="same", use_bias=False)(x))
            x = bn_relu6(L.Conv2D(channels, 1, use_bias=False)(x))
        x = bn_relu6(L.Conv2D(128, 3, padding="same", groups=4, use_bias=False)(x))
    elif name == "vww_mbv1_025":  # as Zoo.mobileNetV1(width: 0.25): channels max(8, c / 4)
        x = bn_relu6(L.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inputs))
        for channels, stride in [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
                                 (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]:
            x = bn_relu6(L.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False)(x))
            x = bn_relu6(L.Conv2D(max(8, channels // 4), 1, use_bias=False)(x))
    else:  # as Zoo.mobileNetV2: inverted residuals (expansion t, channels c, repeats n, stride s)
        x = bn_relu6(L.Conv2D(32, 3, strides=2, padding="same", use_bias=False)(inputs))
        for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
            for i in range(n):
                y = x
                if t != 1:
                    y = bn_relu6(L.Conv2D(x.shape[-1] * t, 1, use_bias=False)(y))
                y = bn_relu6(L.DepthwiseConv2D(3, strides=s if i == 0 else 1, padding="same", use_bias=False)(y))
                y = L.BatchNormalization()(L.Conv2D(c, 1, use_bias=False)(y))
                x = L.Add()([x, y]) if i > 0 else y
        x = bn_relu6(L.Conv2D(1280, 1, use_bias=False)(x))
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inputs, L.Dense(classes)(x))


def int8_tflite(model, shape):
    import tensorflow as tf
    rng = np.random.default_rng(0)
    def representative():
        for _ in range(16):
            yield [rng.uniform(-1, 1, (1,) + shape).astype("float32")]
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def median_ms(run, runs, warmup=3):
    for _ in range(warmup):
        run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def litert_ms(tflite, shape, runs, threads=1):
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_content=tflite, num_threads=threads)
    interpreter.allocate_tensors()
    index = interpreter.get_input_details()[0]["index"]
    interpreter.set_tensor(index, np.random.default_rng(1).integers(-128, 128, (1,) + shape, dtype=np.int8))
    return median_ms(interpreter.invoke, runs)


def tflm_ms(tflite, shape, runs):
    from tflite_micro.python.tflite_micro import runtime
    interpreter = runtime.Interpreter.from_bytes(tflite, arena_size=16 << 20)
    interpreter.set_input(np.random.default_rng(1).integers(-128, 128, (1,) + shape, dtype=np.int8), 0)
    return median_ms(interpreter.invoke, runs, warmup=1)


def minnow_ms(minnow, name, runs, work):
    model, q8 = os.path.join(work, name + ".bin"), os.path.join(work, name + ".q8")
    subprocess.run([minnow, "train", name, "--init-only", "--out", model], check=True, capture_output=True)
    calibration = os.path.join(work, "calibration")
    if not os.path.isdir(calibration):  # the shipped PNGs, one class folder, fitted to each input
        os.makedirs(os.path.join(calibration, "any"))
        samples = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Models", "samples")
        for f in os.listdir(samples):
            if f.endswith(".png"):
                shutil.copy(os.path.join(samples, f), os.path.join(calibration, "any", f))
    subprocess.run([minnow, "quantize", model, "--dataset", calibration, "--pack-weights", "-o", q8], check=True, capture_output=True)
    def bench(runs, *flags):
        out = subprocess.run([minnow, "bench", q8, "--runs", str(runs), "--json", *flags], check=True, capture_output=True, text=True)
        report = json.loads(out.stdout)
        return report["latency_ms_median"], report["kernels"]
    (best, kernels), (reference, _) = bench(runs), bench(max(3, runs // 10), "--reference")
    return best, kernels, reference


def input_shape(tflite):
    from tflite_micro.python.tflite_micro import runtime
    interpreter = runtime.Interpreter.from_bytes(tflite, arena_size=64 << 20)
    return tuple(interpreter.get_input_details(0)["shape"][1:])


def imported(minnow, path, work):
    """A .tflite's name (its folder's), bytes, input shape, its `minnow import` in `work`, and
    how many calls a timing takes (fewer for larger inputs)."""
    name = os.path.basename(os.path.dirname(os.path.abspath(path))) or os.path.basename(path)
    tflite = open(path, "rb").read()
    shape = input_shape(tflite)
    q8 = os.path.join(work, name + ".q8")
    subprocess.run([minnow, "import", path, "-o", q8], check=True, capture_output=True)
    return name, tflite, shape, q8, max(5, min(300, 30_000_000 // max(int(np.prod(shape)) * 64, 1)))


def same_files(minnow, paths, rounds):
    """Times each .tflite in LiteRT/XNNPACK, TFLM and Minnow (imported), interleaved over rounds."""
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for path in paths:
            name, tflite, shape, q8, runs = imported(minnow, path, work)
            measured = {"litert": [], "tflm": [], "minnow": []}
            kernels = ""
            for _ in range(rounds):
                try:
                    measured["litert"].append(litert_ms(tflite, shape, runs))
                except ValueError as error:  # person_detect: LiteRT refuses what TFLM runs
                    print(f"{name}: LiteRT refuses the file ({str(error)[:80]}...)", file=sys.stderr, flush=True)
                    measured["litert"].append(float("nan"))
                measured["tflm"].append(tflm_ms(tflite, shape, max(2, runs // 20)))
                out = subprocess.run([minnow, "bench", q8, "--runs", str(runs), "--json"], check=True, capture_output=True, text=True)
                report = json.loads(out.stdout)
                measured["minnow"].append(report["latency_ms_median"])
                kernels = report["kernels"]
            litert, tflm, mine = (statistics.median(measured[k]) for k in ("litert", "tflm", "minnow"))
            print(f"{name}: LiteRT {litert:.3f} ms, TFLM {tflm:.3f} ms, Minnow {mine:.3f} ms ({kernels})", file=sys.stderr, flush=True)
            rows.append((name, litert, tflm, mine, kernels))
    print(f"{'model':<24} {'LiteRT/XNNPACK ms':>18} {'TFLM ms':>10} {'Minnow ms':>10} {'kernels':>8} {'Minnow/LiteRT':>14} {'TFLM/Minnow':>12}")
    for name, litert, tflm, mine, kernels in rows:
        print(f"{name:<24} {litert:>18.3f} {tflm:>10.3f} {mine:>10.3f} {kernels:>8} {mine / litert:>14.2f} {tflm / mine:>12.1f}")


def ratio_table(minnow, paths, runs, rounds, threads):
    """Minnow / LiteRT+XNNPACK per .tflite as issue tables give it: `runs` runs of `rounds` rounds,
    the two runtimes interleaved within each round (the same file; Minnow imports it), each run's
    ratio the median of its rounds' medians; prints the range over runs (min – max) per model."""
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for path in paths:
            name, tflite, shape, q8, calls = imported(minnow, path, work)
            ratios, kernels = [], ""
            for _ in range(runs):
                litert, mine = [], []
                for _ in range(rounds):
                    try:
                        litert.append(litert_ms(tflite, shape, calls, threads))
                    except ValueError:  # person_detect: LiteRT refuses what TFLM runs
                        litert.append(float("nan"))
                    out = subprocess.run([minnow, "bench", q8, "--runs", str(calls), "--threads", str(threads), "--json"],
                                         check=True, capture_output=True, text=True)
                    report = json.loads(out.stdout)
                    mine.append(report["latency_ms_median"])
                    kernels = report["kernels"]
                ratios.append(statistics.median(mine) / statistics.median(litert))
                print(f"{name}: run {len(ratios)}: Minnow {statistics.median(mine):.3f} ms, LiteRT {statistics.median(litert):.3f} ms",
                      file=sys.stderr, flush=True)
            rows.append((name, min(ratios), max(ratios), kernels))
    print(f"{threads} thread(s), {runs} runs of {rounds} interleaved rounds, Minnow's `best` set ({rows[0][3] if rows else ''})")
    print("| model | Minnow / LiteRT+XNNPACK |")
    print("|---|---:|")
    for name, low, high, _ in rows:
        print(f"| {name} | {low:.2f} – {high:.2f} × |" if low == low else f"| {name} | (LiteRT refuses) |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minnow", default=".build/release/minnow")
    parser.add_argument("--only", choices=sorted(ARCHS))
    parser.add_argument("--tflite", nargs="+", help="time these very .tflite files in all three runtimes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--table", action="store_true",
                        help="with --tflite: only Minnow / LiteRT+XNNPACK, the range over --runs runs of --rounds rounds")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.tflite and args.table:
        return ratio_table(args.minnow, args.tflite, args.runs, args.rounds, args.threads)
    if args.tflite:
        return same_files(args.minnow, args.tflite, args.rounds)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name in [args.only] if args.only else ARCHS:
            shape, _, litert_runs, tflm_runs, minnow_runs = ARCHS[name]
            tflite = int8_tflite(keras_model(name), shape)
            print(f"{name}: converted ({len(tflite):,} bytes of TFLite)", file=sys.stderr, flush=True)
            litert = litert_ms(tflite, shape, litert_runs)
            print(f"{name}: LiteRT {litert:.3f} ms", file=sys.stderr, flush=True)
            tflm = tflm_ms(tflite, shape, tflm_runs)
            print(f"{name}: TFLM {tflm:.3f} ms", file=sys.stderr, flush=True)
            minnow, kernels, reference = minnow_ms(args.minnow, name, minnow_runs, work)
            print(f"{name}: Minnow {minnow:.3f} ms ({kernels}), reference kernels {reference:.3f} ms", file=sys.stderr, flush=True)
            rows.append((name, litert, tflm, minnow, kernels, reference))
    print(f"{'architecture':<14} {'LiteRT/XNNPACK ms':>18} {'TFLM ms':>10} {'Minnow ms':>10} {'kernels':>8} {'reference ms':>13}"
          f" {'Minnow/LiteRT':>14} {'TFLM/Minnow':>12} {'ref/Minnow':>11}")
    for name, litert, tflm, minnow, kernels, reference in rows:
        print(f"{name:<14} {litert:>18.3f} {tflm:>10.3f} {minnow:>10.3f} {kernels:>8} {reference:>13.3f}"
              f" {minnow / litert:>14.2f} {tflm / minnow:>12.1f} {reference / minnow:>11.1f}")


if __name__ == "__main__":
    main()

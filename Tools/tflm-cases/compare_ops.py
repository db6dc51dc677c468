#!/usr/bin/env python3
"""Compares Minnow with TensorFlow Lite Micro at every operator of an int8 .tflite model: the model
is cut after each operator (that operator's output made the graph's output), imported with
`minnow import`, run on a seeded random input by both, and the bytes compared. Prints one line per
operator that differs and a summary; exit status 1 if any differs. The way to find where an
imported model leaves TFLM's bytes (a whole-model comparison only shows that it does).

    pip install tflite-micro flatbuffers
    python3 Tools/tflm-cases/compare_ops.py model.tflite [--minnow .build/release/minnow] [--seed 1]

Operators that make no activation (SHAPE, STRIDED_SLICE or PACK of constant shapes) are skipped;
a cut TFLM cannot run is reported as such and skipped.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import flatbuffers
import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s

NAMES = {v: k for k, v in s.BuiltinOperator.__dict__.items() if not k.startswith("_")}
FOLDED = {"SHAPE", "STRIDED_SLICE", "PACK"}


def cut(data, k):
    """The model up to operator k (inclusive), its first output the graph's output."""
    model = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    graph = model.subgraphs[0]
    graph.operators = graph.operators[:k + 1]
    graph.outputs = [graph.operators[-1].outputs[0]]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), NAMES.get(model.operatorCodes[graph.operators[-1].opcodeIndex].builtinCode, "?")


def tflm_output(model, x):
    """TFLM's output bytes in a child process (its interpreter aborts on some models)."""
    code = ("import sys, numpy as np\nfrom tflite_micro.python.tflite_micro import runtime\n"
            "it = runtime.Interpreter.from_bytes(open(sys.argv[1], 'rb').read(), arena_size=64 << 20)\n"
            "it.set_input(np.fromfile(sys.argv[2], dtype=np.int8).reshape(it.get_input_details(0)['shape']), 0)\n"
            "it.invoke()\nsys.stdout.buffer.write(it.get_output(0).astype(np.int8).tobytes())\n")
    result = subprocess.run([sys.executable, "-c", code, model, x], capture_output=True)
    return result.stdout if result.returncode == 0 else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--minnow", default=os.path.join(os.path.dirname(__file__), "../../.build/release/minnow"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = open(args.model, "rb").read()
    work = tempfile.mkdtemp(prefix="minnow-compare-")
    full = s.ModelT.InitFromObj(s.Model.GetRootAsModel(data, 0))
    graph = full.subgraphs[0]
    shape = list(graph.tensors[graph.inputs[0]].shape)
    x = np.random.default_rng(args.seed).integers(-128, 128, size=shape, dtype=np.int8)
    x_path = os.path.join(work, "input.bin")
    x.tofile(x_path)
    compared = differing = skipped = 0
    for k in range(len(graph.operators)):
        model, name = cut(data, k)
        if name in FOLDED:
            continue
        tflite, q8, out = (os.path.join(work, f) for f in ("cut.tflite", "cut.q8", "out.bin"))
        open(tflite, "wb").write(model)
        want = tflm_output(tflite, x_path)
        if want is None:
            print(f"op {k} {name}: TFLM cannot run this cut; skipped")
            skipped += 1
            continue
        imported = subprocess.run([args.minnow, "import", tflite, "-o", q8], capture_output=True, text=True)
        if imported.returncode != 0:
            print(f"op {k} {name}: minnow refuses it: {imported.stderr.strip()}")
            differing += 1
            continue
        subprocess.run([args.minnow, "run", q8, "--raw-input", x_path, "--raw-output", out], check=True, capture_output=True)
        got = open(out, "rb").read()
        compared += 1
        if got != want:
            n = sum(a != b for a, b in zip(got, want)) + abs(len(got) - len(want))
            print(f"op {k} {name}: {n} of {len(want)} bytes differ from TFLM")
            differing += 1
    print(f"{os.path.basename(args.model)}: {compared} operator outputs compared, {differing} differ, {skipped} skipped")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes one-op int8 .tflite models with random inputs and the outputs TensorFlow Lite Micro's
reference kernels compute for them, for the TFLM code paths no shared case reaches:

    pip install tflite-micro flatbuffers
    python3 Tools/tflm-cases/make_cases.py Tests/ImportTests/TFLMCases

Each case is a folder: `model.tflite`, `input_<c>_<k>.bin` (case c, model input k: raw int8
bytes) and `output_<c>.bin` (TFLM's output for case c), plus `meta.json` naming the branch.
The model is written with the schema's object API (`schema_py_generated`, shipped in the
tflite-micro wheel); TFLM runs it as it stands. Deterministic from each case's seed.
"""
import json
import os
import sys

import flatbuffers
import numpy as np
from tflite_micro.python.tflite_micro import runtime
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as s

CASES_PER_MODEL = 4


def tensor(name, shape, buffer, scale, zero_point):
    t = s.TensorT()
    t.name, t.shape, t.type, t.buffer = name, list(shape), s.TensorType.INT8, buffer
    q = s.QuantizationParametersT()
    q.scale, q.zeroPoint = [float(scale)], [int(zero_point)]
    t.quantization = q
    return t


def graph_model(tensors, operators, inputs, outputs):
    """A model of several operators. `tensors`, each with its own buffer, in order:
    `("name", shape, (scale, zero point))` an int8 activation, `("name", shape, (scale, zero point), values)`
    an int8 constant, `("name", np.int32 array)` an int32 constant, `("name", shape, "int32")` an int32
    activation; `operators`: `(code, options type, options, [input names], [output names])`;
    `inputs`, `outputs`: tensor names."""
    model = s.ModelT()
    model.version = 3
    codes = list(dict.fromkeys(op[0] for op in operators))
    model.operatorCodes = []
    for code in codes:
        opcode = s.OperatorCodeT()
        opcode.builtinCode, opcode.deprecatedBuiltinCode, opcode.version = code, min(code, 127), 1
        model.operatorCodes.append(opcode)
    model.buffers = [s.BufferT()]
    graph = s.SubGraphT()
    graph.tensors, index = [], {}
    for spec in tensors:
        model.buffers.append(s.BufferT())
        buffer = len(model.buffers) - 1
        if len(spec) == 2:
            name, values = spec
            model.buffers[-1].data = np.asarray(values, dtype=np.int32).tobytes()
            t = s.TensorT()
            t.name, t.shape, t.type, t.buffer = name, list(np.shape(values)), s.TensorType.INT32, buffer
        elif spec[2] == "int32":
            name, shape, _ = spec
            t = s.TensorT()
            t.name, t.shape, t.type, t.buffer = name, list(shape), s.TensorType.INT32, buffer
        else:
            name, shape, quantization = spec[:3]
            t = tensor(name, shape, buffer, *quantization)
            if len(spec) == 4:
                model.buffers[-1].data = np.asarray(spec[3], dtype=np.int8).tobytes()
        index[name] = len(graph.tensors)
        graph.tensors.append(t)
    graph.inputs, graph.outputs = [index[n] for n in inputs], [index[n] for n in outputs]
    graph.operators = []
    for code, options_type, options, op_inputs, op_outputs in operators:
        op = s.OperatorT()
        op.opcodeIndex, op.inputs, op.outputs = codes.index(code), [index[n] for n in op_inputs], [index[n] for n in op_outputs]
        op.builtinOptionsType, op.builtinOptions = options_type, options
        graph.operators.append(op)
    model.subgraphs = [graph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def one_op_model(code, options_type, options, operands, output):
    """A model of one operator: `operands` in its order (as `graph_model`'s tensors; the int8
    activations are the model's inputs), its output `(shape, (scale, zero point))` named y."""
    inputs = [o[0] for o in operands if len(o) == 3 and o[2] != "int32"]
    return graph_model(operands + [("y",) + tuple(output)], [(code, options_type, options, [o[0] for o in operands], ["y"])],
                       inputs, ["y"])


def binary_model(code, options_type, options, shapes, quantizations):
    """A model of one binary operator: inputs a and b (shapes[0], shapes[1]), output shapes[2]."""
    return one_op_model(code, options_type, options, [("a", shapes[0], quantizations[0]), ("b", shapes[1], quantizations[1])],
                        (shapes[2], quantizations[2]))


def mul_options(activation):
    o = s.MulOptionsT()
    o.fusedActivationFunction = activation
    return o


# name, shapes (a, b, y), quantizations (scale, zero point) of a, b, y, fused activation, seed, branch
NONE, RELU, RELU6 = 0, 1, 3
MUL_CASES = [
    ("mul_same_shape", ([1, 5, 6, 8], [1, 5, 6, 8], [1, 5, 6, 8]), ((0.05, -3), (0.02, 10), (0.04, 2)), NONE, 1,
     "MulElementwise: equal shapes"),
    ("mul_channel_gate", ([1, 7, 7, 24], [1, 1, 1, 24], [1, 7, 7, 24]), ((0.1, -128), (1 / 256, -128), (0.08, -120)), NONE, 2,
     "BroadcastMul4DSlow: a squeeze-excitation gate, one value per channel"),
    ("mul_scalar", ([1, 4, 4, 3], [1, 1, 1, 1], [1, 4, 4, 3]), ((0.03, 5), (0.5, 0), (0.06, -1)), NONE, 3,
     "BroadcastMul4DSlow: one value for all"),
    ("mul_relu6_clamp", ([1, 6, 6, 16], [1, 6, 6, 16], [1, 6, 6, 16]), ((0.05, -20), (0.04, 7), (0.02, -40)), RELU6, 4,
     "fused RELU6 inside the int8 range (the clamp bites)"),
    ("mul_relu_large_scale", ([1, 3, 5, 10], [1, 1, 1, 10], [1, 3, 5, 10]), ((0.5, 0), (0.8, -2), (0.01, -128)), RELU, 5,
     "output multiplier above 1 (a left shift), fused RELU"),
    ("mul_flat", ([1, 37], [1, 37], [1, 37]), ((0.02, 0), (0.03, -7), (0.001, 3)), NONE, 6,
     "2-D tensors, a product far larger than the output range (saturating clamp)"),
]


def sub_options(activation):
    o = s.SubOptionsT()
    o.fusedActivationFunction = activation
    return o


# name, shapes (a, b, y), quantizations of a, b, y, fused activation, seed, branch
SUB_CASES = [
    ("sub_same_shape", ([1, 5, 6, 8], [1, 5, 6, 8], [1, 5, 6, 8]), ((0.05, -3), (0.02, 10), (0.04, 2)), NONE, 71,
     "SubElementwise: equal shapes, different scales"),
    ("sub_channel_vector", ([1, 4, 4, 3], [1, 1, 1, 3], [1, 4, 4, 3]), ((1 / 255, -128), (0.01, 0), (0.02, -5)), NONE, 72,
     "BroadcastSubSlow: one value per channel (x - mean)"),
    ("sub_one_value_relu6", ([1, 6, 6, 16], [1, 1, 1, 1], [1, 6, 6, 16]), ((0.05, -20), (0.04, 7), (0.05, -20)), RELU6, 73,
     "one value for all, fused RELU6 inside the int8 range (both ends of the clamp bite)"),
    ("sub_equal_scales", ([1, 37], [1, 37], [1, 37]), ((0.1, 0), (0.1, 0), (0.1, 0)), NONE, 74,
     "equal scales and zero points (ties of the doubling high multiply)"),
]


def resize_bilinear_model(shape, size, quantization, align_corners, half_pixel_centers):
    """A RESIZE_BILINEAR of x (shape) to `size` (a constant int32 [2]), output quantized as x (TFLite's rule)."""
    options = s.ResizeBilinearOptionsT()
    options.alignCorners, options.halfPixelCenters = align_corners, half_pixel_centers
    return one_op_model(s.BuiltinOperator.RESIZE_BILINEAR, s.BuiltinOptions.ResizeBilinearOptions, options,
                        [("x", shape, quantization), ("size", size)], ([shape[0], size[0], size[1], shape[3]], quantization))


# name, input shape, output size, quantization, align_corners, half_pixel_centers, seed, branch
RESIZE_BILINEAR_CASES = [
    ("resize_bilinear_half_pixel_x2", [1, 5, 6, 8], [10, 12], (0.05, -3), False, True, 11,
     "ResizeBilinearInteger: half-pixel centres, whole factor (Keras UpSampling2D bilinear, ONNX half_pixel)"),
    ("resize_bilinear_align_corners", [1, 4, 7, 3], [7, 13], (0.1, 0), True, False, 12,
     "align_corners: scale (in - 1) / (out - 1)"),
    ("resize_bilinear_asymmetric", [1, 6, 5, 4], [9, 8], (0.02, 10), False, False, 13,
     "neither: position = out index * in / out (ONNX asymmetric), uneven factors"),
    ("resize_bilinear_downscale", [1, 9, 10, 5], [4, 6], (0.03, -20), False, True, 14,
     "half-pixel centres shrinking (scale above 1024)"),
]


def mean_model(shape, axes, keep_dims, input_quantization, output_quantization):
    """A MEAN of x (shape) over the constant `axes`, keeping the reduced dimensions as 1 or dropping them."""
    options = s.ReducerOptionsT()
    options.keepDims = keep_dims
    reduced = {a % len(shape) for a in axes}
    out_shape = [1 if i in reduced else d for i, d in enumerate(shape) if keep_dims or i not in reduced]
    return one_op_model(s.BuiltinOperator.MEAN, s.BuiltinOptions.ReducerOptions, options,
                        [("x", shape, input_quantization), ("axis", axes)], (out_shape, output_quantization))


# name, input shape, axes, keep_dims, input and output quantization, seed, branch. TFLM's MEAN takes
# QuantizedMeanOrSum (1/n folded into the multiplier) for every int8 case below.
MEAN_CASES = [
    ("mean_keep_dims_same_quantization", [1, 7, 7, 40], [1, 2], True, (0.05, -3), (0.05, -3), 21,
     "keep_dims, input and output quantization equal (a PyTorch GlobalAveragePool through onnx2tf)"),
    ("mean_drop_dims_same_quantization", [1, 5, 3, 24], [1, 2], False, (0.02, 7), (0.02, 7), 22,
     "keep_dims false, quantization equal"),
    ("mean_keep_dims_requantized", [1, 6, 9, 17], [2, 1], True, (0.04, -128), (0.013, -20), 23,
     "keep_dims, different quantization, axes listed W then H"),
    ("mean_negative_axes", [1, 4, 4, 8], [-3, -2], False, (0.1, 5), (0.07, -2), 24,
     "axes given as -3, -2 (H and W)"),
    ("mean_one_pixel", [1, 1, 1, 12], [1, 2], True, (0.03, 0), (0.02, 10), 25,
     "a 1 x 1 image (n = 1, the scale ratio alone)"),
    ("mean_large_window", [1, 30, 30, 3], [1, 2], False, (0.2, 60), (0.01, -100), 26,
     "n = 900 and an output scale 20 times finer (saturating clamps)"),
]


def hard_swish_model(shape, input_quantization, output_quantization):
    return one_op_model(s.BuiltinOperator.HARD_SWISH, s.BuiltinOptions.NONE, None, [("x", shape, input_quantization)],
                        (shape, output_quantization))


# name, shape, input and output quantization, seed, branch
HARD_SWISH_CASES = [
    ("hard_swish_tiny_scales", [1, 3, 3, 48], (7.864132e-09, 0), (7.853635e-09, 0), 31,
     "scales of 8e-9 (a Keras MobileNetV3's late layers): the reluish shift reaches 20, past gemmlowp's int16 mask"),
    ("hard_swish_wide_range", [1, 4, 5, 16], (0.05, -10), (0.03, -100), 32,
     "a range past +-3 on both sides, the reluish value saturating"),
]


def constant_operand_model(code, options_type, options, shape, x_quantization, constant, y_quantization, constant_first=False):
    """x (an activation) combined with a one-value int8 constant `(scale, zero point, value)` of shape [],
    the constant second (`x - c`) or, with `constant_first`, first (`c - x`)."""
    scale, zero, value = constant
    operands = [("x", shape, x_quantization), ("c", [], (scale, zero), [value])]
    return one_op_model(code, options_type, options, operands[::-1] if constant_first else operands, (shape, y_quantization))


def add_options(activation):
    o = s.AddOptionsT()
    o.fusedActivationFunction = activation
    return o


# name, code, shape, x quantization, constant (scale, zero point, value), y quantization, activation, seed, branch
CONSTANT_OPERAND_CASES = [
    ("add_constant_relu6", "ADD", [1, 5, 5, 8], (0.04, -3), (3 / 127, 0, 127), (6 / 255, -128), RELU6, 41,
     "x + 3 with a fused RELU6 (Keras hard-sigmoid): a one-value constant broadcast"),
    ("sub_constant", "SUB", [1, 4, 4, 8], (0.03, 5), (0.5, 0, 4), (0.05, -10), NONE, 43,
     "x - 2 with the constant second"),
    ("mul_constant", "MUL", [1, 5, 5, 8], (6 / 255, -128), (1 / 6 / 255, -128, 127), (1 / 255, -128), NONE, 42,
     "x * (1/6) (Keras hard-sigmoid): a one-value constant broadcast"),
]


def shape_chain_model(shape, quantization):
    """SHAPE -> STRIDED_SLICE [0:1] with shrink -> PACK with -1 -> RESHAPE: Keras's Flatten with a dynamic batch."""
    shape_options = s.ShapeOptionsT()
    shape_options.outType = s.TensorType.INT32
    slice_options = s.StridedSliceOptionsT()
    slice_options.shrinkAxisMask = 1
    pack_options = s.PackOptionsT()
    pack_options.valuesCount, pack_options.axis = 2, 0
    n = int(np.prod(shape))
    tensors = [("x", shape, quantization), ("dims", [len(shape)], "int32"), ("begin", np.array([0])), ("end", np.array([1])),
               ("strides", np.array([1])), ("batch", [], "int32"), ("rest", np.array(-1)), ("packed", [2], "int32"),
               ("y", [1, n], quantization)]
    operators = [(s.BuiltinOperator.SHAPE, s.BuiltinOptions.ShapeOptions, shape_options, ["x"], ["dims"]),
                 (s.BuiltinOperator.STRIDED_SLICE, s.BuiltinOptions.StridedSliceOptions, slice_options, ["dims", "begin", "end", "strides"], ["batch"]),
                 (s.BuiltinOperator.PACK, s.BuiltinOptions.PackOptions, pack_options, ["batch", "rest"], ["packed"]),
                 (s.BuiltinOperator.RESHAPE, s.BuiltinOptions.NONE, None, ["x", "packed"], ["y"])]
    return graph_model(tensors, operators, ["x"], ["y"])


def transpose_model(shape, permutation, quantization):
    out_shape = [shape[p] for p in permutation]
    return one_op_model(s.BuiltinOperator.TRANSPOSE, s.BuiltinOptions.TransposeOptions, s.TransposeOptionsT(),
                        [("x", shape, quantization), ("perm", np.array(permutation))], (out_shape, quantization))


def fully_connected_rows_model(rows, inputs, units, seed):
    """FULLY_CONNECTED of `rows` rows at once (a batch, or a sequence as in keyword spotting), per-tensor weights, bias."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(-127, 128, size=(units, inputs), dtype=np.int8)
    bias = rng.integers(-3000, 3000, size=(units,)).astype(np.int32)
    options = s.FullyConnectedOptionsT()
    options.fusedActivationFunction = RELU
    return one_op_model(s.BuiltinOperator.FULLY_CONNECTED, s.BuiltinOptions.FullyConnectedOptions, options,
                        [("x", [rows, inputs], (0.05, 3)), ("w", [units, inputs], (0.004, 0), weights), ("b", bias)],
                        ([rows, units], (0.1, -20)))


def padv2_model(shape, paddings, quantization, fill):
    """PADV2 of x by `paddings` ([[before, after]] per axis) with the int8 constant `fill` (x's quantization)."""
    out_shape = [d + a + b for d, (a, b) in zip(shape, paddings)]
    return one_op_model(s.BuiltinOperator.PADV2, s.BuiltinOptions.PadV2Options, s.PadV2OptionsT(),
                        [("x", shape, quantization), ("paddings", np.array(paddings)), ("value", [], quantization, [fill])],
                        (out_shape, quantization))


def write_case(root, name, model, shapes, seed, branch, outputs=1):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.tflite"), "wb") as f:
        f.write(model)
    rng = np.random.default_rng(seed)
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=1 << 22)
    for c in range(CASES_PER_MODEL):
        for k, shape in enumerate(shapes[:2]):
            x = rng.integers(-128, 128, size=shape, dtype=np.int8)
            interpreter.set_input(x, k)
            with open(os.path.join(folder, f"input_{c}_{k}.bin"), "wb") as f:
                f.write(x.tobytes())
        interpreter.invoke()
        with open(os.path.join(folder, f"output_{c}.bin"), "wb") as f:  # every output, in order
            f.write(b"".join(interpreter.get_output(k).astype(np.int8).tobytes() for k in range(outputs)))
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump({"case": name, "branch": branch, "seed": seed, "cases": CASES_PER_MODEL, "inputs": len(shapes[:2]), "outputs": outputs,
                   "outputs_from": "tflite-micro python interpreter (reference kernels)"}, f, indent=1)
        f.write("\n")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "Tests/ImportTests/TFLMCases"
    for name, shapes, quantizations, activation, seed, branch in MUL_CASES:
        model = binary_model(s.BuiltinOperator.MUL, s.BuiltinOptions.MulOptions, mul_options(activation), shapes, quantizations)
        write_case(root, name, model, shapes, seed, branch)
        print(f"{name}: {branch}")
    for name, shape, size, quantization, align, half, seed, branch in RESIZE_BILINEAR_CASES:
        model = resize_bilinear_model(shape, size, quantization, align, half)
        write_case(root, name, model, [shape], seed, branch)
        print(f"{name}: {branch}")
    for name, shapes, quantizations, activation, seed, branch in SUB_CASES:
        model = binary_model(s.BuiltinOperator.SUB, s.BuiltinOptions.SubOptions, sub_options(activation), shapes, quantizations)
        write_case(root, name, model, shapes, seed, branch)
        print(f"{name}: {branch}")
    for name, shape, xq, yq, seed, branch in HARD_SWISH_CASES:
        write_case(root, name, hard_swish_model(shape, xq, yq), [shape], seed, branch)
        print(f"{name}: {branch}")
    for name, op, shape, xq, constant, yq, activation, seed, branch in CONSTANT_OPERAND_CASES:
        code, options_type, options = {"ADD": (s.BuiltinOperator.ADD, s.BuiltinOptions.AddOptions, add_options(activation)),
                                       "SUB": (s.BuiltinOperator.SUB, s.BuiltinOptions.SubOptions, sub_options(activation)),
                                       "MUL": (s.BuiltinOperator.MUL, s.BuiltinOptions.MulOptions, mul_options(activation))}[op]
        write_case(root, name, constant_operand_model(code, options_type, options, shape, xq, constant, yq), [shape], seed, branch)
        print(f"{name}: {branch}")
    write_case(root, "sub_constant_first", constant_operand_model(s.BuiltinOperator.SUB, s.BuiltinOptions.SubOptions, sub_options(NONE),
                                                             [1, 4, 4, 8], (0.03, 5), (1 / 127, 0, 127), (0.05, 10), constant_first=True),
               [[1, 4, 4, 8]], 44,
               "1 - x (Keras's 1 - gate): the constant first")
    print("sub_constant_first")
    write_case(root, "padv2_fill_value", padv2_model([1, 3, 4, 5], [[0, 0], [1, 2], [2, 0], [0, 0]], (0.05, -7), 93), [[1, 3, 4, 5]], 81,
               "PADV2 with a fill other than the zero point (asymmetric)")
    print("padv2_fill_value")
    write_case(root, "padv2_zero_point", padv2_model([1, 2, 2, 3], [[0, 0], [1, 1], [1, 1], [0, 0]], (0.1, 12), 12), [[1, 2, 2, 3]], 82,
               "PADV2 filled with the zero point (a float 0, as PAD)")
    print("padv2_zero_point")
    q = (0.05, -4)
    write_case(root, "maximum_same_shape", binary_model(s.BuiltinOperator.MAXIMUM, s.BuiltinOptions.MaximumMinimumOptions,
                                                          s.MaximumMinimumOptionsT(), ([1, 4, 5, 6],) * 3, (q, q, q)),
               ([1, 4, 5, 6],) * 2, 91, "MAXIMUM of two tensors of one shape, on raw bytes")
    write_case(root, "minimum_channel_vector", binary_model(s.BuiltinOperator.MINIMUM, s.BuiltinOptions.MaximumMinimumOptions,
                                                              s.MaximumMinimumOptionsT(), ([1, 3, 3, 8], [1, 1, 1, 8], [1, 3, 3, 8]), (q, q, q)),
               ([1, 3, 3, 8], [1, 1, 1, 8]), 92, "MINIMUM with a channel vector broadcast")
    write_case(root, "maximum_constant", constant_operand_model(s.BuiltinOperator.MAXIMUM, s.BuiltinOptions.MaximumMinimumOptions,
                                                                s.MaximumMinimumOptionsT(), [1, 4, 4, 8], q, (q[0], q[1], -4), q), [[1, 4, 4, 8]], 93,
               "MAXIMUM with a one-value constant (a ReLU written as max(x, 0))")
    write_case(root, "minimum_constant_first", constant_operand_model(s.BuiltinOperator.MINIMUM, s.BuiltinOptions.MaximumMinimumOptions,
                                                                    s.MaximumMinimumOptionsT(), [1, 4, 4, 8], q, (q[0], q[1], 116), q, constant_first=True),
               [[1, 4, 4, 8]], 94,
               "MINIMUM with a one-value constant first (min(6, x))")
    print("maximum/minimum")
    for name, shapes, axis, seed, branch in [
            ("concatenation_axis_h", ([1, 3, 4, 5], [1, 2, 4, 5]), 1, 101, "CONCATENATION along H (axis 1 of NHWC)"),
            ("concatenation_axis_w", ([1, 3, 2, 5], [1, 3, 4, 5]), -2, 102, "CONCATENATION along W (axis -2)"),
            ("concatenation_rank3_axis1", ([1, 6, 7], [1, 3, 7]), 1, 103, "CONCATENATION of rank-3 tensors along axis 1 (sequences)")]:
        options = s.ConcatenationOptionsT()
        options.axis = axis
        out = list(shapes[0])
        out[axis] = shapes[0][axis] + shapes[1][axis]
        q = (0.07, 9)
        write_case(root, name, one_op_model(s.BuiltinOperator.CONCATENATION, s.BuiltinOptions.ConcatenationOptions, options,
                                            [("a", shapes[0], q), ("b", shapes[1], q)], (out, q)), shapes, seed, branch)
        print(name)
    q = (0.03, -2)
    for name, code, options_type, options, x_shape, parts, seed, branch in [
            ("split_channels", s.BuiltinOperator.SPLIT, s.BuiltinOptions.SplitOptions, s.SplitOptionsT(), [1, 3, 4, 12], [4, 4, 4], 111,
             "SPLIT into three along channels (axis first)"),
            ("split_v_height", s.BuiltinOperator.SPLIT_V, s.BuiltinOptions.SplitVOptions, s.SplitVOptionsT(), [1, 5, 3, 6], [2, 3], 112,
             "SPLIT_V into sizes 2 and 3 along H")]:
        axis = 3 if code == s.BuiltinOperator.SPLIT else 1
        options.numSplits = len(parts)
        outs = []
        for k, p in enumerate(parts):
            shape = list(x_shape)
            shape[axis] = p
            outs.append((f"y{k}", shape, q))
        operands = ([("axis", np.array(axis)), ("x", x_shape, q)] if code == s.BuiltinOperator.SPLIT
                    else [("x", x_shape, q), ("sizes", np.array(parts)), ("axis", np.array(axis))])
        model = graph_model(operands + outs, [(code, options_type, options, [o[0] for o in operands], [o[0] for o in outs])],
                            ["x"], [o[0] for o in outs])
        write_case(root, name, model, [x_shape], seed, branch, outputs=len(parts))
        print(name)
    for name, x_shape, begin, end, masks, seed, branch in [
            ("strided_slice_hw", [1, 6, 7, 4], [0, 1, 2, 0], [1, 5, -1, 4], (0, 0, 0), 121, "STRIDED_SLICE of an image: a window of H and W"),
            ("strided_slice_shrink_masks", [1, 4, 5, 8], [0, 2, 0, 3], [1, 3, 0, 0], (0b0100, 0b1100, 0b0010), 122,
             "STRIDED_SLICE with begin/end masks and a shrunk axis (H)")]:
        options = s.StridedSliceOptionsT()
        options.beginMask, options.endMask, options.shrinkAxisMask = masks
        out = []
        for axis, n in enumerate(x_shape):
            first = 0 if masks[0] >> axis & 1 else (begin[axis] + n if begin[axis] < 0 else begin[axis])
            if masks[2] >> axis & 1:
                continue
            last = n if masks[1] >> axis & 1 else (end[axis] + n if end[axis] < 0 else end[axis])
            out.append(min(last, n) - first)
        model = one_op_model(s.BuiltinOperator.STRIDED_SLICE, s.BuiltinOptions.StridedSliceOptions, options,
                             [("x", x_shape, q), ("begin", np.array(begin)), ("end", np.array(end)), ("strides", np.ones(4, int))], (out, q))
        write_case(root, name, model, [x_shape], seed, branch)
        print(name)
    write_case(root, "shape_chain_flatten", shape_chain_model([1, 3, 3, 8], (0.1, 4)), [[1, 3, 3, 8]], 51,
               "SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE (Keras Flatten, dynamic batch): folded at import")
    print("shape_chain_flatten")
    write_case(root, "transpose_nhwc_to_nchw", transpose_model([1, 3, 4, 5], [0, 3, 1, 2], (0.02, 7)), [[1, 3, 4, 5]], 61,
               "TRANSPOSE [0, 3, 1, 2]: an NHWC image to NCHW (PyTorch exports)")
    print("transpose_nhwc_to_nchw")
    write_case(root, "fully_connected_rows", fully_connected_rows_model(3, 20, 8, 62), [[3, 20]], 62,
               "FULLY_CONNECTED over 3 rows at once, per-tensor weights, bias, fused RELU")
    print("fully_connected_rows")
    for name, shape, axes, keep_dims, xq, yq, seed, branch in MEAN_CASES:
        write_case(root, name, mean_model(shape, axes, keep_dims, xq, yq), [shape], seed, branch)
        print(f"{name}: {branch}")


if __name__ == "__main__":
    main()

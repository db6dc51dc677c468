#!/usr/bin/env python3
"""Writes the ONNX import cases the tests run (Tests/ImportTests/ONNXCases), by hand, once:

  pip install onnx onnxruntime numpy && python3 Tools/make_onnx_cases.py

Two kinds, each a folder with model.onnx, input.npy and output.npy (onnxruntime's float output
for that input; a `refuse.txt` instead of output.npy holds the words the import error must
contain):
- `backend-*`: the 2-D cases of ONNX's own backend test data (the `onnx` wheel's
  onnx/backend/test/data/pytorch-converted and pytorch-operator, PyTorch exports at opset 6;
  ONNX is Apache-2.0, see ONNXCases/README.md) for the ops the importer supports;
- hand-built graphs (onnx.helper) for the patterns real exports use that those lack: NCHW in and
  out, hard-swish from HardSigmoid, channel shuffle through Reshape/Transpose with a folded Shape
  subgraph, flatten of an NCHW image into Gemm, pools with ceil_mode and count_include_pad,
  SAME_LOWER and asymmetric padding, Resize and Upsample, ConvTranspose with output_padding,
  batch norm and per-channel arithmetic folding, a tf2onnx NHWC input, and refusals.
"""
import os, glob, shutil
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import onnxruntime as ort

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Tests', 'ImportTests', 'ONNXCases')
rng = np.random.default_rng(7)

BACKEND = ['test_AvgPool2d', 'test_AvgPool2d_stride', 'test_BatchNorm2d_eval', 'test_BatchNorm2d_momentum_eval', 'test_Conv2d',
           'test_Conv2d_depthwise', 'test_Conv2d_depthwise_padded', 'test_Conv2d_depthwise_strided',
           'test_Conv2d_depthwise_with_multiplier', 'test_Conv2d_dilated', 'test_Conv2d_groups', 'test_Conv2d_groups_thnn',
           'test_Conv2d_no_bias', 'test_Conv2d_padding', 'test_Conv2d_strided', 'test_ConvTranspose2d', 'test_ConvTranspose2d_no_bias',
           'test_LeakyReLU', 'test_LeakyReLU_with_negval', 'test_Linear', 'test_Linear_no_bias', 'test_MaxPool2d', 'test_PReLU_2d',
           'test_ReLU', 'test_Sigmoid', 'test_Softmax', 'test_Tanh', 'test_ZeroPad2d', 'test_softmax_lastdim',
           'test_operator_convtranspose']
BACKEND_REFUSED = {'test_ReflectionPad2d': "Pad mode 'reflect' is not supported", 'test_ELU': 'Elu is not supported',
                   'test_PixelShuffle': 'Reshape from'}


def save(name, model, x, refuse=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, os.path.join(d, 'model.onnx'))
    np.save(os.path.join(d, 'input.npy'), x.astype(np.float32))
    if refuse:
        open(os.path.join(d, 'refuse.txt'), 'w').write(refuse + '\n')
        return
    s = ort.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
    y = s.run(None, {model.graph.input[0].name: x.astype(np.float32)})[0]
    np.save(os.path.join(d, 'output.npy'), y.astype(np.float32))


def backend():
    root = os.path.join(os.path.dirname(onnx.__file__), 'backend', 'test', 'data')
    for name in BACKEND + list(BACKEND_REFUSED):
        src = glob.glob(os.path.join(root, '*', name))[0]
        m = onnx.load(os.path.join(src, 'model.onnx'))
        x = numpy_helper.to_array(onnx.load_tensor(os.path.join(src, 'test_data_set_0', 'input_0.pb')))
        d = os.path.join(OUT, 'backend-' + name[5:])
        os.makedirs(d, exist_ok=True)
        shutil.copy(os.path.join(src, 'model.onnx'), d)
        np.save(os.path.join(d, 'input.npy'), x)
        if name in BACKEND_REFUSED:
            open(os.path.join(d, 'refuse.txt'), 'w').write(BACKEND_REFUSED[name] + '\n')
        else:
            y = numpy_helper.to_array(onnx.load_tensor(os.path.join(src, 'test_data_set_0', 'output_0.pb')))
            np.save(os.path.join(d, 'output.npy'), y)


def w(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def model(nodes, inits, in_shape, out_shape, opset=13, in_name='x'):
    g = helper.make_graph(nodes, 'case', [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, out_shape)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], producer_name='make_onnx_cases')
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def hand_built():
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    # Hard-swish as x * HardSigmoid(x), then GAP, Flatten, Gemm (transB) and Softmax.
    save('hardswish-gap-gemm', model([
        helper.make_node('Conv', ['x', 'w1', 'b1'], ['c1'], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node('HardSigmoid', ['c1'], ['hs'], alpha=1 / 6, beta=0.5),
        helper.make_node('Mul', ['c1', 'hs'], ['h']),
        helper.make_node('HardSwish', ['h'], ['h2']),
        helper.make_node('GlobalAveragePool', ['h2'], ['g']),
        helper.make_node('Flatten', ['g'], ['f'], axis=1),
        helper.make_node('Gemm', ['f', 'wf', 'bf'], ['z'], transB=1, alpha=0.5, beta=2.0),
        helper.make_node('Softmax', ['z'], ['y'], axis=-1)],
        [init('w1', w(16, 8, 3, 3)), init('b1', w(16)), init('wf', w(10, 16)), init('bf', w(10))], [1, 8, 12, 12], [1, 10], opset=14), x)
    # Channel shuffle (ShuffleNet) with its shape computed by a Shape/Gather/Concat subgraph; NCHW output.
    save('channel-shuffle-nchw-out', model([
        helper.make_node('Conv', ['x', 'w1'], ['c1'], kernel_shape=[1, 1], group=2),
        helper.make_node('Shape', ['c1'], ['s']),
        helper.make_node('Gather', ['s', 'i0'], ['n'], axis=0),
        helper.make_node('Gather', ['s', 'i23'], ['hw'], axis=0),
        helper.make_node('Concat', ['n', 'g', 'cg', 'hw'], ['shape5'], axis=0),
        helper.make_node('Reshape', ['c1', 'shape5'], ['r5']),
        helper.make_node('Transpose', ['r5'], ['t5'], perm=[0, 2, 1, 3, 4]),
        helper.make_node('Concat', ['n', 'c', 'hw'], ['shape4'], axis=0),
        helper.make_node('Reshape', ['t5', 'shape4'], ['r4']),
        helper.make_node('Conv', ['r4', 'w2', 'b2'], ['y'], kernel_shape=[3, 3], pads=[0, 1, 2, 1], group=4)],
        [init('w1', w(16, 4, 1, 1)), init('w2', w(8, 4, 3, 3)), init('b2', w(8)), init('i0', np.array([0], np.int64)),
         init('i23', np.array([2, 3], np.int64)), init('g', np.array([2], np.int64)), init('cg', np.array([8], np.int64)),
         init('c', np.array([16], np.int64))], [1, 8, 12, 12], [1, 8, 12, 12]), x)
    # Flatten of an NCHW image into Gemm (the weights take the NHWC order), ReLU6 as Clip with inputs.
    save('flatten-nchw-gemm', model([
        helper.make_node('Conv', ['x', 'w1', 'b1'], ['c1'], kernel_shape=[3, 3], strides=[3, 3]),
        helper.make_node('Clip', ['c1', 'lo', 'hi'], ['r']),
        helper.make_node('Flatten', ['r'], ['f']),
        helper.make_node('Gemm', ['f', 'wf'], ['y'])],
        [init('w1', w(6, 8, 3, 3)), init('b1', w(6)), init('lo', np.array(0, np.float32)), init('hi', np.array(6, np.float32)),
         init('wf', w(6 * 4 * 4, 5))], [1, 8, 12, 12], [1, 5]), x)
    # Pools: MaxPool ceil_mode with padding, AveragePool counting padding, AveragePool ceil_mode; SAME_LOWER conv.
    save('pools-ceil-count-pad', model([
        helper.make_node('MaxPool', ['x'], ['p1'], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1),
        helper.make_node('AveragePool', ['p1'], ['p2'], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1),
        helper.make_node('AveragePool', ['p2'], ['p3'], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
        helper.make_node('Conv', ['p3', 'w1'], ['y'], kernel_shape=[2, 2], auto_pad='SAME_LOWER')],
        [init('w1', w(4, 8, 2, 2))], [1, 8, 13, 13], [1, 4, 4, 4], opset=11), rng.standard_normal((1, 8, 13, 13)))
    # Resize (nearest, scales), Upsample (opset 9), ConvTranspose with output_padding and pads, Concat on channels.
    up = model([
        helper.make_node('Resize', ['x', '', 'sc'], ['u'], mode='nearest'),
        helper.make_node('ConvTranspose', ['x', 'wt', 'bt'], ['t'], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]),
        helper.make_node('Concat', ['u', 't'], ['y'], axis=1)],
        [init('sc', np.array([1, 1, 2, 2], np.float32)), init('wt', w(8, 4, 3, 3)), init('bt', w(4))], [1, 8, 6, 6], [1, 12, 12, 12])
    save('resize-convtranspose-concat', up, rng.standard_normal((1, 8, 6, 6)))
    save('upsample-opset9', model([helper.make_node('Upsample', ['x', 'sc'], ['y'], mode='nearest')],
                                  [init('sc', np.array([1, 1, 3, 2], np.float32))], [1, 3, 4, 5], [1, 3, 12, 10], opset=9),
         rng.standard_normal((1, 3, 4, 5)))
    # Batch norm and per-channel arithmetic: folded into the conv where nothing else reads it; a
    # second reader keeps one as a batch norm node; a residual Add; Pad with a pads input.
    save('affine-folding-residual', model([
        helper.make_node('Conv', ['x', 'w1'], ['c1'], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node('BatchNormalization', ['c1', 'g', 'b', 'm', 'v'], ['bn'], epsilon=1e-3),
        helper.make_node('Mul', ['bn', 'k'], ['m1']),
        helper.make_node('Sub', ['m1', 'k2'], ['s1']),
        helper.make_node('Div', ['s1', 'two'], ['d1']),
        helper.make_node('Relu', ['d1'], ['r1']),
        helper.make_node('Mul', ['r1', 'k'], ['m2']),
        helper.make_node('Add', ['m2', 'r1'], ['a']),
        helper.make_node('Pad', ['a', 'pads'], ['p']),
        helper.make_node('LeakyRelu', ['p'], ['l'], alpha=0.2),
        helper.make_node('PRelu', ['l', 'slope'], ['pr']),
        helper.make_node('Sigmoid', ['pr'], ['sg']),
        helper.make_node('Tanh', ['sg'], ['y'])],
        [init('w1', w(8, 8, 3, 3)), init('g', w(8) + 1), init('b', w(8)), init('m', w(8)), init('v', np.abs(w(8)) + 0.5),
         init('k', w(1, 8, 1, 1)), init('k2', w(8, 1, 1)), init('two', np.array(2, np.float32)),
         init('pads', np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)), init('slope', np.array([0.1], np.float32))],
        [1, 8, 12, 12], [1, 8, 15, 15]), x)
    # tf2onnx style: an NHWC input transposed to NCHW, ReduceMean over H and W, Squeeze.
    save('nhwc-input-reducemean', model([
        helper.make_node('Transpose', ['x'], ['t'], perm=[0, 3, 1, 2]),
        helper.make_node('Conv', ['t', 'w1', 'b1'], ['c1'], kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 2, 2, 2], group=3),
        helper.make_node('ReduceMean', ['c1'], ['rm'], axes=[2, 3], keepdims=1),
        helper.make_node('Squeeze', ['rm', 'ax'], ['sq']),
        helper.make_node('MatMul', ['sq', 'wm'], ['mm']),
        helper.make_node('Add', ['mm', 'bm'], ['y'])],
        [init('w1', w(6, 1, 3, 3)), init('b1', w(6)), init('ax', np.array([2, 3], np.int64)), init('wm', w(6, 4)), init('bm', w(4))],
        [1, 10, 10, 3], [1, 4], opset=13), rng.standard_normal((1, 10, 10, 3)))
    # Refusals, named by node and op.
    save('refuse-lrn', model([helper.make_node('LRN', ['x'], ['y'], size=3, name='lrn_1')], [], [1, 8, 12, 12], [1, 8, 12, 12]),
         x, refuse="node 0 'lrn_1': LRN is not supported")
    # Squeeze-excitation (torchvision's MobileNetV3 block): GAP, 1x1 convs, HardSigmoid gate times the image;
    # hard-swish from parts (x * relu6(x + 3) / 6, Keras's).
    save('squeeze-excitation-hardswish-parts', model([
        helper.make_node('Conv', ['x', 'w0', 'b0'], ['c0'], kernel_shape=[1, 1]),
        helper.make_node('Add', ['c0', 'three'], ['p3']),
        helper.make_node('Clip', ['p3', 'zero', 'six'], ['r6']),
        helper.make_node('Mul', ['c0', 'r6'], ['m']),
        helper.make_node('Div', ['m', 'six'], ['hs']),
        helper.make_node('GlobalAveragePool', ['hs'], ['g']),
        helper.make_node('Conv', ['g', 'w1', 'b1'], ['s1'], kernel_shape=[1, 1]),
        helper.make_node('Relu', ['s1'], ['r']),
        helper.make_node('Conv', ['r', 'w2', 'b2'], ['s2'], kernel_shape=[1, 1]),
        helper.make_node('HardSigmoid', ['s2'], ['gate'], alpha=1 / 6, beta=0.5),
        helper.make_node('Mul', ['gate', 'hs'], ['y'], name='se_mul')],
        [init('w0', w(8, 8, 1, 1)), init('b0', w(8)), init('three', np.array(3, np.float32)), init('zero', np.array(0, np.float32)),
         init('six', np.array(6, np.float32)), init('w1', w(4, 8, 1, 1)), init('b1', w(4)), init('w2', w(8, 4, 1, 1)), init('b2', w(8))],
        [1, 8, 12, 12], [1, 8, 12, 12]), x)
    save('refuse-sub-two-tensors', model([
        helper.make_node('GlobalAveragePool', ['x'], ['g']),
        helper.make_node('Sub', ['x', 'g'], ['y'], name='centre')], [], [1, 8, 12, 12], [1, 8, 12, 12]),
         x, refuse="node 1 'centre': Sub of two tensors is not supported")
    save('refuse-dilated-maxpool', model([helper.make_node('MaxPool', ['x'], ['y'], kernel_shape=[2, 2], dilations=[2, 2])], [],
                                         [1, 8, 12, 12], [1, 8, 10, 10], opset=12), x, refuse='MaxPool with dilation is not supported')
    # Bilinear Resize, as segmentation heads use it: every coordinate mode TFLite's rule matches.
    for mode, scales, sizes, out in [('half_pixel', [1, 1, 2, 2], None, [1, 8, 24, 24]),
                                     ('pytorch_half_pixel', None, [1, 8, 7, 5], [1, 8, 7, 5]),
                                     ('align_corners', None, [1, 8, 17, 23], [1, 8, 17, 23]),
                                     ('asymmetric', [1, 1, 1.5, 2.5], None, [1, 8, 18, 30])]:
        inputs = ['x', '', 'sc'] if scales else ['x', '', '', 'sz']
        inits = [init('sc', np.array(scales, np.float32))] if scales else [init('sz', np.array(sizes, np.int64))]
        save(f'resize-linear-{mode.replace("_", "-")}', model([
            helper.make_node('Resize', inputs, ['y'], mode='linear', coordinate_transformation_mode=mode)], inits,
            [1, 8, 12, 12], out), x)
    save('segmentation-head', model([
        helper.make_node('Conv', ['x', 'w1', 'b1'], ['c1'], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node('Relu', ['c1'], ['r1']),
        helper.make_node('ConvTranspose', ['r1', 'wt', 'bt'], ['t'], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node('Conv', ['x', 'w2'], ['c2'], kernel_shape=[1, 1]),
        helper.make_node('Concat', ['t', 'c2'], ['cat'], axis=1),
        helper.make_node('Conv', ['cat', 'w3', 'b3'], ['logits'], kernel_shape=[1, 1]),
        helper.make_node('Resize', ['logits', '', 'sc'], ['y'], mode='linear')],
        [init('w1', w(16, 8, 3, 3)), init('b1', w(16)), init('wt', w(16, 8, 2, 2)), init('bt', w(8)), init('w2', w(8, 8, 1, 1)),
         init('w3', w(5, 16, 1, 1)), init('b3', w(5)), init('sc', np.array([1, 1, 2, 2], np.float32))], [1, 8, 12, 12], [1, 5, 24, 24]), x)
    save('refuse-cubic', model([helper.make_node('Resize', ['x', '', 'sc'], ['y'], mode='cubic')],
                               [init('sc', np.array([1, 1, 2, 2], np.float32))], [1, 8, 12, 12], [1, 8, 24, 24]),
         x, refuse="Resize mode 'cubic' is not supported")
    # An output without a batch axis (Gemm then Reshape to [2, 5]): Minnow gives it a batch axis of 1.
    save('output-without-batch-axis', model([
        helper.make_node('Gemm', ['x', 'wf', 'bf'], ['z'], transB=1),
        helper.make_node('Reshape', ['z', 'shape'], ['y'])],
        [init('wf', w(10, 16)), init('bf', w(10)), init('shape', np.array([2, 5], np.int64))], [1, 16], [2, 5]),
        rng.standard_normal((1, 16)))


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    for d in glob.glob(os.path.join(OUT, '*', '')):
        shutil.rmtree(d)
    backend()
    hand_built()
    print('wrote', len(glob.glob(os.path.join(OUT, '*', ''))), 'cases to', os.path.normpath(OUT))

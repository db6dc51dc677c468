import Graph
import Quantize
import Runtime

/// A 15-op int8 model touching every op kind, with random weights from `seed`.
public func chainProgram(seed: UInt64 = 1) -> Q8Program {
    var rng = SeededRandom(seed: seed)
    var prog = Q8Program()
    func q(_ scale: Float, _ zp: Int) -> AffineQuantization { AffineQuantization(scale: scale, zeroPoint: zp) }
    func weights(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8.random(in: -127...127, using: &rng) } }
    func requant(_ c: Int, inScale: Float, outScale: Float) -> (Int, Int) {
        let (m, s) = channelMultipliers(inputScale: inScale, weightScales: (0..<c).map { _ in Float.random(in: 0.002...0.02, using: &rng) },
                                        outputScale: outScale)
        return (prog.constant(m, shape: [c]), prog.constant(s, shape: [c]))
    }
    func biases(_ c: Int) -> Int { prog.constant((0..<c).map { _ in Int32.random(in: -2000...2000, using: &rng) }, shape: [c]) }
    let x = prog.activation([10, 10, 3], q(0.02, -5))
    prog.inputs = [x]
    let t1 = prog.activation([10, 10, 8], q(0.05, -128))
    var (m, s) = requant(8, inScale: 0.02, outScale: 0.05)
    prog.add(.conv2d, [x, prog.constant(weights(8 * 9 * 3), shape: [8, 3, 3, 3]), m, s, biases(8)], output: t1,
             parameters: [3, 3, 1, 1, 1, 1, 1, 1, 1, -128, 127], name: "conv")
    let t2 = prog.activation([5, 5, 8], q(0.04, -10))
    (m, s) = requant(8, inScale: 0.05, outScale: 0.04)
    prog.add(.depthwiseConv2d, [t1, prog.constant(weights(9 * 8), shape: [3, 3, 8]), m, s, nil], output: t2,
             parameters: [3, 3, 2, 2, 1, 1, 0, 0, 8, -128, 127], name: "dw")
    let t3 = prog.activation([5, 5, 8], q(0.03, 0))
    let table = lookupTable(input: q(0.04, -10), output: q(0.03, 0)) { $0 * min(max($0 + 3, 0), 6) / 6 }
    prog.add(.lookup, [t2, prog.constant(table, shape: [256])], output: t3, name: "hswish")
    let t4 = prog.activation([5, 5, 8], q(0.06, 3))
    let add = addParams(input1: q(0.03, 0), input2: q(0.04, -10), output: q(0.06, 3), activation: .relu)
    prog.add(.add, [t3, t2], output: t4, parameters: [add.input1Multiplier, add.input1Shift, add.input2Multiplier, add.input2Shift,
                                                     add.outputMultiplier, add.outputShift, add.activationMin, add.activationMax], name: "add")
    let t5 = prog.activation([7, 7, 8], q(0.06, 3))
    prog.add(.pad, [t4], output: t5, parameters: [1, 1], name: "pad")
    let t6 = prog.activation([3, 3, 8], q(0.06, 3))
    prog.add(.maxPool2d, [t5], output: t6, parameters: [2, 2, 2, 2, 0, 0, -128, 127], name: "maxpool")
    let t7 = prog.activation([7, 7, 4], q(0.1, 1))
    (m, s) = requant(4, inScale: 0.06, outScale: 0.1)
    prog.add(.transposeConv2d, [t6, prog.constant(weights(4 * 9 * 8), shape: [4, 3, 3, 8]), m, s, biases(4)], output: t7,
             parameters: [3, 3, 2, 2, 0, 0, -128, 127], scratch: prog.scratch(7 * 7 * 4), name: "tconv")
    let t8 = prog.activation([3, 3, 4], q(0.1, 1))
    let rows = nearestSourceIndices(input: 7, output: 3, alignCorners: false, halfPixelCenters: true)
    prog.add(.resizeNearest, [t7, prog.constant(rows, shape: [3]), prog.constant(rows, shape: [3])], output: t8, name: "resize")
    let t9 = prog.activation([3, 3, 12], q(0.06, 3))
    prog.add(.concatenation, [t6, t8], output: t9, name: "concat")
    let t10 = prog.activation([3, 3, 12], q(0.06, 3))
    prog.add(.channelShuffle, [t9], output: t10, parameters: [3], name: "shuffle")
    let t11 = prog.activation([2, 2, 12], q(0.06, 3))
    prog.add(.averagePool2d, [t10], output: t11, parameters: [2, 2, 1, 1, 0, 0, -128, 127], name: "avgpool")
    let t12 = prog.activation([12], q(0.05, -2))
    let mean = meanParams(input: ImageShape(height: 2, width: 2, channels: 12), inputQuantization: q(0.06, 3), outputQuantization: q(0.05, -2))
    prog.add(.mean, [t11], output: t12, parameters: [mean.multiplier, mean.shift, 0], name: "mean")
    let t13 = prog.activation([12], q(0.05, -2))
    prog.add(.reshape, [t12], output: t13, name: "reshape")
    let t14 = prog.activation([5], q(0.2, 7))
    (m, s) = requant(5, inScale: 0.05, outScale: 0.2)
    prog.add(.fullyConnected, [t13, prog.constant(weights(5 * 12), shape: [5, 12]), m, s, biases(5)], output: t14,
             parameters: [-128, 127], name: "fc")
    let t15 = prog.activation([5], q(1.0 / 256, -128))
    let soft = softmaxParams(beta: 1, inputScale: 0.2, rows: 1, depth: 5)
    prog.add(.softmax, [t14], output: t15, parameters: [soft.inputMultiplier, soft.inputLeftShift, soft.diffMin], name: "softmax")
    prog.outputs = [t15]
    prog.labels = ["a", "b", "c", "d", "e"]
    prog.normalizationMean = [0.5, 0.5, 0.5]
    prog.normalizationStd = [0.25, 0.25, 0.25]
    return prog
}

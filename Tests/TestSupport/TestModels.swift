import Graph
import Q8Build
import Runtime

/// A 20-op int8 model touching every op kind, with random weights from `seed`.
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
    prog.conv2d(x, filter: prog.constant(weights(8 * 9 * 3), shape: [8, 3, 3, 3]), multipliers: m, shifts: s, bias: biases(8),
                window: ConvWindow(padTop: 1, padLeft: 1), output: t1, name: "conv")
    let t2 = prog.activation([5, 5, 8], q(0.04, -10))
    (m, s) = requant(8, inScale: 0.05, outScale: 0.04)
    prog.depthwiseConv2d(t1, filter: prog.constant(weights(9 * 8), shape: [3, 3, 8]), multipliers: m, shifts: s, bias: nil,
                         window: ConvWindow(stride: (2, 2)), output: t2, name: "dw")
    let t3 = prog.activation([5, 5, 8], q(0.03, 0))
    let table = lookupTable(input: q(0.04, -10), output: q(0.03, 0)) { $0 * min(max($0 + 3, 0), 6) / 6 }
    prog.lookup(t2, table: table, output: t3, name: "hswish")
    let t4 = prog.activation([5, 5, 8], q(0.06, 3))
    let add = addParams(input1: q(0.03, 0), input2: q(0.04, -10), output: q(0.06, 3), activation: .relu)
    prog.add(t3, t2, add, output: t4, name: "add")
    let gated = prog.activation([5, 5, 8], q(0.06, 3))
    prog.mul(t4, t3, mulParams(input1: q(0.06, 3), input2: q(0.03, 0), output: q(0.06, 3), clamp: (-128, 127)), output: gated, name: "mul")
    let difference = prog.activation([5, 5, 8], q(0.06, 3))
    prog.sub(gated, t3, addParams(input1: q(0.06, 3), input2: q(0.03, 0), output: q(0.06, 3), activation: .none), output: difference,
             name: "sub")
    let larger = prog.activation([5, 5, 8], q(0.06, 3))
    prog.maximumMinimum(difference, gated, maximum: true, output: larger, name: "max")
    let t5 = prog.activation([7, 7, 8], q(0.06, 3))
    prog.pad(larger, top: 1, left: 1, fill: 3, output: t5, name: "pad")
    let t6 = prog.activation([3, 3, 8], q(0.06, 3))
    prog.pool2d(t5, average: false, kernel: (2, 2), window: ConvWindow(stride: (2, 2)), output: t6, name: "maxpool")
    let t7 = prog.activation([7, 7, 4], q(0.1, 1))
    (m, s) = requant(4, inScale: 0.06, outScale: 0.1)
    prog.transposeConv2d(t6, filter: prog.constant(weights(4 * 9 * 8), shape: [4, 3, 3, 8]), multipliers: m, shifts: s, bias: biases(4),
                         stride: (2, 2), padTop: 0, padLeft: 0, output: t7, name: "tconv")
    let t8 = prog.activation([3, 3, 4], q(0.1, 1))
    let rows = nearestSourceIndices(input: 7, output: 3, alignCorners: false, halfPixelCenters: true)
    prog.resizeNearest(t7, rows: rows, cols: rows, output: t8, name: "resize")
    let blended = prog.activation([3, 3, 4], q(0.1, 1))
    let taps = bilinearTaps(input: 7, output: 3, alignCorners: false, halfPixelCenters: true)
    prog.resizeBilinear(t7, rows: taps, cols: taps, output: blended, name: "bilinear")
    let t9 = prog.activation([3, 3, 16], q(0.06, 3))
    prog.concatenation([t6, t8, blended], output: t9, name: "concat")
    let t10 = prog.activation([3, 3, 16], q(0.06, 3))
    prog.channelShuffle(t9, groups: 4, output: t10, name: "shuffle")
    let t11 = prog.activation([2, 2, 16], q(0.06, 3))
    prog.pool2d(t10, average: true, kernel: (2, 2), window: ConvWindow(), output: t11, name: "avgpool")
    let kept = prog.activation([2, 2, 12], q(0.06, 3))
    prog.slice(t11, axis: 2, begin: 4, output: kept, name: "slice")
    let t12 = prog.activation([12], q(0.05, -2))
    let mean = meanParams(input: ImageShape(height: 2, width: 2, channels: 12), inputQuantization: q(0.06, 3), outputQuantization: q(0.05, -2))
    prog.mean(kept, mean, output: t12, name: "mean")
    let t13 = prog.activation([12], q(0.05, -2))
    prog.reshape(t12, output: t13, name: "reshape")
    let t14 = prog.activation([5], q(0.2, 7))
    (m, s) = requant(5, inScale: 0.05, outScale: 0.2)
    prog.fullyConnected(t13, filter: prog.constant(weights(5 * 12), shape: [5, 12]), multipliers: m, shifts: s, bias: biases(5),
                        output: t14, name: "fc")
    let t15 = prog.activation([5], q(1.0 / 256, -128))
    let soft = softmaxParams(beta: 1, inputScale: 0.2, rows: 1, depth: 5)
    prog.softmax(t14, soft, output: t15, name: "softmax")
    prog.outputs = [t15]
    prog.labels = ["a", "b", "c", "d", "e"]
    prog.normalizationMean = [0.5, 0.5, 0.5]
    prog.normalizationStd = [0.25, 0.25, 0.25]
    return prog
}

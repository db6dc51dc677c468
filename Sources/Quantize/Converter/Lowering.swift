import Q8Build
import Graph

/// An op of the lowered graph: what the int8 runtime will run, still with float weights.
/// Batch norm is folded into the convolution or dense layer before it, ReLU/ReLU6 into the
/// producer's output clamp, dropout removed.
enum LoweredOp {
    case input
    /// Weight OHWI `[Cout, KH, KW, Cin/groups]` and bias with batch norm folded in.
    case conv(Conv2D, weight: [Float], bias: [Float], activation: FusedActivation)
    case transposedConv(TransposedConv2D, weight: [Float], bias: [Float], activation: FusedActivation)
    case dense(weight: [Float], bias: [Float], activation: FusedActivation)
    case add(activation: FusedActivation)
    /// Element-wise product; the second input of the first's shape or one value per channel.
    case mul(activation: FusedActivation)
    case maxPool(Pool)
    case averagePool(Pool)
    case mean
    case concat
    case channelShuffle(groups: Int)
    case reshape
    case pad(top: Int, left: Int)
    case upsample
    /// Bilinear resize; keeps its input's quantization (TFLite's int8 kernel does not requantize).
    case resizeBilinear(alignCorners: Bool, halfPixelCenters: Bool)
    case softmax
    case lookup(Activation)
    /// The input requantized to this node's quantization (an identity lookup table).
    case requantize

    /// The case's name, as reports print it (`conv`, `dense`, `add`, …).
    var name: String {
        switch self {
        case .input: "input"
        case .conv: "conv"
        case .transposedConv: "transposedConv"
        case .dense: "dense"
        case .add: "add"
        case .mul: "mul"
        case .maxPool: "maxPool"
        case .averagePool: "averagePool"
        case .mean: "mean"
        case .concat: "concat"
        case .channelShuffle: "channelShuffle"
        case .reshape: "reshape"
        case .pad: "pad"
        case .upsample: "upsample"
        case .resizeBilinear: "resizeBilinear"
        case .softmax: "softmax"
        case .lookup: "lookup"
        case .requantize: "requantize"
        }
    }

    /// Ops whose output must share its input's quantization (the runtime copies or compares bytes).
    var sharesInputQuantization: Bool {
        switch self {
        case .maxPool, .averagePool, .concat, .channelShuffle, .reshape, .pad, .upsample, .resizeBilinear: return true
        case .input, .conv, .transposedConv, .dense, .add, .mul, .mean, .softmax, .lookup, .requantize: return false
        }
    }
}

/// One node of the lowered graph. `value` is the float-graph node whose output this node's
/// output stands for (the last node of a fused conv → BN → ReLU chain), used for calibration.
struct LoweredNode {
    var op: LoweredOp
    var inputs: [Int]
    var value: Int
    var name: String
    var shape: Shape
}

/// A graph the converter cannot turn into int8, with the node named.
public struct ConversionError: Error, CustomStringConvertible {
    public var description: String
}

/// Lowers a float graph: folds batch norm into the preceding conv / transposed conv / dense when
/// it is that node's only reader, fuses a following ReLU or ReLU6 (the only reader again) into
/// the producer's clamp, drops dropout, turns flatten and reshape into reshape, a lone batch
/// norm into a 1×1 depthwise convolution, and other nonlinearities into lookup tables.
func lower(_ graph: Graph) throws -> [LoweredNode] {
    let shapes: [Shape]
    do { shapes = try graph.inferShapes() } catch { throw ConversionError(description: "\(error)") }
    var readers = [Int](repeating: 0, count: graph.nodes.count)
    for node in graph.nodes { for i in node.inputs { readers[i] += 1 } }
    readers[graph.output] += 1
    /// The only reader of node `i`, if it has exactly one.
    func soleReader(_ i: Int) -> Int? {
        guard readers[i] == 1 else { return nil }
        return graph.nodes.indices.first { graph.nodes[$0].inputs.contains(i) }
    }

    var lowered: [LoweredNode] = []
    var loweredOf = [Int: Int]()   // float node → lowered node holding its value
    var consumed = Set<Int>()       // float nodes folded into an earlier lowered node

    for (index, node) in graph.nodes.enumerated() where !consumed.contains(index) {
        let inputs = node.inputs.map { loweredOf[$0]! }
        func emit(_ op: LoweredOp, value: Int = index, inputs: [Int]? = nil) {
            lowered.append(LoweredNode(op: op, inputs: inputs ?? node.inputs.map { loweredOf[$0]! }, value: value,
                                       name: node.name, shape: shapes[value]))
            loweredOf[value] = lowered.count - 1
            loweredOf[index] = lowered.count - 1
        }
        /// Folds a following batch norm into per-channel (scale, shift) and a following ReLU or
        /// ReLU6 into the clamp; returns the last float node absorbed.
        func absorbFollowers(scale: inout [Float], shift: inout [Float], foldBatchNorm: Bool = true) -> (last: Int, activation: FusedActivation) {
            var last = index
            if foldBatchNorm, let bn = soleReader(last), case let .batchNorm(eps) = graph.nodes[bn].op, last != graph.output {
                let p = graph.nodes[bn].parameters
                for c in scale.indices {
                    let s = p[0].data[c] / (p[3].data[c] + eps).squareRoot()
                    scale[c] *= s
                    shift[c] = (shift[c] - p[2].data[c]) * s + p[1].data[c]
                }
                consumed.insert(bn)
                last = bn
            }
            if last != graph.output, let act = soleReader(last), case let .activation(a) = graph.nodes[act].op,
               a == .relu || a == .relu6 {
                consumed.insert(act)
                return (act, a == .relu ? .relu : .relu6)
            }
            return (last, .none)
        }
        /// Weight rows scaled per output channel.
        func scaled(_ weight: [Float], channels: Int, _ scale: [Float]) -> [Float] {
            let per = weight.count / channels
            return weight.enumerated().map { $1 * scale[$0 / per] }
        }

        switch node.op {
        case .input:
            emit(.input, inputs: [])
        case let .conv2d(c):
            var scale = [Float](repeating: 1, count: c.outChannels)
            var shift = c.hasBias ? node.parameters[1].data : [Float](repeating: 0, count: c.outChannels)
            let (last, activation) = absorbFollowers(scale: &scale, shift: &shift)
            emit(.conv(c, weight: scaled(node.parameters[0].data, channels: c.outChannels, scale), bias: shift,
                       activation: activation), value: last)
        case let .transposedConv2d(t):
            var scale = [Float](repeating: 1, count: t.outChannels)
            var shift = t.hasBias ? node.parameters[1].data : [Float](repeating: 0, count: t.outChannels)
            let (last, activation) = absorbFollowers(scale: &scale, shift: &shift)
            emit(.transposedConv(t, weight: scaled(node.parameters[0].data, channels: t.outChannels, scale), bias: shift,
                                 activation: activation), value: last)
        case let .dense(n, hasBias):
            var scale = [Float](repeating: 1, count: n)
            var shift = hasBias ? node.parameters[1].data : [Float](repeating: 0, count: n)
            let (last, activation) = absorbFollowers(scale: &scale, shift: &shift)
            emit(.dense(weight: scaled(node.parameters[0].data, channels: n, scale), bias: shift, activation: activation), value: last)
        case let .batchNorm(eps):
            // Not after a foldable op: a 1×1 depthwise convolution computing gamma·(x − mean)/σ + beta.
            let p = node.parameters, c = shapes[index].channels
            let s = (0..<c).map { p[0].data[$0] / (p[3].data[$0] + eps).squareRoot() }
            let conv = Conv2D(outChannels: c, kernel: (1, 1), groups: c)
            guard shapes[index].isImage else { throw ConversionError(description: "node \(index) '\(node.name)': batch norm on a vector is not supported") }
            emit(.conv(conv, weight: s, bias: (0..<c).map { p[1].data[$0] - p[2].data[$0] * s[$0] }, activation: .none))
        case .add, .mul:
            var none = [Float](), zero = [Float]()
            let (last, activation) = absorbFollowers(scale: &none, shift: &zero, foldBatchNorm: false)
            if case .add = node.op { emit(.add(activation: activation), value: last) } else { emit(.mul(activation: activation), value: last) }
        case let .activation(a):
            emit(.lookup(a))
        case let .maxPool(p): emit(.maxPool(p))
        case let .averagePool(p): emit(.averagePool(p))
        case .globalAveragePool: emit(.mean)
        case .concat: emit(.concat)
        case let .channelShuffle(g): emit(.channelShuffle(groups: g))
        case .reshape, .flatten: emit(.reshape)
        case let .zeroPad(t, l, _, _): emit(.pad(top: t, left: l))
        case .upsampleNearest: emit(.upsample)
        case let .resizeBilinear(_, _, a, p): emit(.resizeBilinear(alignCorners: a, halfPixelCenters: p))
        case .softmax: emit(.softmax)
        case .dropout:
            loweredOf[index] = inputs[0]
        }
    }
    return lowered
}

/// Gives each input of a shared-quantization op (pool, concat, shuffle, …) that other ops read as
/// well its own requantizing copy (`.requantize`), so that the shared group does not impose its
/// range on a tensor with other readers; TFLite's converter inserts requantize ops there too.
/// Example: fm_shuffle's stem feeds a 1×1 conv and a 3×3 average pool that is concatenated with
/// a branch reaching −8.8: without the copy the stem's [0, 10.8] would be quantized over the
/// concatenation's range.
func requantizingSharedInputs(_ nodes: [LoweredNode]) -> [LoweredNode] {
    var readers = [Int](repeating: 0, count: nodes.count)
    for node in nodes { for i in node.inputs { readers[i] += 1 } }
    var result: [LoweredNode] = [], newIndex: [Int] = []
    for node in nodes {
        var copy = node
        copy.inputs = node.inputs.map { newIndex[$0] }
        if node.op.sharesInputQuantization {
            for (k, i) in node.inputs.enumerated() where readers[i] > 1 {
                let source = nodes[i]
                result.append(LoweredNode(op: .requantize, inputs: [newIndex[i]], value: source.value,
                                          name: "\(source.name)_requantized", shape: source.shape))
                copy.inputs[k] = result.count - 1
            }
        }
        newIndex.append(result.count)
        result.append(copy)
    }
    return result
}

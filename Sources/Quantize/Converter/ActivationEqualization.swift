import Q8Build
import Graph

/// Activation equalization, from calibration data: rescales channels wherever the graph lets a
/// channel be divided by s > 0 at its producers and multiplied back at its consumers without
/// changing the function, so that narrow channels use more of the int8 levels of the tensors they
/// pass through (quantized per tensor), and the factors land in the consumers' weights (quantized
/// per output channel; a depthwise consumer absorbs them whole).
///
/// Channels are followed through per-channel ops: ReLU (relu(x / s) = relu(x) / s), max and
/// average pools, global average pool, zero padding, upsampling, channel shuffle (a permutation),
/// concatenation (an offset), and add, which ties the channels of its operands together. The set
/// of channels one factor must cover is a class: its producers are convolutions or dense layers
/// (through their batch norm when one follows), its consumers convolutions and dense layers; a
/// class that reaches anything else (ReLU6, other nonlinearities, a lone batch norm, reshape, the
/// model's input or output) keeps s = 1.
///
/// A class's factor is s = max over the quantized tensors t it passes through of aₜ / Aₜ, with aₜ
/// the class's largest |value| in t on the calibration images and Aₜ the widest channel of t's
/// quantization group: every channel grows until, in one of its tensors, it reaches the widest
/// one, and no tensor's range grows. (`channelRanges` holds per-channel largest |values| of the
/// float nodes; `groups` the float nodes of each quantization group.)
///
/// Example: fm_shuffle's stem (ReLU, channels seen up to 0.59 … 11.3) flows through an average
/// pool and the concatenations and adds of the residual stream to the classifier; a stem channel
/// reaching 0.59 grows until one of those tensors is full, and the 1×1 convs and the dense layer
/// that read it take the factor. A linear depthwise output feeding a 1×1 conv is a class of one
/// tensor: each channel then reaches the widest.
///
/// Returns the rewritten graph and the number of classes rescaled.
func equalizeActivationRanges(_ graph: Graph, channelRanges: [Int: [Float]], groups: [[Int]]) throws -> (graph: Graph, classes: Int) {
    var g = graph
    let shapes = try g.inferShapes()
    var readers = [[Int]](repeating: [], count: g.nodes.count)
    for (i, node) in g.nodes.enumerated() { for input in node.inputs { readers[input].append(i) } }
    var first = [Int](), total = 0
    for shape in shapes { first.append(total); total += shape.channels }
    var parent = Array(0..<total), blocked = [Bool](repeating: false, count: total)
    func root(_ e: Int) -> Int {
        var e = e
        while parent[e] != e { parent[e] = parent[parent[e]]; e = parent[e] }
        return e
    }
    func join(_ a: Int, _ b: Int) { parent[root(a)] = root(b) }
    func block(_ node: Int) { for c in 0..<shapes[node].channels { blocked[root(first[node] + c)] = true } }

    /// A batch norm that is its conv's only reader scales the conv's channels; these are the producers.
    func foldedNorm(_ i: Int) -> Bool {
        guard case .batchNorm = g.nodes[i].op, let x = g.nodes[i].inputs.first, readers[x] == [i] else { return false }
        return g.nodes[x].op.isConv || g.nodes[x].op.isDense
    }
    var blockedNodes = [g.output]
    for (i, node) in g.nodes.enumerated() {
        let c = shapes[i].channels
        switch node.op {
        case .conv2d, .dense:
            continue  // consumers of their input, producers of their output
        case .batchNorm:
            if !foldedNorm(i) { blockedNodes += [i] + node.inputs }
        case .activation(.relu), .maxPool, .averagePool, .globalAveragePool, .zeroPad, .upsampleNearest, .resizeBilinear, .dropout:
            for k in 0..<c { join(first[i] + k, first[node.inputs[0]] + k) }
        case let .channelShuffle(groupCount):
            let perGroup = c / groupCount
            for k in 0..<c { join(first[node.inputs[0]] + k, first[i] + (k % perGroup) * groupCount + k / perGroup) }
        case .concat:
            var offset = 0
            for input in node.inputs {
                for k in 0..<shapes[input].channels { join(first[input] + k, first[i] + offset + k) }
                offset += shapes[input].channels
            }
        case .add:
            for input in node.inputs { for k in 0..<c { join(first[input] + k, first[i] + k) } }
        default:
            blockedNodes += [i] + node.inputs
        }
    }
    for node in g.nodes where node.op.isDense {
        if let x = node.inputs.first, shapes[x].dims.count != 1 { blockedNodes.append(x) }  // reads a flattened image
    }
    for node in blockedNodes { block(node) }

    // Each class's factor, from the quantized tensors it passes through.
    var widest = [Int: Float]()  // float node → widest channel of its quantization group(s)
    for members in groups {
        let w = members.compactMap { channelRanges[$0]?.max() }.max() ?? 0
        for node in members { widest[node] = min(widest[node] ?? .infinity, w) }
    }
    var factor = [Int: Float]()
    for (node, ranges) in channelRanges {
        guard let w = widest[node], w > 0 else { continue }
        for (k, a) in ranges.enumerated() {
            let r = root(first[node] + k)
            factor[r] = max(factor[r] ?? 0, a / w)
        }
    }
    func scale(_ node: Int, _ k: Int) -> Float {
        let r = root(first[node] + k)
        guard !blocked[r], let f = factor[r], f > 0 else { return 1 }
        return max(f, 1.0 / 1024)
    }

    var classes = Set<Int>()
    for (i, node) in g.nodes.enumerated() {
        // Producers: a folded batch norm, or a conv / dense layer no batch norm folds into.
        let producer = foldedNorm(i) || ((node.op.isConv || node.op.isDense) && !(readers[i].count == 1 && foldedNorm(readers[i][0])))
        if producer {
            let s = (0..<shapes[i].channels).map { scale(i, $0) }
            if s.contains(where: { $0 != 1 }) {
                for k in s.indices where s[k] != 1 { classes.insert(root(first[i] + k)) }
                let p = g.nodes[i].parameters
                if case .batchNorm = node.op {
                    for k in s.indices { g.nodes[i].parameters[0].data[k] /= s[k]; g.nodes[i].parameters[1].data[k] /= s[k] }
                } else {
                    let per = p[0].data.count / s.count
                    for j in p[0].data.indices { g.nodes[i].parameters[0].data[j] /= s[j / per] }
                    if p.count > 1 { for k in s.indices { g.nodes[i].parameters[1].data[k] /= s[k] } }
                }
            }
        }
        // Consumers: the weights reading each input channel take its factor.
        guard node.op.isConv || node.op.isDense, let x = node.inputs.first else { continue }
        let s = (0..<shapes[x].channels).map { scale(x, $0) }
        guard s.contains(where: { $0 != 1 }) else { continue }
        var groupCount = 1, perRow = s.count, rows = shapes[i].channels
        if case let .conv2d(c) = node.op { groupCount = c.groups; perRow = g.nodes[i].parameters[0].data.count / c.outChannels; rows = c.outChannels }
        let cinG = s.count / groupCount, rowsPerGroup = rows / groupCount
        for j in g.nodes[i].parameters[0].data.indices {
            let row = j / perRow
            g.nodes[i].parameters[0].data[j] *= s[(row / rowsPerGroup) * cinG + j % cinG]
        }
    }
    return (g, classes.count)
}

/// Per channel, the largest |value| of each of `nodes`' outputs over the calibration inputs.
func channelAbsoluteMaxima(_ graph: Graph, nodes: Set<Int>, inputs: [Float], count: Int,
                           progress: (Int) -> Void = { _ in }) throws -> [Int: [Float]] {
    let executor = try FloatExecutor(graph)
    let lanes = observeInParallel(executor, inputs: inputs, count: count, progress: progress, start: {
        [Int: [Float]](uniqueKeysWithValues: nodes.map { ($0, [Float](repeating: 0, count: executor.shapes[$0].channels)) })
    }) { (maxima: inout [Int: [Float]], _, node, values) in
        guard let c = maxima[node]?.count else { return }
        maxima[node]!.withUnsafeMutableBufferPointer { m in
            for (j, v) in values.enumerated() { m[j % c] = max(m[j % c], abs(v)) }
        }
    }
    return lanes[0].merging(lanes.dropFirst().flatMap { $0 }) { a, b in zip(a, b).map { max($0, $1) } }
}

extension Op {
    var isConv: Bool { if case .conv2d = self { true } else { false } }
    var isDense: Bool { if case .dense = self { true } else { false } }
}

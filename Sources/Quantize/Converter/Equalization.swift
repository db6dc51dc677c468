import Q8Build
import Graph

/// Two convolutions in a row whose channels can be rescaled without changing the function:
/// A → [batch norm] → [ReLU | ReLU6] → [channel shuffle]… → B, each node the only reader of the
/// one before. Output channel i of A divided by sᵢ > 0 and the input channel of B it reaches
/// multiplied by sᵢ leave the graph's output unchanged, because batch norm and channel shuffle
/// are per-channel and ReLU is positively homogeneous: relu(x / s) = relu(x) / s.
struct EqualizablePair {
    var a: Int
    var normA: Int?
    /// The node whose output B reads through the shuffles: A's batch norm or activation, or A.
    var output: Int
    var b: Int
    /// B's input channel that A's output channel i reaches (the shuffles' permutation).
    var position: [Int]
}

/// The pairs of `graph`, also those with ReLU6 between them: ReLU6 is not homogeneous
/// (min(x, 6) / s ≠ min(x / s, 6)), so whoever rescales such a pair must replace it.
func equalizablePairs(_ g: Graph) -> [EqualizablePair] {
    var readers = [[Int]](repeating: [], count: g.nodes.count)
    for (i, node) in g.nodes.enumerated() { for input in node.inputs { readers[input].append(i) } }
    readers[g.output].append(-1)
    func soleReader(_ i: Int) -> Int? { readers[i].count == 1 && readers[i][0] >= 0 ? readers[i][0] : nil }

    var pairs: [EqualizablePair] = []
    for (a, node) in g.nodes.enumerated() {
        guard case let .conv2d(ca) = node.op else { continue }
        var last = a, normA: Int?
        if let r = soleReader(last), case .batchNorm = g.nodes[r].op { normA = r; last = r }
        if let r = soleReader(last), case let .activation(f) = g.nodes[r].op, f == .relu || f == .relu6 { last = r }
        let output = last
        var position = Array(0..<ca.outChannels)
        while let r = soleReader(last), case let .channelShuffle(groups) = g.nodes[r].op {
            let perGroup = ca.outChannels / groups
            position = position.map { ($0 % perGroup) * groups + $0 / perGroup }
            last = r
        }
        guard let b = soleReader(last), case .conv2d = g.nodes[b].op, g.nodes[b].inputs == [last] else { continue }
        pairs.append(EqualizablePair(a: a, normA: normA, output: output, b: b, position: position))
    }
    return pairs
}

/// Divides A's output channel i by `scale[i]` (through its batch norm when it has one, else its
/// weights and bias) and multiplies the weights of B that read it by `scale[i]`.
func rescale(_ g: inout Graph, _ pair: EqualizablePair, by scale: [Float]) {
    guard case let .conv2d(ca) = g.nodes[pair.a].op, case let .conv2d(cb) = g.nodes[pair.b].op else { return }
    if let norm = pair.normA {
        for i in scale.indices {
            g.nodes[norm].parameters[0].data[i] /= scale[i]
            g.nodes[norm].parameters[1].data[i] /= scale[i]
        }
    } else {
        let per = g.nodes[pair.a].parameters[0].data.count / ca.outChannels
        for j in g.nodes[pair.a].parameters[0].data.indices { g.nodes[pair.a].parameters[0].data[j] /= scale[j / per] }
        if ca.hasBias { for i in scale.indices { g.nodes[pair.a].parameters[1].data[i] /= scale[i] } }
    }
    var scaleAt = [Float](repeating: 1, count: scale.count)
    for i in scale.indices { scaleAt[pair.position[i]] = scale[i] }
    let cinG = scale.count / cb.groups, coutG = cb.outChannels / cb.groups, taps = cb.kernelH * cb.kernelW
    for j in g.nodes[pair.b].parameters[0].data.indices {
        let k = j % cinG, o = j / (taps * cinG)
        g.nodes[pair.b].parameters[0].data[j] *= scaleAt[(o / coutG) * cinG + k]
    }
}

/// For each input channel of conv `b`, the largest |weight| that reads it.
func inputChannelRanges(_ g: Graph, _ b: Int) -> [Float] {
    guard case let .conv2d(cb) = g.nodes[b].op else { return [] }
    let w = g.nodes[b].parameters[0].data
    let per = w.count / cb.outChannels, cinG = per / (cb.kernelH * cb.kernelW), coutG = cb.outChannels / cb.groups
    var ranges = [Float](repeating: 0, count: cinG * cb.groups)
    for (j, v) in w.enumerated() {
        let i = (j / per / coutG) * cinG + j % cinG
        ranges[i] = max(ranges[i], abs(v))
    }
    return ranges
}

/// Cross-layer equalization (Nagel et al., Data-Free Quantization, 2019, §4.1), from weights only.
///
/// Choosing sᵢ = √(r₁ᵢ / r₂ᵢ), with r₁ᵢ the largest |weight| of A's channel i (batch norm folded
/// in) and r₂ᵢ the largest |weight| that reads channel i in B, makes both ranges √(r₁ᵢ r₂ᵢ), so
/// neither layer has channels far smaller than its largest. A few sweeps settle chains where a
/// layer is in two pairs. As in the paper, an equalized pair with ReLU6 between gets ReLU in its
/// place, which changes the float function where activations pass 6; the change is measured
/// against the original model, not hidden.
///
/// Example: A's channel 0 has weights up to 4.0 and B reads it with weights up to 0.25:
/// s₀ = √(4 / 0.25) = 4, after which both are 1.0.
///
/// Returns the rewritten graph and the number of pairs.
func equalizeCrossLayer(_ graph: Graph, sweeps: Int = 8) -> (graph: Graph, pairs: Int) {
    var g = graph
    let pairs = equalizablePairs(g)
    for pair in pairs where g.nodes[pair.output].op == .activation(.relu6) { g.nodes[pair.output].op = .activation(.relu) }

    for _ in 0..<sweeps {
        for pair in pairs {
            guard case let .conv2d(ca) = g.nodes[pair.a].op else { continue }
            let channels = ca.outChannels
            var factor = [Float](repeating: 1, count: channels)
            if let norm = pair.normA, case let .batchNorm(eps) = g.nodes[norm].op {
                let p = g.nodes[norm].parameters
                factor = (0..<channels).map { p[0].data[$0] / (p[3].data[$0] + eps).squareRoot() }
            }
            let weightA = g.nodes[pair.a].parameters[0].data, perA = weightA.count / channels
            let readB = inputChannelRanges(g, pair.b)
            let scale = (0..<channels).map { i -> Float in
                let r1 = abs(factor[i]) * weightA[(i * perA)..<((i + 1) * perA)].reduce(0) { max($0, abs($1)) }
                let r2 = readB[pair.position[i]]
                return r1 > 0 && r2 > 0 ? (r1 / r2).squareRoot() : 1
            }
            rescale(&g, pair, by: scale)
        }
    }
    return (g, pairs.count)
}

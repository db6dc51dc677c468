import Graph

/// Cross-layer equalization (Nagel et al., Data-Free Quantization, 2019, §4.1).
///
/// For two convolutions in a row, A → [batch norm] → [ReLU | ReLU6] → B, where each node is the
/// only reader of the one before, output channel i of A can be divided by sᵢ > 0 and input
/// channel i of B multiplied by sᵢ without changing the graph's function, because ReLU is
/// positively homogeneous: relu(x / s) = relu(x) / s. Choosing sᵢ = √(r₁ᵢ / r₂ᵢ), with r₁ᵢ the
/// largest |weight| of A's channel i (batch norm folded in) and r₂ᵢ the largest |weight| that
/// reads channel i in B, makes both ranges √(r₁ᵢ r₂ᵢ), so neither layer has channels far
/// smaller than its largest. A few sweeps settle chains where a layer is in two pairs.
///
/// ReLU6 is not homogeneous (min(x, 6) / s ≠ min(x / s, 6)); as in the paper, an equalized pair
/// gets ReLU in its place, which changes the float function where activations pass 6. The
/// change is measured against the original model, not hidden.
///
/// Example: A's channel 0 has weights up to 4.0 and B reads it with weights up to 0.25:
/// s₀ = √(4 / 0.25) = 4, after which both are 1.0.
///
/// A's side is scaled through its batch norm (γ and β divided by sᵢ) when it has one, else
/// through its weights and bias. Returns the rewritten graph and the number of pairs.
func equalizeCrossLayer(_ graph: Graph, sweeps: Int = 8) -> (graph: Graph, pairs: Int) {
    var g = graph
    var readers = [Int](repeating: 0, count: g.nodes.count)
    for node in g.nodes { for i in node.inputs { readers[i] += 1 } }
    readers[g.output] += 1
    func soleReader(_ i: Int) -> Int? {
        guard readers[i] == 1 else { return nil }
        return g.nodes.indices.first { g.nodes[$0].inputs.contains(i) }
    }
    func batchNormAfter(_ i: Int) -> Int? {
        guard let r = soleReader(i), case .batchNorm = g.nodes[r].op else { return nil }
        return r
    }

    struct Pair { var a: Int, normA: Int?, b: Int, normB: Int? }
    var pairs: [Pair] = []
    for (a, node) in g.nodes.enumerated() {
        guard case .conv2d = node.op else { continue }
        let normA = batchNormAfter(a)
        var last = normA ?? a
        var activation: Int?
        if let r = soleReader(last), case let .activation(f) = g.nodes[r].op, f == .relu || f == .relu6 {
            activation = r
            last = r
        }
        guard let b = soleReader(last), case .conv2d = g.nodes[b].op, g.nodes[b].inputs == [last] else { continue }
        if let activation { g.nodes[activation].op = .activation(.relu) }
        pairs.append(Pair(a: a, normA: normA, b: b, normB: batchNormAfter(b)))
    }

    /// Per-output-channel factor a following batch norm applies: γ / √(σ² + ε).
    func normFactors(_ norm: Int?, channels: Int) -> [Float] {
        guard let norm, case let .batchNorm(eps) = g.nodes[norm].op else { return .init(repeating: 1, count: channels) }
        let p = g.nodes[norm].parameters
        return (0..<channels).map { p[0].data[$0] / (p[3].data[$0] + eps).squareRoot() }
    }

    for _ in 0..<sweeps {
        for pair in pairs {
            guard case let .conv2d(ca) = g.nodes[pair.a].op, case let .conv2d(cb) = g.nodes[pair.b].op else { continue }
            let channels = ca.outChannels
            let factorA = normFactors(pair.normA, channels: channels)
            let factorB = normFactors(pair.normB, channels: cb.outChannels)
            let weightA = g.nodes[pair.a].parameters[0].data, weightB = g.nodes[pair.b].parameters[0].data
            let perA = weightA.count / channels
            let cinG = channels / cb.groups, coutG = cb.outChannels / cb.groups
            let taps = cb.kernelH * cb.kernelW
            var scale = [Float](repeating: 1, count: channels)
            for i in 0..<channels {
                let r1 = abs(factorA[i]) * weightA[(i * perA)..<((i + 1) * perA)].reduce(0) { max($0, abs($1)) }
                var r2: Float = 0
                let group = i / cinG, k = i % cinG
                for o in (group * coutG)..<((group + 1) * coutG) {
                    for t in 0..<taps { r2 = max(r2, abs(weightB[(o * taps + t) * cinG + k] * factorB[o])) }
                }
                if r1 > 0, r2 > 0 { scale[i] = (r1 / r2).squareRoot() }
            }
            if let norm = pair.normA {
                for i in 0..<channels {
                    g.nodes[norm].parameters[0].data[i] /= scale[i]
                    g.nodes[norm].parameters[1].data[i] /= scale[i]
                }
            } else {
                for j in weightA.indices { g.nodes[pair.a].parameters[0].data[j] /= scale[j / perA] }
                if ca.hasBias { for i in 0..<channels { g.nodes[pair.a].parameters[1].data[i] /= scale[i] } }
            }
            for j in weightB.indices {
                let k = j % cinG, o = j / (taps * cinG)
                g.nodes[pair.b].parameters[0].data[j] *= scale[(o / coutG) * cinG + k]
            }
        }
    }
    return (g, pairs.count)
}

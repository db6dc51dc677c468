import Q8Build
import Graph

/// The int8 quantization of every lowered node's output: one range per quantization group (ops
/// that copy or compare bytes share their inputs', `quantizationGroups`), the union of its
/// members' ranges by the calibration method; the model input gets the exact range of normalized
/// pixels (an imported model's: the calibration samples' whole range) and softmax outputs scale 1/256 with zero point −128, as TFLite's.
///
/// Example: a max pool reading a ReLU conv seen over [0, 5.1] and a concatenation of it with a
/// branch seen over [−2, 3] share one range, [−2, 5.1], zero point −28 at scale 0.0278.
struct ActivationRanges {
    let lowered: [LoweredNode]
    /// Each lowered node's group representative.
    let roots: [Int]
    /// The model input's exact range (normalized pixels 0 and 1 over every channel, or `observedInput`).
    let inputRange: (Float, Float)
    var range: [Int: (Float, Float)] = [:]
    var fixed: [Int: AffineQuantization] = [:]

    init(_ lowered: [LoweredNode], statistics: ActivationStatistics, normalization: Normalization, method: CalibrationMethod,
         observedInput: (Float, Float)? = nil) {
        self.lowered = lowered
        roots = quantizationGroups(lowered)
        let channels = 0..<lowered[0].shape.channels  // node 0 is the input
        inputRange = observedInput ?? (channels.map { (0 - normalization.mean[$0]) / normalization.std[$0] }.min()!,
                                       channels.map { (1 - normalization.mean[$0]) / normalization.std[$0] }.max()!)
        for (i, node) in lowered.enumerated() {
            let g = roots[i]
            switch node.op {
            case .input:
                fixed[g] = AffineQuantization(minimum: inputRange.0, maximum: inputRange.1)
            case .softmax:
                fixed[g] = AffineQuantization(scale: 1.0 / 256, zeroPoint: -128)
            default:
                let r = statistics.range(node.value, method)
                let old = range[g] ?? r
                range[g] = (min(old.0, r.0), max(old.1, r.1))
            }
        }
    }

    /// The quantization of lowered node `i`'s output.
    func quantization(_ i: Int) -> AffineQuantization {
        let g = roots[i]
        if let q = fixed[g] { return q }
        let r = range[g] ?? (0, 0)
        return AffineQuantization(minimum: r.0, maximum: r.1)
    }

    /// Replaces each searchable group's range by the clipping `searchRangesForOutput` finds. A
    /// requantizing node's float value is its input's, which belongs to the input's group; the
    /// input's range is simulated, not searched; softmax's fixed one is neither.
    mutating func searchForOutput(graph: Graph, statistics: ActivationStatistics, inputs: [Float], count: Int,
                                  progress: (Int, Int) -> Void) throws {
        var members = [Int: [Int]]()
        for (i, node) in lowered.enumerated() {
            if case .requantize = node.op { continue }
            members[roots[i], default: []].append(i)
        }
        var shared = [SharedRange](), groups = [Int]()
        for g in members.keys.sorted(by: { members[$0]![0] < members[$1]![0] }) {
            let isInput = members[g]!.contains { if case .input = lowered[$0].op { true } else { false } }
            guard isInput || fixed[g] == nil, let r = isInput ? inputRange : range[g] else { continue }
            let nodes = members[g]!.map { lowered[$0].value }, observed = nodes.map { statistics.range($0, .minmax) }
            shared.append(SharedRange(nodes: nodes, range: r, observed: (observed.map(\.0).min()!, observed.map(\.1).max()!),
                                      fixed: isInput))
            groups.append(g)
        }
        let searched = try searchRangesForOutput(shared, graph: graph, inputs: inputs, count: count, progress: progress)
        for (g, result) in zip(groups, searched) where !result.fixed { range[g] = result.range }
    }
}

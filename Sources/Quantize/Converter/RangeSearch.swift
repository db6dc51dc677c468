import Graph

/// One activation range the converter chooses: the float nodes whose outputs share it, the range
/// the calibration method gave, and the widest range seen (min/max).
struct SharedRange {
    var nodes: [Int]
    var range: (Float, Float)
    var observed: (Float, Float)
    /// Fixed ranges (the model input) are simulated but never changed.
    var fixed: Bool
}

/// Loss-aware range search: walks the shared ranges in graph order and gives each the clipping
/// that makes the model's output closest to float, with every activation rounded to int8 as its
/// range says (simulated in the float graph, weights kept float). Each range tries the
/// calibration method's range scaled by 0.8, 0.9, 1.1 and 1.25 (within the observed extremes)
/// and keeps the one with the smallest squared output error over the first 128 calibration
/// images. A layer's own best clipping (percentile, MSE) ignores what the error does downstream;
/// this measures it where it counts.
///
/// Example: a ReLU output calibrated to [0, 7.6] and seen up to 11.3 tries [0, 6.08], [0, 6.84],
/// [0, 8.36] and [0, 9.5], and keeps whichever brings the model's output closest to float.
func searchRangesForOutput(_ ranges: [SharedRange], graph: Graph, inputs: [Float], count: Int) throws -> [SharedRange] {
    let executor = try FloatExecutor(graph)
    let perImage = graph.inputShape.count, images = min(count, 128)
    let batch = Array(inputs[0..<(images * perImage)])
    let reference = executor.run(batch, batch: images)
    var result = ranges
    var rangeOf = [Int: Int]()
    for (r, shared) in ranges.enumerated() { for node in shared.nodes { rangeOf[node] = r } }

    func outputError() -> Double {
        let quantizations = result.map { AffineQuantization(minimum: $0.range.0, maximum: $0.range.1) }
        let output = executor.run(batch, batch: images, rewrite: { node, values in
            guard let r = rangeOf[node] else { return }
            let q = quantizations[r]
            for j in values.indices { values[j] = q.dequantize(q.quantize(values[j])) }
        })
        return zip(output, reference).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
    }

    var best = outputError()
    for r in result.indices where !result[r].fixed {
        let base = result[r].range, (lowest, highest) = result[r].observed
        var kept = base
        for factor: Float in [0.8, 0.9, 1.1, 1.25] {
            let candidate = (max(base.0 * factor, lowest), min(base.1 * factor, highest))
            guard candidate != base else { continue }
            result[r].range = candidate
            let error = outputError()
            if error < best { (best, kept) = (error, candidate) }
        }
        result[r].range = kept
    }
    return result
}

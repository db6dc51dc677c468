import Q8Build
import Foundation
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
/// and keeps the one with the smallest squared output error over the first calibration images
/// (`rangeSearchImages`: 256 for small models, fewer for large ones). A layer's own best
/// clipping (percentile, MSE) ignores what the error does downstream; this measures it where it
/// counts.
///
/// Cost: the nodes before a range's first node run once per range (resumed from the previous
/// range's, `FloatExecutor.PartialRun`), and its candidates run from there to the output, in
/// parallel; so a range near the output costs little however deep the model is.
///
/// Example: a ReLU output calibrated to [0, 7.6] and seen up to 11.3 tries [0, 6.08], [0, 6.84],
/// [0, 8.36] and [0, 9.5], and keeps whichever brings the model's output closest to float.
func searchRangesForOutput(_ ranges: [SharedRange], graph: Graph, inputs: [Float], count: Int,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> [SharedRange] {
    let executor = try FloatExecutor(graph)
    let perImage = graph.inputShape.count
    let images = min(count, rangeSearchImages(macsPerImage: graph.macs(shapes: executor.shapes).reduce(0, +)))
    let batch = Array(inputs[0..<(images * perImage)])
    let reference = executor.run(batch, batch: images)
    var result = ranges
    let rangeOf = [Int: Int](ranges.enumerated().flatMap { r, shared in shared.nodes.map { ($0, r) } }) { _, last in last }
    let factors: [Float] = [0.8, 0.9, 1.1, 1.25]
    let total = factors.count * ranges.filter { !$0.fixed }.count

    /// Rounds the output of every node with a range to int8 and back.
    func rounding(_ quantizations: [AffineQuantization]) -> (Int, UnsafeMutableBufferPointer<Float>) -> Void {
        { node, values in
            guard let r = rangeOf[node] else { return }
            let q = quantizations[r]
            for j in values.indices { values[j] = q.dequantize(q.quantize(values[j])) }
        }
    }
    func outputError(_ start: FloatExecutor.PartialRun, _ quantizations: [AffineQuantization]) -> Double {
        var run = start
        executor.advance(&run, to: graph.nodes.count, rewrite: rounding(quantizations))
        return zip(run.output(of: executor)!, reference).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
    }
    func quantizations() -> [AffineQuantization] { result.map { AffineQuantization(minimum: $0.range.0, maximum: $0.range.1) } }

    // Ranges in order of their first node; the nodes before it belong to earlier ranges only.
    let order = result.indices.sorted { result[$0].nodes.min()! < result[$1].nodes.min()! }
    var prefix = FloatExecutor.PartialRun(executor, input: batch, batch: images)
    var best = outputError(prefix, quantizations())
    var tried = 0
    for r in order where !result[r].fixed {
        let current = quantizations()
        executor.advance(&prefix, to: result[r].nodes.min()!, rewrite: rounding(current))
        let base = result[r].range, (lowest, highest) = result[r].observed
        let candidates = factors.map { (max(base.0 * $0, lowest), min(base.1 * $0, highest)) }.filter { $0 != base }
        var errors = [Double](repeating: .infinity, count: candidates.count)
        let start = prefix
        errors.withUnsafeMutableBufferPointer { errors in
            let out = SendablePointer(errors.baseAddress)
            withoutActuallyEscaping(outputError) { outputError in
                // `outputError` only reads the executor, the reference and `rangeOf`.
                let measure = UncheckedSendable(outputError)
                DispatchQueue.concurrentPerform(iterations: candidates.count) { k in
                    var q = current
                    q[r] = AffineQuantization(minimum: candidates[k].0, maximum: candidates[k].1)
                    out.pointer![k] = measure.value(start, q)
                }
            }
        }
        var kept = base
        for (candidate, error) in zip(candidates, errors) where error < best { (best, kept) = (error, candidate) }
        result[r].range = kept
        tried += factors.count
        progress(tried, total)
    }
    return result
}

/// Images the range search measures the output error on: 256, or fewer for models above 8 M
/// MACs per image so that its cost stays near that of 256 images of such a model (at least 8).
/// Example: fm_dsconv (3.8 M MACs) 256; MobileNetV2 at 224×224 (300 M MACs) 8, whose 8,000
/// logits still rank the candidates. (fm_shuffle's agreement with float on the test set: 99.50 %
/// searched on 128 images, 99.59 % on 256.)
func rangeSearchImages(macsPerImage: Int) -> Int {
    max(8, min(256, 256 * 8_000_000 / max(macsPerImage, 1)))
}

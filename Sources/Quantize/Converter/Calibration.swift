import Foundation
import Graph

/// How an activation's int8 range is chosen from the values seen during calibration.
/// Measured on the trained fm_dsconv over the 10,000 test images (Tools/compare_calibration.sh):
/// min/max, percentile and MSE all stay within 0.1 point of float with ≥ 99.5 % agreement;
/// percentile agrees most (99.62 %) and is the default. Entropy (KL) clips ReLU6 layers hard —
/// their spike of saturated values at 6 looks to KL like clipped mass — and loses 5.6 points.
public enum CalibrationMethod: String, CaseIterable, Sendable {
    /// The smallest and largest value seen.
    case minmax
    /// The 0.01st and 99.99th percentiles, clipping rare outliers.
    case percentile
    /// The range, shrunk toward 0, that minimizes the expected squared error: clipping error
    /// outside it, step²/12 rounding error inside.
    case mse
    /// The range, shrunk toward 0, whose 256-level quantized histogram is closest to the clipped
    /// one in KL divergence (TensorRT's entropy calibration, over the signed range).
    case entropy
}

/// The observed values of every float node over the calibration images: exact minimum and
/// maximum, and a 2048-bin histogram over [min, max] for percentile ranges.
struct ActivationStatistics {
    var minimum: [Float]
    var maximum: [Float]
    var histograms: [[Int]]
    /// Per node, the mean of each channel (the last axis) over all calibration values.
    var channelMeans: [[Double]]
    static let bins = 2048

    /// Runs the float graph twice over the inputs: once for the ranges, once for histograms.
    /// `progress` hears the images run so far, out of `2 · count`.
    init(graph: Graph, inputs: [Float], count: Int, batchSize: Int = 64, progress: (Int) -> Void = { _ in }) throws {
        let executor = try FloatExecutor(graph)
        var minimum = [Float](repeating: .infinity, count: graph.nodes.count)
        var maximum = [Float](repeating: -.infinity, count: graph.nodes.count)
        let shapes = executor.shapes
        var sums = shapes.map { [Double](repeating: 0, count: $0.channels) }
        observeInBatches(executor, inputs: inputs, count: count, batchSize: batchSize, progress: progress) { _, node, values in
            let c = shapes[node].channels
            for (j, v) in values.enumerated() {
                minimum[node] = min(minimum[node], v)
                maximum[node] = max(maximum[node], v)
                sums[node][j % c] += Double(v)
            }
        }
        for node in graph.nodes.indices where !(minimum[node].isFinite && maximum[node].isFinite) && minimum[node] <= maximum[node] {
            throw CalibrationError("node \(node) '\(graph.nodes[node].name)' gives non-finite values on the calibration images "
                                   + "(its weights or inputs overflow float32); it cannot be quantized")
        }
        channelMeans = shapes.indices.map { node in
            sums[node].map { $0 / Double(count * shapes[node].count / shapes[node].channels) }
        }
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: Self.bins), count: graph.nodes.count)
        observeInBatches(executor, inputs: inputs, count: count, batchSize: batchSize, progress: { progress(count + $0) }) { _, node, values in
            let lo = minimum[node], width = max(maximum[node] - lo, 1e-12)
            let scale = Float(Self.bins) / width
            for v in values { histograms[node][min(Int((v - lo) * scale), Self.bins - 1)] += 1 }
        }
        self.minimum = minimum
        self.maximum = maximum
        self.histograms = histograms
    }

    /// The range of node `i` by `method`.
    func range(_ i: Int, _ method: CalibrationMethod) -> (Float, Float) {
        switch method {
        case .minmax:
            return (minimum[i], maximum[i])
        case .percentile:
            let h = histograms[i], total = h.reduce(0, +)
            guard total > 0 else { return (minimum[i], maximum[i]) }
            let width = (maximum[i] - minimum[i]) / Float(Self.bins)
            let clip = Int(Double(total) * 0.0001)
            var low = 0, seen = 0
            while low < Self.bins - 1 && seen + h[low] <= clip { seen += h[low]; low += 1 }
            var high = Self.bins - 1
            seen = 0
            while high > low && seen + h[high] <= clip { seen += h[high]; high -= 1 }
            return (minimum[i] + Float(low) * width, minimum[i] + Float(high + 1) * width)
        case .mse, .entropy:
            let (lo, hi) = (minimum[i], maximum[i])
            guard hi > lo else { return (lo, hi) }
            var best = (score: Double.infinity, range: (lo, hi))
            for step in 0..<60 {
                let f = 1 - Float(step) * 0.0125  // 100 % down to 26 % of the range
                let range = (min(lo, 0) * f + max(lo, 0), max(hi, 0) * f + min(hi, 0))
                let score = method == .mse ? expectedSquaredError(i, range) : klDivergence(i, range)
                if score < best.score { best = (score, range) }
            }
            return best.range
        }
    }

    /// Bin centers of node `i`'s histogram.
    func binCenter(_ i: Int, _ b: Int) -> Double {
        Double(minimum[i]) + (Double(b) + 0.5) * Double(maximum[i] - minimum[i]) / Double(Self.bins)
    }

    func expectedSquaredError(_ i: Int, _ range: (Float, Float)) -> Double {
        let (lo, hi) = (Double(range.0), Double(range.1))
        let step = (hi - lo) / 255
        var error = 0.0
        for (b, n) in histograms[i].enumerated() where n > 0 {
            let v = binCenter(i, b)
            let e = v < lo ? (lo - v) * (lo - v) : v > hi ? (v - hi) * (v - hi) : step * step / 12
            error += Double(n) * e
        }
        return error
    }

    /// KL(P ‖ Q) over the histogram's own bins inside the range: P has the mass outside the range
    /// folded into its first and last bins; Q merges P into 255 equal quantization steps and
    /// spreads each step's mass evenly over its non-empty bins. Folded outliers make spikes that
    /// Q smears, so heavy clipping costs divergence, and coarse steps cost it too.
    func klDivergence(_ i: Int, _ range: (Float, Float)) -> Double {
        let width = Double(maximum[i] - minimum[i]) / Double(Self.bins)
        let first = max(0, Int((Double(range.0) - Double(minimum[i])) / width))
        let last = min(Self.bins - 1, max(first, Int((Double(range.1) - Double(minimum[i])) / width) - 1))
        let h = histograms[i]
        var p = h[first...last].map(Double.init)
        p[0] += Double(h[..<first].reduce(0, +))
        p[p.count - 1] += Double(h[(last + 1)...].reduce(0, +))
        let total = p.reduce(0, +)
        guard total > 0 else { return 0 }
        let steps = min(255, p.count)
        var kl = 0.0
        for step in 0..<steps {
            let slice = p[(step * p.count / steps)..<((step + 1) * p.count / steps)]
            let mass = slice.reduce(0, +), nonEmpty = slice.filter { $0 > 0 }.count
            guard mass > 0 else { continue }
            let q = mass / Double(nonEmpty)
            for v in slice where v > 0 { kl += v / total * log(v / q) }
        }
        return kl
    }
}

/// Runs `executor` over the first `count` images of `inputs` (normalized, NHWC) in batches of
/// `batchSize`, handing `observe` each batch's image count, node and output values, and
/// `progress` the number of images run so far.
func observeInBatches(_ executor: FloatExecutor, inputs: [Float], count: Int, batchSize: Int = 64,
                      progress: (Int) -> Void = { _ in },
                      observe: (_ images: Int, _ node: Int, _ values: UnsafeBufferPointer<Float>) -> Void) {
    let perImage = executor.graph.inputShape.count
    for start in stride(from: 0, to: count, by: batchSize) {
        let n = min(batchSize, count - start)
        withoutActuallyEscaping(observe) { observe in
            _ = executor.run(Array(inputs[(start * perImage)..<((start + n) * perImage)]), batch: n) { observe(n, $0, $1) }
        }
        progress(start + n)
    }
}

/// Why calibration cannot give a model int8 ranges.
public struct CalibrationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

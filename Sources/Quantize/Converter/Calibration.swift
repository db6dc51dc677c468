import Graph

/// How an activation's int8 range is chosen from the values seen during calibration.
public enum CalibrationMethod: String, CaseIterable, Sendable {
    /// The smallest and largest value seen.
    case minmax
    /// The 0.01st and 99.99th percentiles, clipping rare outliers.
    case percentile
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
    init(graph: Graph, inputs: [Float], count: Int, batchSize: Int = 64) throws {
        let executor = try FloatExecutor(graph)
        let perImage = graph.inputShape.count
        var minimum = [Float](repeating: .infinity, count: graph.nodes.count)
        var maximum = [Float](repeating: -.infinity, count: graph.nodes.count)
        let shapes = executor.shapes
        var sums = shapes.map { [Double](repeating: 0, count: $0.channels) }
        func batches(_ body: ([Float], Int) -> Void) {
            for start in stride(from: 0, to: count, by: batchSize) {
                let n = min(batchSize, count - start)
                body(Array(inputs[(start * perImage)..<((start + n) * perImage)]), n)
            }
        }
        batches { x, n in
            _ = executor.run(x, batch: n) { node, values in
                let c = shapes[node].channels
                for (j, v) in values.enumerated() {
                    minimum[node] = min(minimum[node], v)
                    maximum[node] = max(maximum[node], v)
                    sums[node][j % c] += Double(v)
                }
            }
        }
        channelMeans = shapes.indices.map { node in
            sums[node].map { $0 / Double(count * shapes[node].count / shapes[node].channels) }
        }
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: Self.bins), count: graph.nodes.count)
        batches { x, n in
            _ = executor.run(x, batch: n) { node, values in
                let lo = minimum[node], width = max(maximum[node] - lo, 1e-12)
                let scale = Float(Self.bins) / width
                for v in values { histograms[node][min(Int((v - lo) * scale), Self.bins - 1)] += 1 }
            }
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
        }
    }
}

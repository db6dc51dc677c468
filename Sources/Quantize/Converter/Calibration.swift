import Q8Build
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

/// The observed values of float nodes over the calibration images: exact minimum and maximum,
/// each channel's mean, and a 2048-bin histogram over [min, max] for percentile ranges. Only
/// `nodes` are observed (the converter asks for the outputs the lowered graph keeps: not a
/// convolution's output that a folded batch norm and a fused ReLU replace); the others read
/// [+∞, −∞], zero means and an empty histogram.
struct ActivationStatistics {
    var minimum: [Float]
    var maximum: [Float]
    var histograms: [[Int]]
    /// Per node, the mean of each channel (the last axis) over all calibration values.
    var channelMeans: [[Double]]
    static let bins = 2048

    /// Runs the float graph twice over the inputs (on all cores): once for the ranges and
    /// channel sums, once for histograms (`histogramImages` of them). `nodes` nil observes every
    /// node. `progress` hears the images run so far, out of `2 · count`.
    init(graph: Graph, nodes: Set<Int>? = nil, inputs: [Float], count: Int, progress: (Int) -> Void = { _ in }) throws {
        let executor = try FloatExecutor(graph)
        let shapes = executor.shapes
        let observed = (0..<shapes.count).map { nodes?.contains($0) ?? true }
        struct Extremes {
            var minimum: [Float], maximum: [Float], sums: [[Double]]
        }
        let lanes = observeInParallel(executor, inputs: inputs, count: count, progress: progress,
                                      start: { Extremes(minimum: .init(repeating: .infinity, count: shapes.count),
                                                        maximum: .init(repeating: -.infinity, count: shapes.count),
                                                        sums: shapes.map { .init(repeating: 0, count: $0.channels) }) }) {
            (e: inout Extremes, _, node, values) in
            guard observed[node] else { return }
            let c = shapes[node].channels
            var lo = SIMD8<Float>(repeating: e.minimum[node]), hi = SIMD8<Float>(repeating: e.maximum[node])
            let raw = UnsafeRawPointer(values.baseAddress!)
            var j = 0
            while j + 8 <= values.count {
                let v = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
                lo.replace(with: v, where: v .< lo)
                hi.replace(with: v, where: v .> hi)
                j += 8
            }
            e.minimum[node] = values[j...].reduce(lo.min(), min)
            e.maximum[node] = values[j...].reduce(hi.max(), max)
            e.sums[node].withUnsafeMutableBufferPointer { sums in
                addChannels(values, channels: c, to: sums.baseAddress!)
            }
        }
        var minimum = lanes[0].minimum, maximum = lanes[0].maximum, sums = lanes[0].sums
        for lane in lanes.dropFirst() {
            for node in shapes.indices {
                minimum[node] = min(minimum[node], lane.minimum[node])
                maximum[node] = max(maximum[node], lane.maximum[node])
                for c in sums[node].indices { sums[node][c] += lane.sums[node][c] }
            }
        }
        for node in graph.nodes.indices where !(minimum[node].isFinite && maximum[node].isFinite) && minimum[node] <= maximum[node] {
            throw CalibrationError("node \(node) '\(graph.nodes[node].name)' gives non-finite values on the calibration images "
                                   + "(its weights or inputs overflow float32); it cannot be quantized")
        }
        channelMeans = shapes.indices.map { node in
            sums[node].map { $0 / Double(count * shapes[node].count / shapes[node].channels) }
        }
        let largest = shapes.indices.filter { observed[$0] }.map { shapes[$0].count }.max() ?? 1
        let histogramImages = min(count, Self.histogramImages(largestNode: largest))
        let histogramLanes = observeInParallel(executor, inputs: inputs, count: histogramImages,
                                               progress: { progress(count + $0 * count / histogramImages) },
                                               start: { observed.map { [Int](repeating: 0, count: $0 ? Self.bins : 0) } }) {
            (histograms: inout [[Int]], _, node, values) in
            guard observed[node] else { return }
            let lo = minimum[node], width = max(maximum[node] - lo, 1e-12)
            let scale = Float(Self.bins) / width
            histograms[node].withUnsafeMutableBufferPointer { h in
                countBins(values, minimum: lo, binsPerUnit: scale, into: h)
            }
        }
        var histograms = histogramLanes[0]
        for lane in histogramLanes.dropFirst() {
            for node in shapes.indices { for b in lane[node].indices { histograms[node][b] += lane[node][b] } }
        }
        self.minimum = minimum
        self.maximum = maximum
        self.histograms = histograms
    }

    /// Images the histogram pass runs: all of them unless the largest observed tensor would put
    /// more than 2^27 values (128 M) into its histogram, then enough for that (at least 64);
    /// minimum and maximum still come from every image. Percentiles at 0.01 % are then still
    /// taken from over 10,000 values in each tail. Example: 28×28 models, 1,000 images of 18,816
    /// values: all; MobileNetV2 at 224×224 (a 112×112×96 tensor): 111.
    static func histogramImages(largestNode: Int) -> Int {
        max(64, (1 << 27) / max(largestNode, 1))
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

/// Adds to `histogram` (its count of bins over [minimum, minimum + count / binsPerUnit]) one per
/// value of `values`: bin ⌊(v − minimum) · binsPerUnit⌋, values past the end (and NaN) in the
/// last bin, below it in the first. Four interleaved sets of counters, so that runs of equal
/// values (ReLU's zeros) do not wait on one counter.
func countBins(_ values: UnsafeBufferPointer<Float>, minimum: Float, binsPerUnit: Float, into histogram: UnsafeMutableBufferPointer<Int>) {
    let bins = histogram.count, last = Float(bins - 1)
    let counters = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * bins)
    defer { counters.deallocate() }
    counters.initialize(repeating: 0, count: 4 * bins)
    func bin(_ v: Float) -> Int {
        let f = (v - minimum) * binsPerUnit
        return f < last ? (f > 0 ? Int(f) : 0) : bins - 1
    }
    var j = 0
    // Up to 2^31 − 1 values per counter set: batches of calibration images are far smaller.
    while j &+ 4 <= values.count {
        counters[bin(values[j])] &+= 1
        counters[bins &+ bin(values[j &+ 1])] &+= 1
        counters[2 &* bins &+ bin(values[j &+ 2])] &+= 1
        counters[3 &* bins &+ bin(values[j &+ 3])] &+= 1
        j &+= 4
    }
    while j < values.count { counters[bin(values[j])] &+= 1; j &+= 1 }
    for b in 0..<bins {
        histogram[b] += Int(counters[b]) + Int(counters[bins + b]) + Int(counters[2 * bins + b]) + Int(counters[3 * bins + b])
    }
}

/// Adds each channel of `values` (pixels × `channels`, channels last) into `sums[channel]`, pixel
/// after pixel: per channel the same sequence of double additions as a plain loop, four
/// channels at a time.
func addChannels(_ values: UnsafeBufferPointer<Float>, channels c: Int, to sums: UnsafeMutablePointer<Double>) {
    guard let x = values.baseAddress else { return }
    let sumsRaw = UnsafeMutableRawPointer(sums)
    for pixel in stride(from: 0, to: values.count, by: c) {
        let row = UnsafeRawPointer(x + pixel)
        var k = 0
        while k &+ 4 <= c {
            let v = SIMD4<Double>(row.loadUnaligned(fromByteOffset: 4 &* k, as: SIMD4<Float>.self))
            let acc = sumsRaw.loadUnaligned(fromByteOffset: 8 &* k, as: SIMD4<Double>.self) + v
            sumsRaw.storeBytes(of: acc, toByteOffset: 8 &* k, as: SIMD4<Double>.self)
            k &+= 4
        }
        while k < c {
            sums[k] += Double(x[pixel &+ k])
            k &+= 1
        }
    }
}

/// Runs `executor` over the first `count` images of `inputs` (normalized, NHWC) on all cores and
/// hands `observe` each node's output values, with the batch's images (indices), to accumulate into
/// one of `lanes` accumulators made by `start`: batch b (of `calibrationBatch` images) goes to
/// lane b mod `lanes`, and each lane sees its batches in order on one thread at a time. Returns
/// the lanes in order, for the caller to merge in order, so that sums come out the same however
/// many cores there are. `progress` hears the images run so far, on the calling thread, after each
/// round of `lanes` batches.
///
/// Example: 1,000 images of 28×28 run as 16 batches of 64 (the last of 40); lane 0 sees batches
/// 0, 4, 8 and 12.
func observeInParallel<Accumulator>(_ executor: FloatExecutor, inputs: [Float], count: Int, lanes: Int = observationLanes,
                                    progress: (Int) -> Void = { _ in }, start: () -> Accumulator,
                                    observe: @escaping (inout Accumulator, _ images: Range<Int>, _ node: Int, _ values: UnsafeBufferPointer<Float>) -> Void)
    -> [Accumulator] {
    let perImage = executor.graph.inputShape.count
    let batchSize = calibrationBatch(imageSize: perImage)
    let batches = (count + batchSize - 1) / batchSize
    var results = (0..<lanes).map { _ in start() }
    // `observe` only ever touches its lane's accumulator.
    let work = UncheckedSendable(observe)
    results.withUnsafeMutableBufferPointer { results in
        let lanePointer = SendablePointer(results.baseAddress)
        for round in stride(from: 0, to: batches, by: lanes) {
            DispatchQueue.concurrentPerform(iterations: min(lanes, batches - round)) { lane in
                let first = (round + lane) * batchSize, n = min(batchSize, count - first)
                _ = executor.run(Array(inputs[(first * perImage)..<((first + n) * perImage)]), batch: n) { node, values in
                    work.value(&lanePointer.pointer![lane], first..<(first + n), node, values)
                }
            }
            progress(min(count, (round + lanes) * batchSize))
        }
    }
    return results
}

/// A value the code handing it to worker threads makes safe to share (its note says how).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Accumulators of a parallel calibration pass: a fixed number, so that results do not depend on
/// the machine's core count; more than the cores of small boards so the passes balance.
let observationLanes = 4

/// Images per float-executor batch in calibration passes: 64 for small inputs, fewer for large
/// ones so that a batch's activations stay in the tens of megabytes (224×224×3: 6 images).
func calibrationBatch(imageSize: Int) -> Int {
    max(1, min(64, 1_000_000 / max(imageSize, 1)))
}

/// Why calibration cannot give a model int8 ranges.
public struct CalibrationError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

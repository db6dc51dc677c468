import Foundation
import Runtime

/// The input normalization every Minnow model records (model.bin and model.q8 alike): pixel `p`
/// of channel `c` becomes `(p / 255 − mean[c]) / std[c]`, computed as `p · (1 / (255 · std[c]))
/// + (−mean[c] / std[c])` (what training, calibration and evaluation have always fed the float
/// graph), or with a pixel range `(low, high)` (an imported model's convention,
/// `run --pixel-range -1,1`) `low + (high − low) · p / 255`.
/// Example: mean 0.5, std 0.25: pixel 255 → 2, pixel 0 → −2.
public struct PixelNormalization: Sendable {
    let scale: [Float]
    let offset: [Float]
    let pixelRange: (low: Float, high: Float)?

    public init(mean: [Float], std: [Float], pixelRange: (low: Float, high: Float)? = nil) {
        scale = std.map { 1 / (255 * $0) }
        offset = zip(mean, std).map { -$0 / $1 }
        self.pixelRange = pixelRange
    }

    /// The normalization `model` records, or `pixelRange` in its place.
    public init(_ model: Q8Model, pixelRange: (low: Float, high: Float)? = nil) {
        let c = model.normalizationChannels
        self.init(mean: (0..<c).map(model.normalizationMean), std: (0..<c).map(model.normalizationStd), pixelRange: pixelRange)
    }

    /// Pixel `p` of channel `c` (channels past those recorded: `p / 255`).
    @inline(__always)
    public func value(_ p: UInt8, channel c: Int) -> Float {
        if let (low, high) = pixelRange { return low + (high - low) * Float(p) / 255 }
        guard c < scale.count else { return Float(p) / 255 }
        return Float(p) * scale[c] + offset[c]
    }
}

extension Q8Model {
    /// HWC `pixels` normalized (`normalization`, by default the model's own) and quantized with
    /// input 0's scale and zero point into `destination` (input 0's element count).
    public func quantizedInput(_ pixels: [UInt8], normalization: PixelNormalization? = nil, into destination: UnsafeMutablePointer<Int8>) {
        let input = tensor(inputTensor(0)), n = normalization ?? PixelNormalization(self)
        let floats = pixels.enumerated().map { i, p in n.value(p, channel: i % input.image.channels) }
        floats.withUnsafeBufferPointer {
            quantize_f32_s8(input: $0.baseAddress!, count: $0.count, scale: input.scale, zeroPoint: input.zeroPoint, output: destination)
        }
    }

    /// The source's layout of input k (`k < inputCount`) or output `k − inputCount` of an
    /// imported model, read from the optional record after META's labels; nil for Minnow's own
    /// NHWC, or when the record is absent or does not fit.
    public func boundaryLayout(_ k: Int) -> (dims: [Int], order: [Int])? {
        let records = metaRecords
        let end = records.upperBound
        var at = records.lowerBound
        func int(_ offset: Int) -> Int { word(at: offset) }
        guard at + 4 <= end, k < int(at), int(at) == inputCount + outputCount else { return nil }
        at += 4
        for index in 0...k {
            guard at + 4 <= end else { return nil }
            let rank = int(at)
            guard rank <= 8, at + 4 + 8 * rank <= end else { return nil }
            if index == k {
                let dims = (0..<rank).map { int(at + 4 + 4 * $0) }, order = (0..<rank).map { int(at + 4 + 4 * (rank + $0)) }
                guard rank > 0, Set(order) == Set(0..<rank), dims.allSatisfy({ $0 >= 1 }) else { return nil }
                return (dims, order)
            }
            at += 4 + 8 * rank
        }
        return nil
    }

    /// The model's class labels, in output order.
    public var labels: [String] { (0..<labelCount).map { String(decoding: label($0), as: UTF8.self) } }
}

extension Q8Tensor {
    /// int8 values of this tensor as real numbers: `scale · (q − zeroPoint)`.
    public func dequantized(_ q: [Int8]) -> [Double] { q.map { Double(scale) * Double(Int32($0) - zeroPoint) } }

    /// Scores of this output tensor as probabilities: a softmax output (scale 1/256, zero point
    /// −128) is read directly; other outputs are dequantized and passed through a softmax.
    /// Example: softmax bytes [−128, 127] → [0, 255/256].
    public func probabilities(_ q: [Int8]) -> [Double] {
        let values = dequantized(q)
        if scale == 1.0 / 256 && zeroPoint == -128 { return values }
        let largest = values.max() ?? 0
        let exps = values.map { exp($0 - largest) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}

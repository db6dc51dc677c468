import Foundation

/// Inference batch norm folded to one multiply-add per value:
/// `scale[c] = gamma[c] / sqrt(variance[c] + epsilon)`, `shift[c] = beta[c] − mean[c] · scale[c]`.
/// Applied over the last axis of `count` values (C = `scale.count`).
struct BatchNormFloat: Sendable {
    let scale: [Float]
    let shift: [Float]

    init(epsilon: Float, parameters: [Tensor]) {
        let (gamma, beta, mean, variance) = (parameters[0].data, parameters[1].data, parameters[2].data, parameters[3].data)
        let scale = (0..<gamma.count).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        self.scale = scale
        shift = (0..<gamma.count).map { beta[$0] - mean[$0] * scale[$0] }
    }

    func run(_ x: UnsafePointer<Float>, count: Int, _ y: UnsafeMutablePointer<Float>) {
        let c = scale.count
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                for p in stride(from: 0, to: count, by: c) {
                    for ch in 0..<c { y[p + ch] = x[p + ch] * scale[ch] + shift[ch] }
                }
            }
        }
    }
}

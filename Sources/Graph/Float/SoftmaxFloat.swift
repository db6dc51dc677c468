import Foundation

/// Softmax over the last axis (`rows` vectors of `n` values), computed as
/// `exp(x − max) / Σ exp(x − max)` so large logits do not overflow.
/// Example: [0, ln 3] → [0.25, 0.75].
func softmaxF32(_ x: UnsafePointer<Float>, rows: Int, n: Int, _ y: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let src = x + r * n, dst = y + r * n
        var largest = -Float.infinity
        for i in 0..<n { largest = max(largest, src[i]) }
        var sum: Float = 0
        for i in 0..<n {
            dst[i] = exp(src[i] - largest)
            sum += dst[i]
        }
        for i in 0..<n { dst[i] /= sum }
    }
}

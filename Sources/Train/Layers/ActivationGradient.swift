import Foundation
import Graph

/// `dX = dY · f′(x)` for an element-wise nonlinearity, from its input `x` and output `y`.
/// ReLU and ReLU6 take derivative 0 at their kinks; hard-swish's derivative is
/// `(2x + 3) / 6` on (−3, 3), 0 below, 1 above.
func activationGradient(_ a: Activation, x: [Float], y: [Float], dY: [Float]) -> [Float] {
    var dX = [Float](repeating: 0, count: x.count)
    let n = x.count
    x.withUnsafeBufferPointer { xs in y.withUnsafeBufferPointer { ys in dY.withUnsafeBufferPointer { g in
        dX.withUnsafeMutableBufferPointer { d in
            switch a {
            case .relu: passGradient(xs, g, d) { $0 .> 0 }
            case .relu6: passGradient(xs, g, d) { ($0 .> 0) .& ($0 .< 6) }
            case let .leakyRelu(alpha): for i in 0..<n { d[i] = xs[i] >= 0 ? g[i] : alpha * g[i] }
            case .hardSwish:
                for i in 0..<n { d[i] = g[i] * (xs[i] <= -3 ? 0 : xs[i] >= 3 ? 1 : (2 * xs[i] + 3) / 6) }
            case .hardSigmoid: for i in 0..<n { d[i] = xs[i] > -3 && xs[i] < 3 ? g[i] / 6 : 0 }
            case .sigmoid: for i in 0..<n { d[i] = g[i] * ys[i] * (1 - ys[i]) }
            case .tanh: for i in 0..<n { d[i] = g[i] * (1 - ys[i] * ys[i]) }
            }
        }
    } } }
    return dX
}

/// Softmax over the last axis (`n` values per row): `dX = y · (dY − Σ dY · y)`.
func softmaxGradient(y: [Float], dY: [Float], n: Int) -> [Float] {
    var dX = [Float](repeating: 0, count: y.count)
    for start in stride(from: 0, to: y.count, by: n) {
        var dot: Float = 0
        for i in start..<(start + n) { dot += dY[i] * y[i] }
        for i in start..<(start + n) { dX[i] = y[i] * (dY[i] - dot) }
    }
    return dX
}

/// Mean softmax cross-entropy of `batch` rows of `n` logits against integer labels, with label
/// smoothing `ε` (target `1 − ε` on the label plus `ε / n` on every class), and its gradient
/// `(softmax − target) · scale` (`scale` is 1 / the full batch when a shard computes part of it).
/// Returns the summed loss of the rows and how many rows were classified right.
public func softmaxCrossEntropy(logits: [Float], labels: ArraySlice<Int>, n: Int, smoothing: Float, scale: Float)
    -> (loss: Double, correct: Int, dLogits: [Float]) {
    var loss: Double = 0, correct = 0
    var d = [Float](repeating: 0, count: logits.count)
    for (row, label) in labels.enumerated() {
        let z = logits[(row * n)..<((row + 1) * n)]
        let largest = z.max()!
        if z.firstIndex(of: largest)! - row * n == label { correct += 1 }
        let exps = z.map { exp($0 - largest) }
        let total = exps.reduce(0, +)
        for (j, e) in exps.enumerated() {
            let p = e / total
            let target = (j == label ? 1 - smoothing : 0) + smoothing / Float(n)
            loss -= Double(target) * Double(log(max(p, 1e-30)))
            d[row * n + j] = (p - target) * scale
        }
    }
    return (loss, correct, d)
}

/// `d[i] = g[i]` where `keep` holds for `x[i]`, else 0; eight values at a time, without branches.
@inline(__always)
private func passGradient(_ x: UnsafeBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>, _ d: UnsafeMutableBufferPointer<Float>,
                          keep: (SIMD8<Float>) -> SIMDMask<SIMD8<Int32>>) {
    guard let xBase = x.baseAddress, let gBase = g.baseAddress, let dBase = d.baseAddress else { return }
    let (xs, gs, ds) = (UnsafeRawPointer(xBase), UnsafeRawPointer(gBase), UnsafeMutableRawPointer(dBase))
    var i = 0
    while i &+ 8 <= x.count {
        let v = xs.loadUnaligned(fromByteOffset: 4 &* i, as: SIMD8<Float>.self)
        let gradient = gs.loadUnaligned(fromByteOffset: 4 &* i, as: SIMD8<Float>.self)
        ds.storeBytes(of: SIMD8<Float>().replacing(with: gradient, where: keep(v)), toByteOffset: 4 &* i, as: SIMD8<Float>.self)
        i &+= 8
    }
    while i < x.count {
        d[i] = keep(SIMD8(repeating: x[i]))[0] ? g[i] : 0
        i &+= 1
    }
}

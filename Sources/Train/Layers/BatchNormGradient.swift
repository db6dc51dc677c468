/// Gradients of training-mode batch norm over the last axis (`rows` values per channel):
/// with the batch mean μ, biased variance σ², `x̂ = (x − μ) / √(σ² + ε)`:
/// `dγ = Σ dY · x̂`, `dβ = Σ dY`, `dX = γ / (√(σ² + ε) · R) · (R · dY − dβ − x̂ · dγ)`.
/// Also returns the batch mean and biased variance (for the running statistics).
func batchNormGradient(x: [Float], dY: [Float], gamma: [Float], epsilon: Float)
    -> (dX: [Float], dGamma: [Float], dBeta: [Float], mean: [Float], variance: [Float]) {
    let c = gamma.count, rows = x.count / c
    var sum = [Float](repeating: 0, count: c), squares = [Float](repeating: 0, count: c)
    var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
    var dX = [Float](repeating: 0, count: x.count)
    var mean = [Float](repeating: 0, count: c), variance = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
    x.withUnsafeBufferPointer { xs in dY.withUnsafeBufferPointer { g in
        // Per-row partial sums stay in float over a row of channels; across rows they add up in
        // float too, which for up to a few million values keeps ~1e-6 relative error.
        for r in 0..<rows {
            let row = xs.baseAddress! + r * c
            for ch in 0..<c { sum[ch] += row[ch]; squares[ch] += row[ch] * row[ch] }
        }
        for ch in 0..<c {
            mean[ch] = sum[ch] / Float(rows)
            variance[ch] = max(squares[ch] / Float(rows) - mean[ch] * mean[ch], 0)
            invStd[ch] = 1 / (variance[ch] + epsilon).squareRoot()
        }
        for r in 0..<rows {
            let row = xs.baseAddress! + r * c, grad = g.baseAddress! + r * c
            for ch in 0..<c {
                dGamma[ch] += grad[ch] * (row[ch] - mean[ch]) * invStd[ch]
                dBeta[ch] += grad[ch]
            }
        }
        let n = Float(rows)
        dX.withUnsafeMutableBufferPointer { d in
            let k = (0..<c).map { gamma[$0] * invStd[$0] / n }
            for r in 0..<rows {
                let row = xs.baseAddress! + r * c, grad = g.baseAddress! + r * c, out = d.baseAddress! + r * c
                for ch in 0..<c {
                    out[ch] = k[ch] * (n * grad[ch] - dBeta[ch] - (row[ch] - mean[ch]) * invStd[ch] * dGamma[ch])
                }
            }
        }
    } }
    return (dX, dGamma, dBeta, mean, variance)
}

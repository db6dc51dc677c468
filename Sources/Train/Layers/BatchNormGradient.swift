/// Gradients of training-mode batch norm over the last axis (`rows` values per channel):
/// with the batch mean μ, biased variance σ², `x̂ = (x − μ) / √(σ² + ε)`:
/// `dγ = Σ dY · x̂`, `dβ = Σ dY`, `dX = γ / (√(σ² + ε) · R) · (R · dY − dβ − x̂ · dγ)`.
/// Also returns the batch mean and biased variance (for the running statistics).
func batchNormGradient(x: [Float], dY: [Float], gamma: [Float], epsilon: Float)
    -> (dX: [Float], dGamma: [Float], dBeta: [Float], mean: [Float], variance: [Float]) {
    let c = gamma.count, rows = x.count / c
    var mean = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
    for r in 0..<rows { for ch in 0..<c { let v = Double(x[r * c + ch]); mean[ch] += v; squares[ch] += v * v } }
    let mu = mean.map { Float($0 / Double(rows)) }
    let variance = (0..<c).map { Float(max(squares[$0] / Double(rows) - (mean[$0] / Double(rows)) * (mean[$0] / Double(rows)), 0)) }
    let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
    for r in 0..<rows {
        for ch in 0..<c {
            let xhat = (x[r * c + ch] - mu[ch]) * invStd[ch]
            dGamma[ch] += dY[r * c + ch] * xhat
            dBeta[ch] += dY[r * c + ch]
        }
    }
    var dX = [Float](repeating: 0, count: x.count)
    let n = Float(rows)
    for r in 0..<rows {
        for ch in 0..<c {
            let xhat = (x[r * c + ch] - mu[ch]) * invStd[ch]
            dX[r * c + ch] = gamma[ch] * invStd[ch] / n * (n * dY[r * c + ch] - dBeta[ch] - xhat * dGamma[ch])
        }
    }
    return (dX, dGamma, dBeta, mu, variance)
}

import Graph

/// Gradients of a dense layer `Y = X · Wᵀ + b` with `X` `[batch, N]`, `W` `[M, N]`:
/// `dW = dYᵀ · X`, `dX = dY · W`, `dBias = Σ dY`.
func denseGradient(x: [Float], weight: [Float], dY: [Float], batch: Int, inputs n: Int, outputs m: Int)
    -> (dX: [Float], dW: [Float], dBias: [Float]) {
    var dYT = [Float](repeating: 0, count: m * batch), dBias = [Float](repeating: 0, count: m)
    for b in 0..<batch { for o in 0..<m { dYT[o * batch + b] = dY[b * m + o]; dBias[o] += dY[b * m + o] } }
    var dW = [Float](repeating: 0, count: m * n), dX = [Float](repeating: 0, count: batch * n)
    let packedX = x.withUnsafeBufferPointer { packColumns($0.baseAddress!, k: batch, n: n, ldb: n) }
    dYT.withUnsafeBufferPointer { a in packedX.withUnsafeBufferPointer { b in dW.withUnsafeMutableBufferPointer { c in
        gemmF32(m: m, n: n, k: batch, a: a.baseAddress!, lda: batch, packedB: b.baseAddress!, bias: nil, c: c.baseAddress!, ldc: n)
    } } }
    let packedW = weight.withUnsafeBufferPointer { packColumns($0.baseAddress!, k: m, n: n, ldb: n) }
    dY.withUnsafeBufferPointer { a in packedW.withUnsafeBufferPointer { b in dX.withUnsafeMutableBufferPointer { c in
        gemmF32(m: batch, n: n, k: m, a: a.baseAddress!, lda: m, packedB: b.baseAddress!, bias: nil, c: c.baseAddress!, ldc: n)
    } } }
    return (dX, dW, dBias)
}

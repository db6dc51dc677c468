import CPUFeatures
import FloatKernelsAVX2

/// Width of one packed column panel of `gemmF32`'s right-hand matrix.
public let gemmPanelWidth = 8

/// Packs the rows of `w` (`n` rows of `k` values, row stride `ldw`) as the columns of the
/// right-hand matrix of `gemmF32`: `ceil(n / 8)` panels, each `k × 8` values, column `j` of panel
/// `p` holding row `8p + j` of `w`, zero beyond `n`.
/// Example: n = 3, k = 2, w = [[1,2],[3,4],[5,6]] → one panel [1,3,5,0,0,0,0,0, 2,4,6,0,0,0,0,0].
public func packPanels(_ w: UnsafePointer<Float>, n: Int, k: Int, ldw: Int) -> [Float] {
    let panels = (n + gemmPanelWidth - 1) / gemmPanelWidth
    var packed = [Float](repeating: 0, count: panels * k * gemmPanelWidth)
    for row in 0..<n {
        let (p, j) = row.quotientAndRemainder(dividingBy: gemmPanelWidth)
        for kk in 0..<k { packed[(p * k + kk) * gemmPanelWidth + j] = w[row * ldw + kk] }
    }
    return packed
}

/// Packs a row-major `k × n` matrix `b` (row stride `ldb`) as the right-hand matrix of `gemmF32`
/// (the same panels `packPanels` makes from its transpose).
public func packColumns(_ b: UnsafePointer<Float>, k: Int, n: Int, ldb: Int) -> [Float] {
    let panels = (n + gemmPanelWidth - 1) / gemmPanelWidth
    var packed = [Float](repeating: 0, count: panels * k * gemmPanelWidth)
    for kk in 0..<k {
        for col in 0..<n {
            let (p, j) = col.quotientAndRemainder(dividingBy: gemmPanelWidth)
            packed[(p * k + kk) * gemmPanelWidth + j] = b[kk * ldb + col]
        }
    }
    return packed
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// C = A · B (+ bias), float32, single thread: `gemmF32AVX2FMA` where the CPU has AVX2 and FMA
/// (6 × 16 tiles, fused multiply-adds), else `gemmF32Portable`. The float executor and the
/// trainer run every convolution and dense layer through it.
///
/// - `a`: `m × k`, row-major with row stride `lda`.
/// - `packedB`: `k × n` packed by `packPanels` (so B's column `j` is row `j` of the weights).
/// - `bias`: `n` values added to every row, or nil.
/// - `c`: `m × n`, row-major with row stride `ldc`; only columns `0..<n` are written.
public func gemmF32(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
             packedB: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
             c: UnsafeMutablePointer<Float>, ldc: Int) {
    #if arch(x86_64)
    if cpuHasAVX2FMA { return gemmF32AVX2FMA(m: m, n: n, k: k, a: a, lda: lda, packedB: packedB, bias: bias, c: c, ldc: ldc) }
    #endif
    gemmF32Portable(m: m, n: n, k: k, a: a, lda: lda, packedB: packedB, bias: bias, c: c, ldc: ldc)
}

/// Whether this CPU runs the AVX2 + FMA float kernels (CPUID, once).
let cpuHasAVX2FMA = minnow_cpu_has_avx2_fma() != 0

/// `gemmF32`'s portable loop, the reference its twins are checked against: register-blocked
/// 4 rows × 8 columns, A's four rows in L1 while every panel streams by.
func gemmF32Portable(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                     packedB: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                     c: UnsafeMutablePointer<Float>, ldc: Int) {
    let panels = (n + gemmPanelWidth - 1) / gemmPanelWidth
    var biasPanel = [Float](repeating: 0, count: panels * gemmPanelWidth)
    if let bias { for j in 0..<n { biasPanel[j] = bias[j] } }
    biasPanel.withUnsafeBufferPointer { biasPanel in
        var row = 0
        while row < m {
            let rows = min(4, m - row)
            let a0 = a + row * lda
            let a1 = rows > 1 ? a0 + lda : a0
            let a2 = rows > 2 ? a0 + 2 * lda : a0
            let a3 = rows > 3 ? a0 + 3 * lda : a0
            for p in 0..<panels {
                let initial = load8(biasPanel.baseAddress! + p * gemmPanelWidth)
                var c0 = initial, c1 = initial, c2 = initial, c3 = initial
                var b = packedB + p * k * gemmPanelWidth
                for kk in 0..<k {
                    let bv = load8(b)
                    c0 += SIMD8(repeating: a0[kk]) * bv
                    c1 += SIMD8(repeating: a1[kk]) * bv
                    c2 += SIMD8(repeating: a2[kk]) * bv
                    c3 += SIMD8(repeating: a3[kk]) * bv
                    b += gemmPanelWidth
                }
                let col = p * gemmPanelWidth
                let cols = min(gemmPanelWidth, n - col)
                let out = c + row * ldc + col
                storeRow(c0, to: out, cols: cols)
                if rows > 1 { storeRow(c1, to: out + ldc, cols: cols) }
                if rows > 2 { storeRow(c2, to: out + 2 * ldc, cols: cols) }
                if rows > 3 { storeRow(c3, to: out + 3 * ldc, cols: cols) }
            }
            row += 4
        }
    }
}

@inline(__always)
private func storeRow(_ v: SIMD8<Float>, to dst: UnsafeMutablePointer<Float>, cols: Int) {
    if cols == gemmPanelWidth {
        UnsafeMutableRawPointer(dst).storeBytes(of: v, as: SIMD8<Float>.self)
    } else {
        for j in 0..<cols { dst[j] = v[j] }
    }
}

#if arch(x86_64)
import _Builtin_intrinsics.intel

/// `gemmF32Portable` with AVX2 and FMA: C = A · B (+ bias), float32, one thread, the same contract.
///
/// - `a`: `m × k`, row-major with row stride `lda`.
/// - `packedB`: `k × n` in column panels of 8 (`packPanels`: panel p holds columns 8p…8p+7,
///   `k × 8` values, zero past `n`).
/// - `bias`: `n` values added to every row, or nil.
/// - `c`: `m × n`, row-major with row stride `ldc`; only columns `0..<n` are written.
///
/// Register tile 6 rows × 16 columns (two panels): 12 accumulators, two weight loads and six
/// broadcasts per step of k. Each product is fused (vfmadd231ps), so results differ from the
/// portable kernel's in the last bits. Example: m = 7, n = 20 runs tiles of 6 + 1 rows over
/// panels {0, 1} and then panel 2 alone (columns 16…19 stored).
public func gemmF32AVX2FMA(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let panels = (n + 7) / 8
    var row = 0
    while row < m {
        let rows = min(6, m - row)
        // Rows past the last repeat it (computed, not stored).
        let a0 = a + row * lda
        let a1 = a0 + min(1, rows - 1) * lda, a2 = a0 + min(2, rows - 1) * lda, a3 = a0 + min(3, rows - 1) * lda
        let a4 = a0 + min(4, rows - 1) * lda, a5 = a0 + min(5, rows - 1) * lda
        var p = 0
        while p < panels {
            let pair = p + 1 < panels
            tile6x16(a0, a1, a2, a3, a4, a5, k: k, b0: packedB + p * k * 8, b1: pair ? packedB + (p + 1) * k * 8 : nil,
                     bias: bias.map { $0 + p * 8 }, c: c + row * ldc + p * 8, ldc: ldc, rows: rows, columns: min(pair ? 16 : 8, n - p * 8))
            p += pair ? 2 : 1
        }
        row += rows
    }
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> __m256 { _mm256_loadu_ps(p) }

/// One tile: rows `a0`…`a5` (the first `rows` stored) × 16 columns from panels `b0` and `b1`
/// (nil: 8 columns).
@inline(__always)
private func tile6x16(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                      _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>, k: Int, b0: UnsafePointer<Float>, b1: UnsafePointer<Float>?,
                      bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int) {
    var initial = (SIMD8<Float>(), SIMD8<Float>())
    if let bias {
        for j in 0..<columns { if j < 8 { initial.0[j] = bias[j] } else { initial.1[j - 8] = bias[j] } }
    }
    let lo: __m256 = initial.0, hi: __m256 = initial.1
    var c00 = lo, c10 = lo, c20 = lo, c30 = lo, c40 = lo, c50 = lo
    var c01 = hi, c11 = hi, c21 = hi, c31 = hi, c41 = hi, c51 = hi
    if let b1 {
        for kk in 0..<k {
            let w0 = load8(b0 + kk * 8), w1 = load8(b1 + kk * 8)
            var x = _mm256_set1_ps(a0[kk])
            c00 = _mm256_fmadd_ps(x, w0, c00); c01 = _mm256_fmadd_ps(x, w1, c01)
            x = _mm256_set1_ps(a1[kk])
            c10 = _mm256_fmadd_ps(x, w0, c10); c11 = _mm256_fmadd_ps(x, w1, c11)
            x = _mm256_set1_ps(a2[kk])
            c20 = _mm256_fmadd_ps(x, w0, c20); c21 = _mm256_fmadd_ps(x, w1, c21)
            x = _mm256_set1_ps(a3[kk])
            c30 = _mm256_fmadd_ps(x, w0, c30); c31 = _mm256_fmadd_ps(x, w1, c31)
            x = _mm256_set1_ps(a4[kk])
            c40 = _mm256_fmadd_ps(x, w0, c40); c41 = _mm256_fmadd_ps(x, w1, c41)
            x = _mm256_set1_ps(a5[kk])
            c50 = _mm256_fmadd_ps(x, w0, c50); c51 = _mm256_fmadd_ps(x, w1, c51)
        }
    } else {
        for kk in 0..<k {
            let w0 = load8(b0 + kk * 8)
            c00 = _mm256_fmadd_ps(_mm256_set1_ps(a0[kk]), w0, c00)
            c10 = _mm256_fmadd_ps(_mm256_set1_ps(a1[kk]), w0, c10)
            c20 = _mm256_fmadd_ps(_mm256_set1_ps(a2[kk]), w0, c20)
            c30 = _mm256_fmadd_ps(_mm256_set1_ps(a3[kk]), w0, c30)
            c40 = _mm256_fmadd_ps(_mm256_set1_ps(a4[kk]), w0, c40)
            c50 = _mm256_fmadd_ps(_mm256_set1_ps(a5[kk]), w0, c50)
        }
    }
    store(c00, c01, to: c, columns: columns)
    if rows > 1 { store(c10, c11, to: c + ldc, columns: columns) }
    if rows > 2 { store(c20, c21, to: c + 2 * ldc, columns: columns) }
    if rows > 3 { store(c30, c31, to: c + 3 * ldc, columns: columns) }
    if rows > 4 { store(c40, c41, to: c + 4 * ldc, columns: columns) }
    if rows > 5 { store(c50, c51, to: c + 5 * ldc, columns: columns) }
}

@inline(__always)
private func store(_ lo: __m256, _ hi: __m256, to dst: UnsafeMutablePointer<Float>, columns: Int) {
    if columns >= 8 { _mm256_storeu_ps(dst, lo) }
    if columns == 16 { _mm256_storeu_ps(dst + 8, hi); return }
    let (first, rest) = columns >= 8 ? (hi, columns - 8) : (lo, columns)
    let start = columns >= 8 ? dst + 8 : dst
    let values: SIMD8<Float> = first
    for j in 0..<rest { start[j] = values[j] }
}
#endif

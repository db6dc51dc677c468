import Testing
import FloatKernelsAVX2
@testable import Graph

/// The AVX2 + FMA float kernels against the portable ones over random shapes: fused multiply-adds
/// round once instead of twice, so each value may differ by a few ulps of the sum of |products|.
@Suite struct FloatKernelDifferentialTests {
    @Test(.enabled(if: cpuHasAVX2FMA)) func gemmMatchesThePortableLoop() {
        var rng = SeededRandom(seed: 11)
        for trial in 0..<400 {
            let m = Int.random(in: 1...20, using: &rng), n = Int.random(in: 1...40, using: &rng), k = Int.random(in: 1...70, using: &rng)
            let lda = k + Int.random(in: 0...3, using: &rng), ldc = n + Int.random(in: 0...3, using: &rng)
            let a = (0..<(m * lda)).map { _ in Float.random(in: -2...2, using: &rng) }
            let w = (0..<(n * k)).map { _ in Float.random(in: -2...2, using: &rng) }
            let bias: [Float]? = trial % 3 == 0 ? nil : (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            let packed = w.withUnsafeBufferPointer { packPanels($0.baseAddress!, n: n, k: k, ldw: k) }
            let sentinel: Float = 12345
            var portable = [Float](repeating: sentinel, count: m * ldc), fused = portable
            func run(_ kernel: (Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, UnsafePointer<Float>?,
                                UnsafeMutablePointer<Float>, Int) -> Void, into c: inout [Float]) {
                c.withUnsafeMutableBufferPointer { c in
                    if let bias {
                        bias.withUnsafeBufferPointer { kernel(m, n, k, a, lda, packed, $0.baseAddress!, c.baseAddress!, ldc) }
                    } else {
                        kernel(m, n, k, a, lda, packed, nil, c.baseAddress!, ldc)
                    }
                }
            }
            run({ gemmF32Portable(m: $0, n: $1, k: $2, a: $3, lda: $4, packedB: $5, bias: $6, c: $7, ldc: $8) }, into: &portable)
            run({ gemmF32AVX2FMA(m: $0, n: $1, k: $2, a: $3, lda: $4, packedB: $5, bias: $6, c: $7, ldc: $8) }, into: &fused)
            var worst: Float = 0
            for i in 0..<m {
                for j in 0..<ldc {
                    let p = portable[i * ldc + j], f = fused[i * ldc + j]
                    if j >= n { #expect(p == sentinel && f == sentinel, "column \(j) past n written"); continue }
                    let magnitude = (0..<k).reduce(Float(abs(bias?[j] ?? 0))) { $0 + abs(a[i * lda + $1] * w[j * k + $1]) }
                    worst = max(worst, abs(p - f) / max(magnitude, 1e-6))
                }
            }
            #expect(worst < 1e-5, "m \(m) n \(n) k \(k): relative difference \(worst)")
        }
    }
}

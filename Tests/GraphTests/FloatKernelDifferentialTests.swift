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

    /// Depthwise convolutions of random geometry (multiplier 1, 8 and 16, and 3, which stays on the
    /// portable loop), through `Conv2DFloat.run` (the AVX2 + FMA twin where it applies) against
    /// the portable loop.
    @Test(.enabled(if: cpuHasAVX2FMA)) func depthwiseMatchesThePortableLoop() throws {
        var rng = SeededRandom(seed: 12)
        for _ in 0..<200 {
            let cin = Int.random(in: 1...21, using: &rng), multiplier = [1, 1, 8, 16, 3].randomElement(using: &rng)!
            let kernel = (Int.random(in: 1...5, using: &rng), Int.random(in: 1...5, using: &rng))
            let stride = (Int.random(in: 1...3, using: &rng), Int.random(in: 1...3, using: &rng))
            let dilation = (Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng))
            let padding: Padding = Bool.random(using: &rng) ? .same : .valid
            let input = Shape([Int.random(in: 9...16, using: &rng), Int.random(in: 9...16, using: &rng), cin])
            let conv = Conv2D(outChannels: cin * multiplier, kernel: kernel, stride: stride, dilation: dilation, padding: padding, groups: cin)
            let graph = Graph(nodes: [Node(name: "x", op: .input(input)),
                                      Node(name: "dw", op: .conv2d(conv), inputs: [0],
                                           parameters: [Tensor(shape: [cin * multiplier, kernel.0, kernel.1, 1],
                                                               data: (0..<(cin * multiplier * kernel.0 * kernel.1)).map { _ in Float.random(in: -1...1, using: &rng) }),
                                                        Tensor(shape: [cin * multiplier], data: (0..<(cin * multiplier)).map { _ in Float.random(in: -1...1, using: &rng) })])],
                              output: 1)
            let shapes = try graph.inferShapes()
            let layer = Conv2DFloat(conv, input: input, output: shapes[1], parameters: graph.nodes[1].parameters)
            let batch = 2
            let x = (0..<(batch * input.count)).map { _ in Float.random(in: -2...2, using: &rng) }
            var fast = [Float](repeating: .nan, count: batch * shapes[1].count), portable = fast
            x.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { layer.run(x.baseAddress!, batch: batch, $0.baseAddress!) }
                portable.withUnsafeMutableBufferPointer { layer.runDepthwisePortable(x.baseAddress!, batch: batch, $0.baseAddress!) }
            }
            let worst = zip(fast, portable).map { abs($0 - $1) }.max()!
            #expect(!fast.contains { $0.isNaN } && !portable.contains { $0.isNaN }, "every output written")
            #expect(worst < 1e-4, "\(input) \(conv): \(worst)")
        }
    }
}

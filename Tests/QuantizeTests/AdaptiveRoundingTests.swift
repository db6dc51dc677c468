import Testing
@testable import Graph
@testable import Quantize
import Q8Build

@Suite struct AdaptiveRoundingTests {
    func objective(_ q: [Int8], _ u: [Double], _ h: [Double]) -> Double {
        let n = u.count, e = (0..<n).map { Double(q[$0]) - u[$0] }
        return (0..<n).reduce(0.0) { sum, i in sum + (0..<n).reduce(0.0) { $0 + e[i] * h[i * n + $1] * e[$1] } }
    }

    @Test func correlatedInputsLetErrorsCancel() {
        // The doc comment's example: two inputs always equal, weights 0.4 steps each.
        let q = roundMinimizingOutputError([0.4, 0.4], scale: 1, hessian: [1, 1, 1, 1])
        #expect(q == [0, 1] || q == [1, 0])
    }

    @Test func uncorrelatedInputsRoundToNearest() {
        var rng = SeededRandom(seed: 5)
        let row = (0..<16).map { _ in Float.random(in: -120...120, using: &rng) }
        var identity = [Double](repeating: 0, count: 256)
        for i in 0..<16 { identity[i * 16 + i] = 1 }
        #expect(roundMinimizingOutputError(row[...], scale: 1, hessian: identity)
                == row.map { Int8($0.rounded(.toNearestOrAwayFromZero)) })
    }

    @Test func neverWorseThanNearestAndStaysBetweenNeighbours() {
        var rng = SeededRandom(seed: 11)
        for trial in 0..<300 {
            let n = [1, 2, 9, 27, 64][trial % 5]
            let scale = Float.random(in: 0.001...0.1, using: &rng)
            let row = (0..<n).map { _ in Float.random(in: -127.4...127.4, using: &rng) * scale }
            // H = E[x xᵀ] of correlated random inputs: x = A z.
            let k = n + 3
            let a = (0..<(n * k)).map { _ in Double.random(in: -1...1, using: &rng) }
            var h = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { for z in 0..<k { h[i * n + j] += a[i * k + z] * a[j * k + z] } } }
            let u = row.map { Double($0 / scale) }
            let nearest = row.map { Int8(max(-127, min(127, ($0 / scale).rounded(.toNearestOrAwayFromZero)))) }
            let q = roundMinimizingOutputError(row[...], scale: scale, hessian: h)
            #expect(objective(q, u, h) <= objective(nearest, u, h) + 1e-9, "trial \(trial)")
            for (v, w) in zip(q, u) { #expect(Double(v) >= w.rounded(.down) && Double(v) <= w.rounded(.up) && abs(Int(v)) <= 127) }
        }
    }

    @Test func momentsAreThoseOfThePatches() {
        // A 2×2 single-channel image, 3×3 same-padded conv: 4 patches, padded taps 0.
        var m = InputMoments(conv: Conv2D(outChannels: 1, kernel: (3, 3)), input: Shape([2, 2, 1]))
        let image: [Float] = [1, 2, 3, 4]
        image.withUnsafeBufferPointer { m.accumulate($0, batch: 0..<1) }
        #expect(m.patches == 4)
        let h = m.hessian(group: 0, centered: false)
        // Centre tap (index 4) sees every pixel once: E[x²] = (1 + 4 + 9 + 16) / 4, plus 1 % damping.
        let diagonalMean = (0..<9).reduce(0.0) { $0 + h[$1 * 9 + $1] } / 9
        #expect(abs(h[4 * 9 + 4] - 7.5 - 0.01 * (diagonalMean / 1.01)) < 1e-9)
        // Top-left tap (0) and centre (4) meet only in the bottom-right patch (pixel 1 and 4).
        #expect(abs(h[0 * 9 + 4] - 1.0 * 4 / 4) < 1e-12)
    }
}

import Testing
import Q8Build
@testable import Runtime

/// The fixed-point helpers against their definitions computed in 128-bit integers.
@Suite struct FixedPointTests {
    /// round(a·b / 2^31), ties toward +∞: floor((2ab + 2^31) / 2^32), saturated.
    func srdhmReference(_ a: Int32, _ b: Int32) -> Int32 {
        let twice = 2 * Int128(a) * Int128(b) + (Int128(1) << 31)
        var q = twice / (Int128(1) << 32)
        if twice < 0 && twice % (Int128(1) << 32) != 0 { q -= 1 }  // floor
        return Int32(clamping: q)
    }

    /// x / 2^e rounded to nearest, ties away from zero.
    func rdbpReference(_ x: Int32, _ e: Int32) -> Int32 {
        let d = Int128(1) << Int128(e)
        let v = Int128(x)
        let q = v / d, r = v - q * d
        return Int32(2 * abs(r) >= d ? q + (v < 0 ? -1 : 1) : q)
    }

    var edgeValues: [Int32] {
        [0, 1, -1, 2, -2, 3, Int32.max, Int32.min, Int32.max - 1, Int32.min + 1, 1 << 30, -(1 << 30), (1 << 30) + 1,
         46341, -46341, 1 << 16, 12345, -12345]
    }

    @Test func doublingHighMulOverEdgesAndRandomPairs() {
        for a in edgeValues { for b in edgeValues { #expect(saturatingRoundingDoublingHighMul(a, b) == srdhmReference(a, b)) } }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let a = Int32.random(in: .min ... .max, using: &rng), b = Int32.random(in: .min ... .max, using: &rng)
            #expect(saturatingRoundingDoublingHighMul(a, b) == srdhmReference(a, b))
        }
        // Ties: 0.5 rounds up, −0.5 rounds up to 0.
        #expect(saturatingRoundingDoublingHighMul(1 << 15, 1 << 15) == 1)
        #expect(saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15) == 0)
    }

    @Test func roundingDivideByPowerOfTwoExhaustiveOverSmallValues() {
        for e in Int32(0)...31 {
            for x in Int32(-3000)...3000 { #expect(roundingDivideByPOT(x, e) == rdbpReference(x, e)) }
            for x in edgeValues { #expect(roundingDivideByPOT(x, e) == rdbpReference(x, e)) }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let x = Int32.random(in: .min ... .max, using: &rng), e = Int32.random(in: 0...31, using: &rng)
            #expect(roundingDivideByPOT(x, e) == rdbpReference(x, e))
        }
    }

    @Test func multiplyByQuantizedMultiplierIsTheComposition() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let x = Int32.random(in: -(1 << 24) ... (1 << 24), using: &rng)
            let m = Int32.random(in: (1 << 30) ... Int32.max, using: &rng)
            let shift = Int32.random(in: -31...6, using: &rng)
            let expected = rdbpReference(srdhmReference(x &* (1 << max(shift, 0)), m), max(-shift, 0))
            #expect(multiplyByQuantizedMultiplier(x, m, shift) == expected)
            // And it is within one unit of the real product.
            let real = Double(x) * Double(m) / 2_147_483_648 * Double(sign: .plus, exponent: Int(shift), significand: 1)
            if abs(real) < 2e9 { #expect(abs(Double(multiplyByQuantizedMultiplier(x, m, shift)) - real) <= 1.0) }
        }
        // 1000 · 0.5 · 2^−1 = 250.
        #expect(multiplyByQuantizedMultiplier(1000, 1 << 30, -1) == 250)
    }

    @Test func widenSignExtends() {
        for a in edgeValues { #expect(widen(a) == Int64(a)) }
    }

    @Test func quantizeMultiplierWorkedExamples() {
        // 0.3 = 0.6 · 2^−1: round(0.6 · 2^31) = 1288490188.8 → 1288490189.
        #expect(quantizeMultiplier(0.3) == (1_288_490_189, -1))
        #expect(quantizeMultiplier(0.5) == (1 << 30, 0))
        #expect(quantizeMultiplier(1.0) == (1 << 30, 1))
        #expect(quantizeMultiplier(3.0) == (3 << 29, 2))
        // Just below 1: q · 2^31 rounds up to 2^31, so the multiplier becomes 2^30 and e + 1.
        #expect(quantizeMultiplier(1 - 1e-12) == (1 << 30, 1))
        // Below 2^−32 the exponent is under −31: encoded as zero.
        #expect(quantizeMultiplier(1e-12) == (0, 0))
        #expect(quantizeMultiplier(0) == (0, 0))
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let real = Double.random(in: 1e-6...100, using: &rng)
            let (m, s) = quantizeMultiplier(real)
            #expect(m >= 1 << 30)
            #expect(abs(Double(m) * Double(sign: .plus, exponent: Int(s), significand: 1) / 2_147_483_648 - real) <= real * 1e-9)
        }
    }

    @Test func fixedPointExponentialAndReciprocal() {
        // exp(0) is exactly one (Int32.max in Q0.31). Elsewhere the error is that of a 4th-order
        // Taylor expansion on |x| ≤ 1/8, (1/8)^5 / 5! ≈ 2.5e-7, plus rounding.
        #expect(expOnNegativeValues(0, integerBits: 5) == Int32.max)
        for i in 1...4000 {
            let a = -Int32(i) * 8192  // −i/8192 in Q5.26, down to about −0.49
            let x = Double(a) / Double(1 << 26)
            #expect(abs(Double(expOnNegativeValues(a, integerBits: 5)) / 2_147_483_648 - Foundation_exp(x)) < 3e-7)
        }
        for whole in 1...31 {
            let a = -Int32(whole) << 26
            #expect(abs(Double(expOnNegativeValues(a, integerBits: 5)) / 2_147_483_648 - Foundation_exp(Double(-whole))) < 3e-7)
        }
        // 1/x: x = 3 in Q12.19 → 3 = 1.5 · 2^1: reciprocal 1/1.5 in Q0.31, one bit over unit.
        let (r, bits) = reciprocalQ31(3 << 19, integerBits: 12)
        #expect(bits == 1 && abs(Double(r) / 2_147_483_648 - 2.0 / 3.0) < 1e-8)
    }
}

import Foundation
func Foundation_exp(_ x: Double) -> Double { Foundation.exp(x) }

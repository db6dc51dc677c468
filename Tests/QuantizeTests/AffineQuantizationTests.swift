import Testing
@testable import Quantize
import Q8Build

@Suite struct AffineQuantizationTests {
    @Test func workedExamples() {
        // [−1, 3]: scale 4/255, zero point round(−128 + 1/(4/255)) = round(−64.25) = −64.
        let q = AffineQuantization(minimum: -1, maximum: 3)
        #expect(q.scale == Float(4) / 255 && q.zeroPoint == -64)
        #expect(q.quantize(0) == -64 && q.dequantize(-64) == 0)
        #expect(q.quantize(3) == 127 && q.quantize(100) == 127 && q.quantize(-100) == -128)
        // A non-negative range (after ReLU) puts the zero point at −128.
        #expect(AffineQuantization(minimum: 0.5, maximum: 6).zeroPoint == -128)
        // A non-positive range puts it at 127.
        #expect(AffineQuantization(minimum: -2, maximum: -1).zeroPoint == 127)
        // An empty range still gives a usable scale.
        #expect(AffineQuantization(minimum: 0, maximum: 0) == AffineQuantization(scale: 1, zeroPoint: 0))
    }

    @Test func zeroIsExactAndErrorIsHalfAStep() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let lo = Float.random(in: -10...5, using: &rng), hi = lo + Float.random(in: 0.01...20, using: &rng)
            let q = AffineQuantization(minimum: lo, maximum: hi)
            #expect(q.dequantize(q.quantize(0)) == 0)
            let x = Float.random(in: min(lo, 0)...max(hi, 0), using: &rng)
            // Within half a step, plus the slack of a zero point nudged by up to half a step.
            #expect(abs(q.dequantize(q.quantize(x)) - x) <= q.scale * 1.0001)
        }
    }
}

import CPUFeatures
import KernelsAVX2
import KernelsAVX512VNNI
import Runtime
import Testing

/// The vector requantizations against the scalar `multiplyByQuantizedMultiplier`: every pair of
/// edge values (0, ±1, Int32.min/max, powers of two and their neighbours, the overflow pair
/// Int32.min · Int32.min) at every right shift, and a million random lanes per kernel (values of
/// every size, any multiplier in one lane of sixteen, else a validated one), with every shift from
/// −31 to the largest left shift that cannot overflow.
struct RequantizeVectorTests {
    /// The lanes where `kernel` (lanes-wide: values, multipliers, shifts → results) differs from the scalar requantization.
    func mismatches(lanes: Int, seed: UInt64, _ kernel: ([Int32], [Int32], [Int32]) -> [Int32]) -> Int {
        var failures = 0
        func check(_ x: [Int32], _ m: [Int32], _ s: [Int32]) {
            let got = kernel(x, m, s)
            failures += (0..<lanes).count { got[$0] != multiplyByQuantizedMultiplier(x[$0], m[$0], s[$0]) }
        }
        var edges: [Int32] = [0, 1, -1, 2, -2, Int32.max, Int32.min, Int32.min + 1, Int32.max - 1]
        for k in 0..<31 { edges += [1 << k, (1 << k) - 1, -(1 << k), -(1 << k) + 1] }
        for x in edges {
            for m in edges where m != 0 {
                for s in Int32(-31)...0 { check([Int32](repeating: x, count: lanes), [Int32](repeating: m, count: lanes), [Int32](repeating: s, count: lanes)) }
            }
        }
        var state = seed
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        for _ in 0..<(1_000_000 / lanes) {
            var x = [Int32](repeating: 0, count: lanes), m = x, s = x
            for l in 0..<lanes {
                let magnitude = Int32(next() % 32)
                x[l] = Int32(bitPattern: next()) >> (31 - magnitude)
                m[l] = next() % 16 == 0 ? Int32(bitPattern: next()) : Int32(bitPattern: next() | 0x4000_0000) & Int32.max
                let leftRoom = max(0, Int32(x[l] == 0 ? 31 : x[l].magnitude.leadingZeroBitCount) - 1)
                s[l] = Int32(next() % UInt32(32 + min(leftRoom, 8))) - 31
            }
            check(x, m, s)
        }
        return failures
    }

    @Test(.enabled(if: minnow_cpu_has_avx2() != 0, "this CPU has no AVX2"))
    func eightLanesAVX2() {
        #expect(mismatches(lanes: 8, seed: 7) { x, m, s in
            let r = multiplyByQuantizedMultiplier8AVX2(SIMD8(x), SIMD8(m), SIMD8(s))
            return (0..<8).map { r[$0] }
        } == 0)
    }

    /// `Requantize16AVX512`: gemmlowp's two roundings as one 64-bit add and arithmetic shift.
    @Test(.enabled(if: minnow_cpu_has_avx512vnni() != 0, "this CPU has no AVX-512 VNNI"))
    func sixteenLanesAVX512() {
        #expect(mismatches(lanes: 16, seed: 11) { x, m, s in
            let r = multiplyByQuantizedMultiplier16AVX512(SIMD16(x), SIMD16(m), SIMD16(s))
            return (0..<16).map { r[$0] }
        } == 0)
    }
}

import CPUFeatures
import KernelsAVX512VNNI
import Runtime
import Testing

/// The sixteen-lane AVX-512 requantization (one 64-bit rounding shift for gemmlowp's two
/// roundings) against the scalar `multiplyByQuantizedMultiplier`: every pair of edge values (0, ±1,
/// Int32.min/max, powers of two and their neighbours, the overflow pair Int32.min · Int32.min)
/// at every right shift, and two million random lanes with every shift from −31 to the largest
/// left shift that cannot overflow.
@Suite(.enabled(if: minnow_cpu_has_avx512vnni() != 0, "this CPU has no AVX-512 VNNI"))
struct RequantizeAVX512Tests {
    func mismatches(_ x: SIMD16<Int32>, _ m: SIMD16<Int32>, _ s: SIMD16<Int32>) -> Int {
        let got = multiplyByQuantizedMultiplier16AVX512(x, m, s)
        return (0..<16).count { got[$0] != multiplyByQuantizedMultiplier(x[$0], m[$0], s[$0]) }
    }

    @Test func matchesScalarOnEdgesAndRandomLanes() {
        var edges: [Int32] = [0, 1, -1, 2, -2, Int32.max, Int32.min, Int32.min + 1, Int32.max - 1]
        for k in 0..<31 { edges += [1 << k, (1 << k) - 1, -(1 << k), -(1 << k) + 1] }
        var failures = 0
        for x in edges {
            for m in edges where m != 0 {
                for s in Int32(-31)...0 { failures += mismatches(SIMD16(repeating: x), SIMD16(repeating: m), SIMD16(repeating: s)) }
            }
        }
        var state: UInt64 = 11
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        for _ in 0..<125_000 {
            var x = SIMD16<Int32>(), m = SIMD16<Int32>(), s = SIMD16<Int32>()
            for l in 0..<16 {
                let magnitude = Int32(next() % 32)
                x[l] = Int32(bitPattern: next()) >> (31 - magnitude)   // values of every size
                m[l] = next() % 16 == 0 ? Int32(bitPattern: next()) : Int32(bitPattern: next() | 0x4000_0000) & Int32.max
                let leftRoom = max(0, Int32(x[l] == 0 ? 31 : x[l].magnitude.leadingZeroBitCount) - 1)
                s[l] = Int32(next() % UInt32(32 + min(leftRoom, 8))) - 31
            }
            failures += mismatches(x, m, s)
        }
        #expect(failures == 0)
    }
}

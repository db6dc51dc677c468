import _Builtin_intrinsics.intel
import CPUFeatures
import Testing
@testable import KernelsAVX2
import Runtime

/// The eight-lane requantization against the scalar `multiplyByQuantizedMultiplier` on edge values
/// (0, ±1, Int32.min/max, powers of two and their neighbours, the overflow pair) and a million
/// random lanes, every shift from −31 to the largest left shift that cannot overflow.
@Suite(.enabled(if: minnow_cpu_has_avx2() != 0, "this CPU has no AVX2"))
struct RequantizeAVX2Tests {
    func check(_ x: SIMD8<Int32>, _ m: SIMD8<Int32>, _ s: SIMD8<Int32>) -> Bool {
        let got = multiplyByQuantizedMultiplier8AVX2(x, m, s)
        return (0..<8).allSatisfy { got[$0] == multiplyByQuantizedMultiplier(x[$0], m[$0], s[$0]) }
    }

    @Test func matchesScalarOnEdgesAndRandomLanes() {
        var edges: [Int32] = [0, 1, -1, 2, -2, Int32.max, Int32.min, Int32.min + 1, Int32.max - 1]
        for k in 0..<31 { edges += [1 << k, (1 << k) - 1, -(1 << k), -(1 << k) + 1] }
        var failures = 0
        for x in edges {
            for m in edges where m != 0 {
                for s in Int32(-31)...0 where !check(SIMD8(repeating: x), SIMD8(repeating: m), SIMD8(repeating: s)) { failures += 1 }
            }
        }
        var state: UInt64 = 7
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 32)
        }
        for _ in 0..<125_000 {
            var x = SIMD8<Int32>(), m = SIMD8<Int32>(), s = SIMD8<Int32>()
            for l in 0..<8 {
                let magnitude = Int32(next() % 32)
                x[l] = Int32(bitPattern: next()) >> (31 - magnitude)   // values of every size
                m[l] = Int32(bitPattern: next() | 0x4000_0000) & Int32.max
                let leftRoom = max(0, Int32(x[l] == 0 ? 31 : x[l].magnitude.leadingZeroBitCount) - 1)
                s[l] = Int32(next() % UInt32(32 + min(leftRoom, 8))) - 31
            }
            if !check(x, m, s) { failures += 1 }
        }
        #expect(failures == 0)
    }
}

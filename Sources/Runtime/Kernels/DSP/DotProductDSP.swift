#if MINNOW_DSP
import _Builtin_intrinsics.arm.acle

// Shared inner loops of the Cortex-M4/M7 DSP kernels (built with -D MINNOW_DSP).
//
// Four int8 values are loaded as one word. SXTAB16 sign-extends bytes 0 and 2 into the two 16-bit
// halves of a register while adding the input offset (−zeroPoint) to each; the same on the word
// rotated by 8 gives bytes 1 and 3. Inputs minus their zero point lie in [−255, 255] and weights
// in [−127, 127], so every 16-bit half and every product is exact. SMLAD multiplies the halves
// pairwise and adds both products to a 32-bit accumulator; its sum wraps exactly as the reference
// kernels' `&+=`, so the result is the reference's bit for bit in any order.

/// The input offset −zeroPoint in both 16-bit halves of a word, for SXTAB16.
@inline(__always)
func offsetPairDSP(_ zeroPoint: Int32) -> Int32 {
    let offset = 0 &- zeroPoint
    return (offset & 0xFFFF) | (offset &<< 16)
}

@inline(__always)
func load4(_ p: UnsafePointer<Int8>) -> Int32 {
    UnsafeRawPointer(p).loadUnaligned(as: Int32.self)
}

@inline(__always)
func rotated8(_ v: Int32) -> Int32 {
    Int32(bitPattern: __ror(UInt32(bitPattern: v), 8))
}

/// `acc + Σ_{i<n} (x[i] − zeroPoint) · w[i]`, with `offsetPair` = `offsetPairDSP(zeroPoint)`.
@inline(__always)
func dotS8DSP(_ x: UnsafePointer<Int8>, _ w: UnsafePointer<Int8>, count n: Int, offsetPair: Int32, _ acc: Int32) -> Int32 {
    var acc = acc
    var i = 0
    while i + 4 <= n {
        let xv = load4(x + i), wv = load4(w + i)
        acc = __smlad(__sxtab16(offsetPair, xv), __sxtb16(wv), acc)
        acc = __smlad(__sxtab16(offsetPair, rotated8(xv)), __sxtb16(rotated8(wv)), acc)
        i += 4
    }
    let offset = Int32(truncatingIfNeeded: Int16(truncatingIfNeeded: offsetPair))
    while i < n {
        acc &+= (Int32(x[i]) &+ offset) &* Int32(w[i])
        i += 1
    }
    return acc
}

/// Two dot products of the same inputs with two weight rows: the input halves are unpacked once.
@inline(__always)
func dot2S8DSP(_ x: UnsafePointer<Int8>, _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, count n: Int,
               offsetPair: Int32, _ acc0: Int32, _ acc1: Int32) -> (Int32, Int32) {
    var a0 = acc0, a1 = acc1
    var i = 0
    while i + 4 <= n {
        let xv = load4(x + i), v0 = load4(w0 + i), v1 = load4(w1 + i)
        let x02 = __sxtab16(offsetPair, xv), x13 = __sxtab16(offsetPair, rotated8(xv))
        a0 = __smlad(x02, __sxtb16(v0), a0)
        a0 = __smlad(x13, __sxtb16(rotated8(v0)), a0)
        a1 = __smlad(x02, __sxtb16(v1), a1)
        a1 = __smlad(x13, __sxtb16(rotated8(v1)), a1)
        i += 4
    }
    let offset = Int32(truncatingIfNeeded: Int16(truncatingIfNeeded: offsetPair))
    while i < n {
        let xi = Int32(x[i]) &+ offset
        a0 &+= xi &* Int32(w0[i])
        a1 &+= xi &* Int32(w1[i])
        i += 1
    }
    return (a0, a1)
}
#endif

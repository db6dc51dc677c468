/// Fixed-point arithmetic of TFLite's int8 kernels (gemmlowp's definitions), bit for bit.

/// `a` sign-extended to 64 bits. Written without `Int64(a)`: on 32-bit Embedded targets the
/// stdlib's generic integer conversion builds an array of words and so allocates. For the same
/// reason 64-bit values in the Runtime are shifted only with `&<<`/`&>>` by Int64 amounts, and
/// powers of two are written as literals.
@inlinable @inline(__always)
public func widen(_ a: Int32) -> Int64 {
    let zeroExtendedOn32Bit = Int64(_truncatingBits: UInt(bitPattern: Int(a)))
    #if _pointerBitWidth(_32)
    return a < 0 ? zeroExtendedOn32Bit &- 4_294_967_296 : zeroExtendedOn32Bit
    #else
    return zeroExtendedOn32Bit
    #endif
}

/// `round(a · b / 2^31)` with ties toward +∞, saturating the one overflow case
/// `a = b = Int32.min` to `Int32.max`. This is gemmlowp's `SaturatingRoundingDoublingHighMul`:
/// the 64-bit product plus a nudge of 2^30 (or 1 − 2^30 when negative), divided by 2^31
/// truncating toward zero.
/// Example: `saturatingRoundingDoublingHighMul(1 << 30, 1 << 30) == 1 << 29` (0.5 · 0.5 = 0.25 in Q31).
@inlinable @inline(__always)
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == Int32.min && b == Int32.min { return Int32.max }
    let product = widen(a) * widen(b)
    let nudge: Int64 = product >= 0 ? 1_073_741_824 : -1_073_741_823  // 2^30 or 1 − 2^30
    return Int32(truncatingIfNeeded: (product + nudge) / 2_147_483_648)
}

/// `x / 2^exponent` rounded to nearest, ties away from zero (gemmlowp's `RoundingDivideByPOT`).
/// `exponent` is in 0...31. Example: 5 / 2 → 3, −5 / 2 → −3, 7 / 4 → 2.
@inlinable @inline(__always)
public func roundingDivideByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
    let mask: Int32 = (1 << exponent) &- 1
    let remainder = x & mask
    let threshold = (mask >> 1) + (x < 0 ? 1 : 0)
    return (x >> exponent) + (remainder > threshold ? 1 : 0)
}

/// `x · multiplier · 2^shift / 2^31`, as TFLite's `MultiplyByQuantizedMultiplier` (the default,
/// double-rounding form): shift left first when `shift > 0`, then the doubling high multiply, then
/// a rounding right shift when `shift < 0`. `multiplier` is a Q31 value in [2^30, 2^31).
/// Example: x = 1000, multiplier 2^30 (0.5), shift −1 → 1000 · 0.25 = 250.
@inlinable @inline(__always)
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int32) -> Int32 {
    let leftShift = shift > 0 ? shift : 0
    let rightShift = shift > 0 ? 0 : -shift
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x &* (1 << leftShift), multiplier), rightShift)
}

/// `x · 2^exponent` saturated to Int32 for `exponent > 0`, `roundingDivideByPOT(x, −exponent)`
/// otherwise (gemmlowp's `SaturatingRoundingMultiplyByPOT`).
@inlinable @inline(__always)
public func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int32) -> Int32 {
    if exponent <= 0 { return roundingDivideByPOT(x, -exponent) }
    let threshold: Int32 = (1 << (31 - exponent)) - 1
    if x > threshold { return Int32.max }
    if x < -threshold { return Int32.min }
    return x << exponent
}

/// Clamps to [lo, hi] and narrows to int8.
@inlinable @inline(__always)
public func clampToInt8(_ x: Int32, _ lo: Int32, _ hi: Int32) -> Int8 {
    Int8(truncatingIfNeeded: min(max(x, lo), hi))
}

#if arch(arm64)
import _Builtin_intrinsics.arm.neon

// Shared inner loops of the AArch64 NEON kernels (`KernelSet.neon`).
//
// Exactness: eight int8 inputs are sign-extended to int16 (SXTL) and offset by −zeroPoint, giving
// values in [−255, 255]; weights are sign-extended too; SMLAL/SMLAL2 multiply int16 pairs into
// int32 accumulators exactly, and their adds wrap as the reference's `&+=`. The requantization uses
// SQRDMULH, which is gemmlowp's saturating rounding doubling high multiply bit for bit, and
// gemmlowp's NEON rounding shift (a −1 fixup for negative values, then SRSHL).

@inline(__always)
func widen8NEON(_ p: UnsafePointer<Int8>) -> int16x8_t {
    vmovl_s8(UnsafeRawPointer(p).loadUnaligned(as: int8x8_t.self))
}

/// Running sums of four weight rows against one run of inputs: one int32×4 accumulator per row
/// (reduced once, by `total`) and the scalar tails.
struct RowSums4NEON {
    var r0 = vdupq_n_s32(0), r1 = vdupq_n_s32(0), r2 = vdupq_n_s32(0), r3 = vdupq_n_s32(0)
    var tail = SIMD4<Int32>(repeating: 0)

    @inline(__always)
    var total: SIMD4<Int32> { SIMD4(vaddvq_s32(r0), vaddvq_s32(r1), vaddvq_s32(r2), vaddvq_s32(r3)) &+ tail }

    /// Adds `Σ_{i<n} (x[i] − zeroPoint) · w_r[i]` for four rows; `offset` is −zeroPoint in each int16 lane.
    @inline(__always)
    mutating func add(_ x: UnsafePointer<Int8>, _ w0: UnsafePointer<Int8>, _ w1: UnsafePointer<Int8>, _ w2: UnsafePointer<Int8>,
                      _ w3: UnsafePointer<Int8>, count n: Int, offset: int16x8_t, zeroPoint: Int32) {
        var i = 0
        while i + 8 <= n {
            let xv = vaddq_s16(widen8NEON(x + i), offset)
            let xl = vget_low_s16(xv)
            var wv = widen8NEON(w0 + i)
            r0 = vmlal_high_s16(vmlal_s16(r0, xl, vget_low_s16(wv)), xv, wv)
            wv = widen8NEON(w1 + i)
            r1 = vmlal_high_s16(vmlal_s16(r1, xl, vget_low_s16(wv)), xv, wv)
            wv = widen8NEON(w2 + i)
            r2 = vmlal_high_s16(vmlal_s16(r2, xl, vget_low_s16(wv)), xv, wv)
            wv = widen8NEON(w3 + i)
            r3 = vmlal_high_s16(vmlal_s16(r3, xl, vget_low_s16(wv)), xv, wv)
            i += 8
        }
        while i < n {
            tail &+= (Int32(x[i]) &- zeroPoint) &* SIMD4(Int32(w0[i]), Int32(w1[i]), Int32(w2[i]), Int32(w3[i]))
            i += 1
        }
    }
}

/// `multiplyByQuantizedMultiplier` on four lanes, bit for bit: left shift, SQRDMULH, then the
/// rounding right shift with gemmlowp's fixup (vqadd of −1 for negative values before SRSHL).
@inlinable @inline(__always)
public func multiplyByQuantizedMultiplier4NEON(_ x: int32x4_t, _ multiplier: int32x4_t, _ shift: int32x4_t) -> int32x4_t {
    let zero = vdupq_n_s32(0)
    let left = vmaxq_s32(shift, zero), right = vminq_s32(shift, zero)   // right ≤ 0: SRSHL shifts right by −right
    let high = vqrdmulhq_s32(vshlq_s32(x, left), multiplier)
    let fixup = vshlq_s32(vandq_s32(high, right), vdupq_n_s32(-31))
    return vrshlq_s32(vqaddq_s32(high, fixup), right)
}

/// Four accumulators of channels `c ..< c + 4` requantized, offset, clamped and narrowed.
@inlinable @inline(__always)
public func requantize4NEON(_ acc: SIMD4<Int32>, _ q: ChannelRequantization, channel c: Int, outputZeroPoint: Int32,
                     min lo: Int32, max hi: Int32) -> SIMD4<Int8> {
    let multiplier = UnsafeRawPointer(q.multipliers + c).loadUnaligned(as: int32x4_t.self)
    let shift = UnsafeRawPointer(q.shifts + c).loadUnaligned(as: int32x4_t.self)
    let y = vaddq_s32(multiplyByQuantizedMultiplier4NEON(acc, multiplier, shift), vdupq_n_s32(outputZeroPoint))
    let clamped = vminq_s32(vmaxq_s32(y, vdupq_n_s32(lo)), vdupq_n_s32(hi))
    return SIMD4<Int8>(truncatingIfNeeded: clamped)
}
/// The sums of output channels `o ..< o + rows` (1–4), bias added here, requantized, offset,
/// clamped and stored to `out + o`: four together (`requantize4NEON`), fewer one by one.
@inlinable @inline(__always)
public func storeRows4NEON(_ sums: SIMD4<Int32>, rows: Int, channel o: Int, bias: UnsafePointer<Int32>?, _ q: ChannelRequantization,
                           outputZeroPoint: Int32, min lo: Int32, max hi: Int32, to out: UnsafeMutablePointer<Int8>) {
    var acc = sums
    if let bias { for r in 0..<rows { acc[r] &+= bias[o + r] } }
    if rows == 4 {
        let y = requantize4NEON(acc, q, channel: o, outputZeroPoint: outputZeroPoint, min: lo, max: hi)
        UnsafeMutableRawPointer(out + o).storeBytes(of: y, as: SIMD4<Int8>.self)
    } else {
        for r in 0..<rows { out[o + r] = clampToInt8(q.apply(acc[r], channel: o + r) &+ outputZeroPoint, lo, hi) }
    }
}

/// Whether a loop's requantizations skip the shift tests, fixed when the loop is compiled: an
/// out-of-line kernel generic over the rule is specialized twice, and its caller picks the copy
/// once from `Requantize8NEON.shiftsOnlyRight` (a Bool argument would be tested per pixel).
public protocol ShiftRuleNEON { static var rightOnly: Bool { get } }
/// Every channel shifts right: one SSRA and SRSHL per lane (`Requantize8NEON.offset16`).
public enum RightShiftsOnly: ShiftRuleNEON { @inlinable public static var rightOnly: Bool { true } }
/// Any shift: the general path.
public enum AnyShifts: ShiftRuleNEON { @inlinable public static var rightOnly: Bool { false } }

/// The requantization of eight output channels `c ..< c + 8` prepared once per block, for
/// kernels that requantize many pixels of the same channels (the packed convolutions): per pixel
/// two SQRDMULH, the rounding right shift, the zero point, two saturating narrows and the clamp,
/// with the left shift skipped when no channel has one. Where every channel shifts right (the
/// usual case: multipliers below 1), gemmlowp's fixup is one SSRA (`x + (x >> 31)`: SQRDMULH never
/// returns Int32.min, so it cannot wrap) and the zero point is added after the first narrow with
/// int16 saturation (the shifted values lie within ±2^30, so the int32 add never wraps either;
/// only for int8 zero points).
/// Channels past `rows` get multiplier 0 and their bytes are never stored. Exact: saturating
/// narrows then a clamp inside int8 equal the reference's clamp of the int32 value. Example: a
/// sum of 1000 with multiplier 2^30, shift −1 and zero point 3: 1000 · 0.5 / 2 + 3 = 253 → 127.
public struct Requantize8NEON {
    @usableFromInline var multiplierLow, multiplierHigh, leftLow, leftHigh, rightLow, rightHigh, zeroPoint: int32x4_t
    @usableFromInline var zeroPoint16: int16x8_t
    @usableFromInline var low, high: int8x8_t
    @usableFromInline var shiftsLeft, shiftsRight: Bool

    @inlinable
    public init(_ q: ChannelRequantization, channel c: Int, rows: Int, outputZeroPoint: Int32, min lo: Int32, max hi: Int32) {
        var multipliers = SIMD8<Int32>(repeating: 0), shifts = SIMD8<Int32>(repeating: -1)
        if rows >= 8 {
            multipliers = UnsafeRawPointer(q.multipliers + c).loadUnaligned(as: SIMD8<Int32>.self)
            shifts = UnsafeRawPointer(q.shifts + c).loadUnaligned(as: SIMD8<Int32>.self)
        } else {
            for r in 0..<max(rows, 0) {
                multipliers[r] = q.multipliers[c + r]
                shifts[r] = q.shifts[c + r]
            }
        }
        let zero = vdupq_n_s32(0)
        let largest = vmaxvq_s32(vmaxq_s32(shifts.lowHalf, shifts.highHalf))
        shiftsLeft = largest > 0
        shiftsRight = largest < 0 && outputZeroPoint >= -128 && outputZeroPoint <= 127
        multiplierLow = multipliers.lowHalf
        multiplierHigh = multipliers.highHalf
        leftLow = vmaxq_s32(shifts.lowHalf, zero)
        leftHigh = vmaxq_s32(shifts.highHalf, zero)
        rightLow = vminq_s32(shifts.lowHalf, zero)
        rightHigh = vminq_s32(shifts.highHalf, zero)
        zeroPoint = vdupq_n_s32(outputZeroPoint)
        zeroPoint16 = vdupq_n_s16(Int16(truncatingIfNeeded: outputZeroPoint))
        low = vdup_n_s8(Int8(truncatingIfNeeded: lo))
        high = vdup_n_s8(Int8(truncatingIfNeeded: hi))
    }

    /// One requantization per block of eight of `p`'s output channels, up to 64 (a stem's,
    /// `Conv2DParams.takesStemPath`); blocks past the output are unused.
    @inlinable
    public static func blocks(of p: Conv2DParams, _ q: ChannelRequantization) -> InlineArray<8, Requantize8NEON> {
        var blocks = InlineArray<8, Requantize8NEON>(repeating: Requantize8NEON(
            q, channel: 0, rows: 0, outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax))
        for b in 0..<min(8, (p.output.channels + 7) / 8) {
            blocks[b] = Requantize8NEON(q, channel: 8 * b, rows: min(8, p.output.channels - 8 * b), outputZeroPoint: p.outputZeroPoint,
                                        min: p.activationMin, max: p.activationMax)
        }
        return blocks
    }

    /// Whether every channel only shifts right (`rightOnly` of `apply` may be true).
    @inlinable
    public var shiftsOnlyRight: Bool { shiftsRight && !shiftsLeft }

    /// Channels 0–3 (`a`) and 4–7 (`b`) of one pixel's sums, requantized, offset, clamped,
    /// narrowed. `rightOnly` (a constant where `shiftsOnlyRight` was tested once outside a loop)
    /// drops the per-call tests of the shifts.
    @inlinable @inline(__always)
    public func apply(_ a: int32x4_t, _ b: int32x4_t, rightOnly: Bool = false) -> int8x8_t {
        vmin_s8(vmax_s8(vqmovn_s16(offset16(a, b, rightOnly: rightOnly)), low), high)
    }

    /// Eight channels each of two blocks (`a`, `b` through `self`; `c`, `d` through `next`, the
    /// same clamp) requantized, offset, narrowed together and clamped: sixteen bytes.
    @inlinable @inline(__always)
    public func apply(_ a: int32x4_t, _ b: int32x4_t, _ next: Requantize8NEON, _ c: int32x4_t, _ d: int32x4_t,
                      rightOnly: Bool = false) -> int8x16_t {
        let y = vqmovn_high_s16(vqmovn_s16(offset16(a, b, rightOnly: rightOnly)), next.offset16(c, d, rightOnly: rightOnly))
        return vminq_s8(vmaxq_s8(y, vcombine_s8(low, low)), vcombine_s8(high, high))
    }

    /// The requantized values plus the output zero point, saturated to int16: narrowing them to
    /// int8 with saturation and clamping gives the reference's bytes.
    @inlinable @inline(__always)
    func offset16(_ a: int32x4_t, _ b: int32x4_t, rightOnly: Bool) -> int16x8_t {
        var a = a, b = b
        if !rightOnly && shiftsLeft {
            a = vshlq_s32(a, leftLow)
            b = vshlq_s32(b, leftHigh)
        }
        a = vqrdmulhq_s32(a, multiplierLow)
        b = vqrdmulhq_s32(b, multiplierHigh)
        if rightOnly || shiftsRight {
            a = vrshlq_s32(a &+ (a &>> 31), rightLow)
            b = vrshlq_s32(b &+ (b &>> 31), rightHigh)
            return vqaddq_s16(vqmovn_high_s32(vqmovn_s32(a), b), zeroPoint16)
        }
        let signBit = vdupq_n_s32(-31)
        a = vrshlq_s32(vqaddq_s32(a, vshlq_s32(vandq_s32(a, rightLow), signBit)), rightLow)
        b = vrshlq_s32(vqaddq_s32(b, vshlq_s32(vandq_s32(b, rightHigh), signBit)), rightHigh)
        return vqmovn_high_s32(vqmovn_s32(vaddq_s32(a, zeroPoint)), vaddq_s32(b, zeroPoint))
    }

    /// `apply`, stored to `out`: all eight bytes, or the first `rows`.
    @inlinable @inline(__always)
    public func store(_ a: int32x4_t, _ b: int32x4_t, rows: Int, to out: UnsafeMutablePointer<Int8>, rightOnly: Bool = false) {
        let y = apply(a, b, rightOnly: rightOnly)
        if rows == 8 {
            UnsafeMutableRawPointer(out).storeBytes(of: y, as: int8x8_t.self)
        } else {
            for r in 0..<rows { out[r] = y[r] }
        }
    }
}
#endif

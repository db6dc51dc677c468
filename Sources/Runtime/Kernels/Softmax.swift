/// Parameters of TFLite's int8 softmax (output scale 1/256, zero point −128).
/// `inputMultiplier`/`inputLeftShift` encode `beta · inputScale · 2^26` (a left shift ≥ 0), and
/// `diffMin` is the most negative `x − max` still counted (smaller differences give 0).
public struct SoftmaxParams {
    public var rows: Int
    public var depth: Int
    public var inputMultiplier: Int32
    public var inputLeftShift: Int32
    public var diffMin: Int32

    public init(rows: Int, depth: Int, inputMultiplier: Int32, inputLeftShift: Int32, diffMin: Int32) {
        self.rows = rows
        self.depth = depth
        self.inputMultiplier = inputMultiplier
        self.inputLeftShift = inputLeftShift
        self.diffMin = diffMin
    }
}

/// Integer bits of the scaled differences `x − max` (Q5.26).
let softmaxDiffIntegerBits: Int32 = 5
/// Integer bits of the sum of exponentials (Q12.19).
let softmaxSumIntegerBits: Int32 = 12

/// Reference int8 softmax over the last axis (TFLite's `reference_ops::Softmax`): for each row,
/// every `d = x − max ≥ diffMin` is scaled to Q5.26, `exp(d)` is evaluated in Q0.31 fixed point,
/// the exponentials are summed in Q12.19, and each output is `exp(d) / Σ exp` in units of 1/256,
/// minus 128, saturated. Values below `diffMin` give −128 (probability 0). A row longer than 256
/// values takes `exp(d)` (on the host and AArch64) from a table of the 256 differences an int8 row can have (the same values,
/// each computed once instead of twice per element).
/// Example: a row of equal values gives 256/N − 128 each: N = 4 → −64.
public func softmax_s8(_ p: SoftmaxParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    for r in 0..<p.rows {
        let x = input + r * p.depth, y = output + r * p.depth
        var largest: Int32 = -128
        for c in 0..<p.depth { largest = max(largest, Int32(x[c])) }
        #if !hasFeature(Embedded) || arch(arm64)  // the x86-64 and Cortex-M images have no stack-protector guard for the table
        if p.depth > 256 {
            softmaxRowTabulated(p, x, y, largest: largest)
            continue
        }
        #endif
        softmaxRow(p, x, y, largest: largest) { softmaxExponential(p, $0) }
    }
}

/// `exp(diff)` in Q0.31 for `diff = x − max ≤ 0`, scaled to Q5.26 by the input multiplier.
@inline(__always)
func softmaxExponential(_ p: SoftmaxParams, _ diff: Int32) -> Int32 {
    let scaled = saturatingRoundingDoublingHighMul(diff &* (1 << p.inputLeftShift), p.inputMultiplier)
    return expOnNegativeValues(scaled, integerBits: softmaxDiffIntegerBits)
}

/// One row of `softmax_s8` whose largest value is `largest`, `exponential(d)` giving `exp(d)`.
@inline(__always)
func softmaxRow(_ p: SoftmaxParams, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>, largest: Int32,
                _ exponential: (Int32) -> Int32) {
    var sum: Int32 = 0
    for c in 0..<p.depth {
        let diff = Int32(x[c]) - largest
        if diff >= p.diffMin { sum &+= roundingDivideByPOT(exponential(diff), softmaxSumIntegerBits) }
    }
    let (reciprocal, bitsOverUnit) = reciprocalQ31(sum, integerBits: softmaxSumIntegerBits)
    for c in 0..<p.depth {
        let diff = Int32(x[c]) - largest
        if diff >= p.diffMin {
            let ratio = roundingDivideByPOT(saturatingRoundingDoublingHighMul(reciprocal, exponential(diff)),
                                            bitsOverUnit + 31 - 8)
            y[c] = clampToInt8(ratio - 128, -128, 127)
        } else {
            y[c] = -128
        }
    }
}

#if !hasFeature(Embedded) || arch(arm64)
/// `softmaxRow` with `exp(−k)` for k = 0 … 255 computed once (out of line: its 1 KiB table is on
/// the stack only while it runs).
@inline(never)
func softmaxRowTabulated(_ p: SoftmaxParams, _ x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Int8>, largest: Int32) {
    var table = InlineArray<256, Int32>(repeating: 0)
    for k in 0..<256 where -Int32(k) >= p.diffMin { table[k] = softmaxExponential(p, -Int32(k)) }
    softmaxRow(p, x, y, largest: largest) { table[Int(-$0)] }
}
#endif

/// `exp(a)` for `a ≤ 0` given in fixed point with `integerBits` integer bits, returned in Q0.31
/// (gemmlowp's `exp_on_negative_values`): `a` is split into a multiple of 1/4 and a remainder in
/// [−1/4, 0); the remainder's exponential comes from a 4th-order Taylor expansion around −1/8,
/// and each set bit of the multiple multiplies by the constant `exp(−2^k)`.
/// Example: a = 0 → Int32.max (1.0); a = −1.0 → 790015084 (exp(−1) · 2^31).
public func expOnNegativeValues(_ a: Int32, integerBits: Int32) -> Int32 {
    let fractionalBits = 31 - integerBits
    let oneQuarter: Int32 = 1 << (fractionalBits - 2)
    let aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter
    var result = expOnIntervalNegativeQuarterToZero(saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits))
    let remainder = aModQuarterMinusOneQuarter &- a
    // Each set bit 2^k (k = −2 ... 4) of the multiple multiplies by exp(−2^k) in Q0.31.
    func multiplyIfBitSet(_ value: Int32, _ k: Int32, _ expMinusTwoToK: Int32) -> Int32 {
        integerBits > k && remainder & (1 << (fractionalBits + k)) != 0
            ? saturatingRoundingDoublingHighMul(value, expMinusTwoToK) : value
    }
    result = multiplyIfBitSet(result, -2, 1_672_461_947)
    result = multiplyIfBitSet(result, -1, 1_302_514_674)
    result = multiplyIfBitSet(result, 0, 790_015_084)
    result = multiplyIfBitSet(result, 1, 290_630_308)
    result = multiplyIfBitSet(result, 2, 39_332_535)
    result = multiplyIfBitSet(result, 3, 720_401)
    result = multiplyIfBitSet(result, 4, 242)
    if integerBits > 5 && a < -(1 << (36 - integerBits)) { result = 0 }
    return a == 0 ? Int32.max : result
}

/// `exp(a)` for `a` in [−1/4, 0), both Q0.31: the Taylor expansion around −1/8 with
/// `x = a + 1/8`: `exp(−1/8) · (1 + x + x²/2 + x³/6 + x⁴/24)`.
func expOnIntervalNegativeQuarterToZero(_ a: Int32) -> Int32 {
    let expMinusOneEighth: Int32 = 1_895_147_668
    let oneThird: Int32 = 715_827_883
    let x = a + (1 << 28)
    let x2 = saturatingRoundingDoublingHighMul(x, x)
    let x3 = saturatingRoundingDoublingHighMul(x2, x)
    let x4 = saturatingRoundingDoublingHighMul(x2, x2)
    let x4Over4 = roundingDivideByPOT(x4, 2)
    let polynomial = roundingDivideByPOT(saturatingRoundingDoublingHighMul(x4Over4 + x3, oneThird) + x2, 1)
    return expMinusOneEighth &+ saturatingRoundingDoublingHighMul(expMinusOneEighth, x + polynomial)
}

/// `1 / x` for a positive `x` with `integerBits` integer bits: returns the reciprocal of `x`
/// normalized into [1, 2) as a Q0.31 value in (1/2, 1], and how many bits `x` had above 1
/// (TFLite's `GetReciprocal`), so that `1/x = reciprocal · 2^−bitsOverUnit`.
public func reciprocalQ31(_ x: Int32, integerBits: Int32) -> (reciprocal: Int32, bitsOverUnit: Int32) {
    let headroomPlusOne = Int32(UInt32(bitPattern: x).leadingZeroBitCount)
    let shiftedMinusOne = Int32(bitPattern: (UInt32(bitPattern: x) << UInt32(headroomPlusOne)) &- (1 << 31))
    return (oneOverOnePlusX(shiftedMinusOne), integerBits - headroomPlusOne)
}

/// `1 / (1 + a)` for `a` in [0, 1), Q0.31 in and out, by three Newton–Raphson steps on the half
/// denominator from the initial estimate `48/17 − 32/17 · d` (gemmlowp's
/// `one_over_one_plus_x_for_x_in_0_1`; intermediate values in Q2.29).
public func oneOverOnePlusX(_ a: Int32) -> Int32 {
    saturatingRoundingMultiplyByPOT(reciprocalOfHalfDenominator(a), 1)
}

/// `1 / ((1 + a) / 2)` in Q2.29 for `a` in [0, 1) given in Q0.31: the half denominator
/// `(a + 1) / 2` rounded (gemmlowp's `RoundingHalfSum`), the estimate `48/17 − 32/17 · d`, then
/// three Newton–Raphson steps `x += x · (1 − d · x)`. Shared by `oneOverOnePlusX` and TANH's
/// `(1 − a) / (1 + a)`, which is this minus 1.
public func reciprocalOfHalfDenominator(_ a: Int32) -> Int32 {
    let sum = widen(a) + widen(Int32.max)
    let halfDenominator = Int32(truncatingIfNeeded: (sum + (sum >= 0 ? 1 : -1)) / 2)
    let fortyEightSeventeenths: Int32 = 1_515_870_810
    let minusThirtyTwoSeventeenths: Int32 = -1_010_580_540
    var x = fortyEightSeventeenths &+ saturatingRoundingDoublingHighMul(halfDenominator, minusThirtyTwoSeventeenths)
    for _ in 0..<3 {
        let oneMinusHalfDenominatorTimesX = (1 << 29) &- saturatingRoundingDoublingHighMul(halfDenominator, x)
        x = x &+ saturatingRoundingMultiplyByPOT(saturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 2)
    }
    return x
}

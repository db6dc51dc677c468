#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `dwconv2d_s8` with AArch64 NEON: the same contract and bytes. Output channels go eight at a
/// time: per tap, eight inputs (contiguous with depth multiplier 1; otherwise read lane by lane)
/// and eight weights sign-extended to int16, the input offset added, multiplied and accumulated
/// into two int32×4 registers (SMLAL/SMLAL2), then requantized four at a time (`requantize4NEON`).
/// 3 × 3 filters with multiplier 1 (any stride and dilation) take their blocks of eight channels
/// through `depthwise3x3RowsNEON` (the x86 sets' sliding columns).
public func dwconv2d_s8_neon(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                             bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                             output: UnsafeMutablePointer<Int8>) {
    let channels = p.output.channels, inChannels = p.input.channels
    let multiplier = channels / inChannels
    let offset = vdupq_n_s16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    var firstChannel = 0
    if multiplier == 1 && p.kernelH == 3 && p.kernelW == 3 {
        while firstChannel + 8 <= channels {
            let requantize = Requantize8NEON(requantization, channel: firstChannel, rows: 8, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
            if requantize.shiftsOnlyRight {
                depthwise3x3RowsNEON(p, input: input, filter: filter, bias: bias, requantize: requantize, RightShiftsOnly.self,
                                     output: output, channel: firstChannel)
            } else {
                depthwise3x3RowsNEON(p, input: input, filter: filter, bias: bias, requantize: requantize, AnyShifts.self,
                                     output: output, channel: firstChannel)
            }
            firstChannel += 8
        }
    }
    guard firstChannel < channels else { return }
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * channels
            var c = firstChannel
            while c < channels {
                let lanes = min(8, channels - c)
                var low = vdupq_n_s32(0), high = vdupq_n_s32(0)
                var tail = SIMD8<Int32>(repeating: 0)
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let pixel = input + (iy * p.input.width + ix) * inChannels
                        let w = filter + (ky * p.kernelW + kx) * channels + c
                        if lanes == 8 {
                            var x8: int8x8_t
                            if multiplier == 1 {
                                x8 = UnsafeRawPointer(pixel + c).loadUnaligned(as: int8x8_t.self)
                            } else {
                                x8 = int8x8_t()
                                for l in 0..<8 { x8[l] = pixel[(c + l) / multiplier] }
                            }
                            let xv = vaddq_s16(vmovl_s8(x8), offset), wv = widen8NEON(w)
                            low = vmlal_s16(low, vget_low_s16(xv), vget_low_s16(wv))
                            high = vmlal_high_s16(high, xv, wv)
                        } else {
                            for l in 0..<lanes { tail[l] &+= (Int32(pixel[(c + l) / multiplier]) &- p.inputZeroPoint) &* Int32(w[l]) }
                        }
                    }
                }
                var acc = SIMD8(lowHalf: low, highHalf: high) &+ tail
                if let bias { for l in 0..<lanes { acc[l] &+= bias[c + l] } }
                if lanes == 8 {
                    let y0 = requantize4NEON(acc.lowHalf, requantization, channel: c, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    let y1 = requantize4NEON(acc.highHalf, requantization, channel: c + 4, outputZeroPoint: p.outputZeroPoint,
                                             min: p.activationMin, max: p.activationMax)
                    UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD8(lowHalf: y0, highHalf: y1), as: SIMD8<Int8>.self)
                } else {
                    for l in 0..<lanes {
                        out[c + l] = clampToInt8(requantization.apply(acc[l], channel: c + l) &+ p.outputZeroPoint,
                                                 p.activationMin, p.activationMax)
                    }
                }
                c += lanes
            }
        }
    }
}

/// The 3 × 3 depthwise convolution (multiplier 1, any stride and dilation) of channels
/// `c ..< c + 8`: each input column's three rows are widened less the zero point once (SSUBL; the
/// zero point in the padding, so they are zero there) and, at horizontal stride 1 (any dilation:
/// the pixels of each phase of the dilation in turn) or 2 without dilation, slide through the
/// window in registers, as the AVX-512 kernel's columns do; other strides and dilations load the
/// window's three columns per pixel. Per pixel nine SMLAL/SMLAL2
/// pairs against the nine weight vectors, widened once per call, and the block's requantization
/// prepared once by the caller (`Requantize8NEON`), compiled once per `ShiftRuleNEON` so that no
/// pixel tests the shifts. Example: 7 × 7 × 128 at dilation 2: 16 blocks of 49 pixels.
@inline(never)
func depthwise3x3RowsNEON<Rule: ShiftRuleNEON>(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                               bias: UnsafePointer<Int32>?, requantize: Requantize8NEON, _: Rule.Type,
                                               output: UnsafeMutablePointer<Int8>, channel c: Int) {
    typealias Column = (int16x8_t, int16x8_t, int16x8_t)  // kernel rows 0, 1, 2
    let channels = p.output.channels
    let zeroPoint = vdup_n_s8(Int8(truncatingIfNeeded: p.inputZeroPoint)), zero = vdupq_n_s16(0)
    @inline(__always) func weights(_ kx: Int) -> Column {
        (widen8NEON(filter + kx * channels + c), widen8NEON(filter + (3 + kx) * channels + c), widen8NEON(filter + (6 + kx) * channels + c))
    }
    let w0 = weights(0), w1 = weights(1), w2 = weights(2)
    let startLow = bias.map { UnsafeRawPointer($0 + c).loadUnaligned(as: int32x4_t.self) } ?? vdupq_n_s32(0)
    let startHigh = bias.map { UnsafeRawPointer($0 + c + 4).loadUnaligned(as: int32x4_t.self) } ?? vdupq_n_s32(0)
    let slides = p.dilationW == 1 && p.strideW <= 2
    for oy in 0..<p.output.height {
        @inline(__always) func inputRow(_ ky: Int) -> UnsafePointer<Int8>? {
            let iy = oy &* p.strideH &- p.padTop &+ ky &* p.dilationH
            return iy >= 0 && iy < p.input.height ? input + (iy &* p.input.width &* channels &+ c) : nil
        }
        let rows = (inputRow(0), inputRow(1), inputRow(2))
        let rowsInside = rows.0 != nil && rows.1 != nil && rows.2 != nil
        /// Input column `ix` of the three rows less the zero point; zero outside the image.
        /// `known`: the column is known to lie inside the image (one test for the three rows).
        @inline(__always) func column(_ ix: Int, known: Bool = false) -> Column {
            if known {
                @inline(__always) func values(_ row: UnsafePointer<Int8>?) -> int16x8_t {
                    vsubl_s8(UnsafeRawPointer(row.unsafelyUnwrapped + ix &* channels).loadUnaligned(as: int8x8_t.self), zeroPoint)
                }
                return (values(rows.0), values(rows.1), values(rows.2))
            }
            let inside = ix >= 0 && ix < p.input.width
            @inline(__always) func values(_ row: UnsafePointer<Int8>?) -> int16x8_t {
                guard inside, let row else { return zero }
                return vsubl_s8(UnsafeRawPointer(row + ix &* channels).loadUnaligned(as: int8x8_t.self), zeroPoint)
            }
            return (values(rows.0), values(rows.1), values(rows.2))
        }
        /// One window column's products added to `sums` (a closure over `var`s would allocate in Embedded Swift).
        @inline(__always) func accumulate(_ sums: (int32x4_t, int32x4_t), _ x: Column, _ w: Column) -> (int32x4_t, int32x4_t) {
            var (low, high) = sums
            low = vmlal_s16(low, vget_low_s16(x.0), vget_low_s16(w.0)); high = vmlal_high_s16(high, x.0, w.0)
            low = vmlal_s16(low, vget_low_s16(x.1), vget_low_s16(w.1)); high = vmlal_high_s16(high, x.1, w.1)
            low = vmlal_s16(low, vget_low_s16(x.2), vget_low_s16(w.2)); high = vmlal_high_s16(high, x.2, w.2)
            return (low, high)
        }
        @inline(__always) func store(_ ox: Int, _ left: Column, _ middle: Column, _ right: Column) {
            let (low, high) = accumulate(accumulate(accumulate((startLow, startHigh), left, w0), middle, w1), right, w2)
            requantize.store(low, high, rows: 8, to: output + ((oy &* p.output.width &+ ox) &* channels &+ c), rightOnly: Rule.rightOnly)
        }
        // Unrolled so that the columns change roles instead of registers (two pixels a step; three
        // at stride 1 spilled the starting sums and constants: 0.7 % more instructions on mbv2).
        var ox = 0
        if p.strideW == 1 {
            // Output pixels r, r + d, r + 2d, … (d the dilation; every pixel for d = 1) read
            // columns d apart, so each step's window shares two columns with the last one.
            let d = p.dilationW
            for r in 0..<min(d, p.output.width) {
                var ox = r
                var left = column(ox &- p.padLeft), middle = column(ox &+ d &- p.padLeft)
                while ox &+ d < p.output.width {
                    let known = rowsInside && ox &+ 2 &* d >= p.padLeft && ox &+ 3 &* d &- p.padLeft < p.input.width
                    let a = column(ox &+ 2 &* d &- p.padLeft, known: known), b = column(ox &+ 3 &* d &- p.padLeft, known: known)
                    store(ox, left, middle, a)
                    store(ox &+ d, middle, a, b)
                    (left, middle) = (a, b)
                    ox &+= 2 &* d
                }
                while ox < p.output.width {
                    let right = column(ox &+ 2 &* d &- p.padLeft)
                    store(ox, left, middle, right)
                    (left, middle) = (middle, right)
                    ox &+= d
                }
            }
        } else if slides {  // stride 2: the right column is the next window's left one
            var left = column(0 &- p.padLeft)
            while ox + 2 <= p.output.width {
                let ix = ox &* 2 &- p.padLeft
                let known = rowsInside && ix &+ 1 >= 0 && ix &+ 4 < p.input.width
                let a = column(ix &+ 1, known: known), b = column(ix &+ 2, known: known)
                let c = column(ix &+ 3, known: known), d = column(ix &+ 4, known: known)
                store(ox, left, a, b)
                store(ox &+ 1, b, c, d)
                left = d
                ox += 2
            }
            if ox < p.output.width {
                let ix = ox &* 2 &- p.padLeft
                store(ox, left, column(ix &+ 1), column(ix &+ 2))
            }
        } else {
            for ox in 0..<p.output.width {
                let ix = ox &* p.strideW &- p.padLeft
                store(ox, column(ix), column(ix &+ p.dilationW), column(ix &+ 2 &* p.dilationW))
            }
        }
    }
}
#endif

#if arch(x86_64)
import _Builtin_intrinsics.intel
import Runtime

/// `conv2d_s8` with AVX2 (standard and grouped convolutions, any kernel, stride, dilation and
/// padding): the same contract, layouts and bytes. Per output pixel and group, output channels go
/// eight at a time (two `dot4RowsAVX2` calls per tap, sixteen input channels per step) and are
/// requantized together (`requantize8AVX2`); a group's last channels go four or fewer at a time.
public func conv2d_s8_avx2(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                           bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                           output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups
    let coutPerGroup = p.output.channels / p.groups
    let rowStride = p.kernelH * p.kernelW * cinPerGroup
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * p.output.channels
            for group in 0..<p.groups {
                var o = group * coutPerGroup
                let end = o + coutPerGroup
                while o < end {
                    let rows = min(8, end - o)
                    var acc = SIMD8<Int32>(repeating: 0)
                    if let bias { for r in 0..<rows { acc[r] = bias[o + r] } }
                    /// Row `r` of this block's filter at the current tap, clamped to the block's last row.
                    func row(_ w: UnsafePointer<Int8>, _ r: Int) -> UnsafePointer<Int8> { w + min(r, rows - 1) * rowStride }
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        if iy < 0 || iy >= p.input.height { continue }
                        for kx in 0..<p.kernelW {
                            let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                            if ix < 0 || ix >= p.input.width { continue }
                            let src = input + (iy * p.input.width + ix) * p.input.channels + group * cinPerGroup
                            let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                            // Rows past the block's end repeat its last row; their sums are dropped.
                            acc.lowHalf &+= dot4RowsAVX2(src, row(w, 0), row(w, 1), row(w, 2), row(w, 3),
                                                         count: cinPerGroup, zeroPoint: p.inputZeroPoint)
                            if rows > 4 {
                                acc.highHalf &+= dot4RowsAVX2(src, row(w, 4), row(w, 5), row(w, 6), row(w, 7),
                                                              count: cinPerGroup, zeroPoint: p.inputZeroPoint)
                            }
                        }
                    }
                    if rows == 8 {
                        let y = requantize8AVX2(unsafeBitCast(acc, to: __m256i.self), requantization, channel: o,
                                                outputZeroPoint: p.outputZeroPoint, min: p.activationMin, max: p.activationMax)
                        UnsafeMutableRawPointer(out + o).storeBytes(of: y, as: SIMD8<Int8>.self)
                    } else {
                        for r in 0..<rows {
                            out[o + r] = clampToInt8(requantization.apply(acc[r], channel: o + r) + p.outputZeroPoint,
                                                     p.activationMin, p.activationMax)
                        }
                    }
                    o += rows
                }
            }
        }
    }
}
#endif

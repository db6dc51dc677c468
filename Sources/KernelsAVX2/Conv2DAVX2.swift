#if arch(x86_64)
import Runtime

/// `conv2d_s8` with AVX2 (standard and grouped convolutions, any kernel, stride, dilation and
/// padding): the same contract, layouts and bytes. Per output pixel and group, output channels go
/// four at a time; each tap's input channels sixteen at a time through `dot4RowsAVX2`; the
/// requantization is the reference's `ChannelRequantization.apply`.
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
                    let rows = min(4, end - o)
                    var acc = SIMD4<Int32>(repeating: 0)
                    if let bias { for r in 0..<rows { acc[r] = bias[o + r] } }
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        if iy < 0 || iy >= p.input.height { continue }
                        for kx in 0..<p.kernelW {
                            let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                            if ix < 0 || ix >= p.input.width { continue }
                            let src = input + (iy * p.input.width + ix) * p.input.channels + group * cinPerGroup
                            let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                            // Rows past the group's end repeat the last row; their sums are dropped.
                            acc &+= dot4RowsAVX2(src, w, w + min(1, rows - 1) * rowStride, w + min(2, rows - 1) * rowStride,
                                                 w + min(3, rows - 1) * rowStride, count: cinPerGroup, zeroPoint: p.inputZeroPoint)
                        }
                    }
                    for r in 0..<rows {
                        out[o + r] = clampToInt8(requantization.apply(acc[r], channel: o + r) + p.outputZeroPoint,
                                                 p.activationMin, p.activationMax)
                    }
                    o += rows
                }
            }
        }
    }
}
#endif

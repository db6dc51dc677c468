#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `conv2d_s8` with AArch64 NEON (standard and grouped convolutions, any kernel, stride, dilation
/// and padding): the same contract, layouts and bytes. Per output pixel and group, output channels
/// go four at a time; the sums stay in registers across all taps (`RowSums4NEON`, eight input
/// channels per step, SMLAL/SMLAL2) and are reduced once, then requantized together
/// (`requantize4NEON`).
public func conv2d_s8_neon(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                           bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                           output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups
    let coutPerGroup = p.output.channels / p.groups
    let rowStride = p.kernelH * p.kernelW * cinPerGroup
    let offset = vdupq_n_s16(Int16(truncatingIfNeeded: 0 &- p.inputZeroPoint))
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let out = output + (oy * p.output.width + ox) * p.output.channels
            for group in 0..<p.groups {
                var o = group * coutPerGroup
                let end = o + coutPerGroup
                while o < end {
                    let rows = min(4, end - o)
                    var sums = RowSums4NEON()
                    for ky in 0..<p.kernelH {
                        let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                        if iy < 0 || iy >= p.input.height { continue }
                        for kx in 0..<p.kernelW {
                            let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                            if ix < 0 || ix >= p.input.width { continue }
                            let src = input + (iy * p.input.width + ix) * p.input.channels + group * cinPerGroup
                            let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                            // Rows past the block's end repeat its last row; their sums are dropped.
                            sums.add(src, w, w + min(1, rows - 1) * rowStride, w + min(2, rows - 1) * rowStride,
                                     w + min(3, rows - 1) * rowStride, count: cinPerGroup, offset: offset, zeroPoint: p.inputZeroPoint)
                        }
                    }
                    storeRows4NEON(sums.total, rows: rows, channel: o, bias: bias, requantization, outputZeroPoint: p.outputZeroPoint,
                                   min: p.activationMin, max: p.activationMax, to: out)
                    o += rows
                }
            }
        }
    }
}
#endif

/// Reference int8 depthwise convolution (TFLite's `DepthwiseConvPerChannel`): output channel `o`
/// reads input channel `o / M`, where the depth multiplier `M = Cout / Cin`:
///
/// `acc = bias[o] + Σ_{ky,kx} (input[iy, ix, o / M] − inputZeroPoint) · filter[ky, kx, o]`
/// over taps inside the image, then `out = clamp(requantize(acc, o) &+ outputZeroPoint)`.
///
/// - `input`: `[H, W, Cin]`; `filter`: `[KH, KW, Cout]` (TFLite's 1HWO); `bias`: `[Cout]` or nil;
///   `output`: `[OH, OW, Cout]`. `p.groups` is ignored (it is Cin by definition).
/// - Worked example: M = 2, input channel values [3, −1] (zero point 0), 1×1 filter [1, 2, 3, 4]
///   → acc [3, 6, −3, −4] before requantization.
public func dwconv2d_s8(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                        bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                        output: UnsafeMutablePointer<Int8>) {
    let multiplier = p.output.channels / p.input.channels
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            for o in 0..<p.output.channels {
                var acc: Int32 = bias?[o] ?? 0
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let x = Int32(input[(iy * p.input.width + ix) * p.input.channels + o / multiplier])
                        acc &+= (x - p.inputZeroPoint) * Int32(filter[(ky * p.kernelW + kx) * p.output.channels + o])
                    }
                }
                let scaled = requantization.apply(acc, channel: o) &+ p.outputZeroPoint
                output[(oy * p.output.width + ox) * p.output.channels + o] = clampToInt8(scaled, p.activationMin, p.activationMax)
            }
        }
    }
}

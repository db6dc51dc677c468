/// Reference int8 transposed convolution (TFLite's integer `TransposeConv`). Every input pixel
/// scatters into the output: input (y, x) with tap (ky, kx) adds
/// `(input[y, x, i] − inputZeroPoint) · filter[o, ky, kx, i]` to output
/// (y·sh − padTop + ky, x·sw − padLeft + kx), dropped outside the output; then each output
/// channel adds its bias, is requantized, shifted by the output zero point and clamped.
///
/// - `input`: `[H, W, Cin]`; `filter`: `[Cout, KH, KW, Cin]` (OHWI); `bias`: `[Cout]` or nil;
///   `output`: `[OH, OW, Cout]`; `scratch`: `OH · OW · Cout` int32 accumulators from the caller.
/// - `p.dilation*` and `p.groups` are ignored (1); `padTop`/`padLeft` are those of the forward
///   convolution that maps the output back to the input.
public func transpose_conv2d_s8(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                scratch: UnsafeMutablePointer<Int32>, output: UnsafeMutablePointer<Int8>) {
    let cin = p.input.channels, cout = p.output.channels
    scratch.update(repeating: 0, count: p.output.count)
    for y in 0..<p.input.height {
        for x in 0..<p.input.width {
            let src = input + (y * p.input.width + x) * cin
            for ky in 0..<p.kernelH {
                let oy = y * p.strideH - p.padTop + ky
                if oy < 0 || oy >= p.output.height { continue }
                for kx in 0..<p.kernelW {
                    let ox = x * p.strideW - p.padLeft + kx
                    if ox < 0 || ox >= p.output.width { continue }
                    let acc = scratch + (oy * p.output.width + ox) * cout
                    for o in 0..<cout {
                        let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cin
                        var sum: Int32 = 0
                        for i in 0..<cin { sum &+= (Int32(src[i]) - p.inputZeroPoint) * Int32(w[i]) }
                        acc[o] &+= sum
                    }
                }
            }
        }
    }
    for pixel in 0..<(p.output.height * p.output.width) {
        for o in 0..<cout {
            let acc = scratch[pixel * cout + o] &+ (bias?[o] ?? 0)
            output[pixel * cout + o] = clampToInt8(requantization.apply(acc, channel: o) &+ p.outputZeroPoint,
                                                   p.activationMin, p.activationMax)
        }
    }
}

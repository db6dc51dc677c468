import Runtime

/// A convolution filter, OHWI `[Cout, KH, KW, Cin / groups]`, reordered into the `convQuads8`
/// layout (`Q8WeightLayout.convQuads8`) that the packed GEMM kernels read: per group, per block
/// of 8 output channels, per tap, per quad of input channels, the 8 channels' four weights side by
/// side, zeros past the group's channels. Example: Cout 2, a 1×1 kernel, 5 input channels
/// `[[a0 … a4], [b0 … b4]]` → `a0 a1 a2 a3 b0 b1 b2 b3 0 … (32 bytes)`, then `a4 0 0 0 b4 0 0 0 0 …`.
public func packConvQuads8(_ w: [Int8], outChannels: Int, kernelH: Int, kernelW: Int, inputsPerGroup: Int,
                           groups: Int) -> [Int8] {
    let taps = kernelH * kernelW, outputsPerGroup = outChannels / groups
    let blocks = (outputsPerGroup + 7) / 8, quads = (inputsPerGroup + 3) / 4
    var packed = [Int8](repeating: 0, count: Q8WeightLayout.convQuads8Count(groups: groups, outputsPerGroup: outputsPerGroup,
                                                                             taps: taps, inputsPerGroup: inputsPerGroup))
    var at = 0
    for g in 0..<groups {
        for b in 0..<blocks {
            for t in 0..<taps {
                for quad in 0..<quads {
                    for j in 0..<8 {
                        for e in 0..<4 {
                            let o = b * 8 + j, c = 4 * quad + e
                            if o < outputsPerGroup && c < inputsPerGroup {
                                packed[at] = w[((g * outputsPerGroup + o) * taps + t) * inputsPerGroup + c]
                            }
                            at += 1
                        }
                    }
                }
            }
        }
    }
    return packed
}

import Runtime

/// A convolution filter, OHWI `[Cout, KH, KW, Cin / groups]`, reordered into the `convPairs8`
/// layout (`Q8WeightLayout.convPairs8`) that `conv2d_s8_packed_avx2` reads: per group, per block
/// of 8 output channels, per tap, per pair of input channels, the 8 channels' two weights side by
/// side, zeros past the group's channels. Example: Cout 2, a 1×1 kernel, 3 input channels
/// `[[a0 a1 a2], [b0 b1 b2]]` → `a0 a1 b0 b1 0 0 … (16 bytes)`, then `a2 0 b2 0 0 0 …`.
public func packConvPairs8(_ w: [Int8], outChannels: Int, kernelH: Int, kernelW: Int, inputsPerGroup: Int,
                           groups: Int) -> [Int8] {
    let taps = kernelH * kernelW, outputsPerGroup = outChannels / groups
    let blocks = (outputsPerGroup + 7) / 8, pairs = (inputsPerGroup + 1) / 2
    var packed = [Int8](repeating: 0, count: Q8WeightLayout.convPairs8Count(groups: groups, outputsPerGroup: outputsPerGroup,
                                                                             taps: taps, inputsPerGroup: inputsPerGroup))
    var at = 0
    for g in 0..<groups {
        for b in 0..<blocks {
            for t in 0..<taps {
                for pair in 0..<pairs {
                    for j in 0..<8 {
                        for e in 0..<2 {
                            let o = b * 8 + j, c = 2 * pair + e
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

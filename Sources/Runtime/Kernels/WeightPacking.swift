/// A convolution filter, OHWI `[Cout, KH, KW, Cin / groups]`, written into `packed` in the
/// `convQuads8` layout (`Q8WeightLayout.convQuads8`, `ConvQuads8Layout.count` bytes) that the packed GEMM
/// kernels read: per group, per block of 8 output channels, per tap, per quad of input channels,
/// the 8 channels' four weights side by side, zeros past the group's channels. Example: Cout 2, a
/// 1×1 kernel, 5 input channels `[[a0 … a4], [b0 … b4]]` → `a0 a1 a2 a3 b0 b1 b2 b3 0 … (32 bytes)`,
/// then `a4 0 0 0 b4 0 0 0 0 …`.
public func packConvQuads8(_ w: UnsafePointer<Int8>, outChannels: Int, kernelH: Int, kernelW: Int, inputsPerGroup: Int,
                           groups: Int, into packed: UnsafeMutablePointer<Int8>) {
    let taps = kernelH * kernelW, outputsPerGroup = outChannels / groups
    let layout = ConvQuads8Layout(groups: groups, outputsPerGroup: outputsPerGroup, taps: taps, inputsPerGroup: inputsPerGroup)
    var at = 0
    for g in 0..<groups {
        for b in 0..<layout.blocksPerGroup {
            for t in 0..<taps {
                for quad in 0..<layout.quads {
                    for j in 0..<ConvQuads8Layout.blockChannels {
                        for e in 0..<ConvQuads8Layout.quadChannels {
                            let o = b * ConvQuads8Layout.blockChannels + j, c = ConvQuads8Layout.quadChannels * quad + e
                            packed[at] = o < outputsPerGroup && c < inputsPerGroup
                                ? w[((g * outputsPerGroup + o) * taps + t) * inputsPerGroup + c] : 0
                            at += 1
                        }
                    }
                }
            }
        }
    }
}

/// A convolution filter, OHWI `[Cout, KH, KW, Cin / groups]`, written into `packed` in the
/// `convQuads8` layout (`Q8WeightLayout.convQuads8`, `ConvQuads8Layout.count` bytes) that the packed GEMM
/// kernels read: per group, per block of 8 output channels, per tap, per quad of input channels,
/// the 8 channels' four weights side by side, zeros past the group's channels. Example: Cout 2, a
/// 1×1 kernel, 5 input channels `[[a0 … a4], [b0 … b4]]` → `a0 a1 a2 a3 b0 b1 b2 b3 0 … (32 bytes)`,
/// then `a4 0 0 0 b4 0 0 0 0 …`.
public func packConvQuads8(_ w: UnsafePointer<Int8>, outChannels: Int, kernelH: Int, kernelW: Int, inputsPerGroup: Int,
                           groups: Int, into packed: UnsafeMutablePointer<Int8>) {
    forEachConvQuads8Byte(outChannels: outChannels, taps: kernelH * kernelW, inputsPerGroup: inputsPerGroup, groups: groups) { at, source in
        packed[at] = source.map { w[$0] } ?? 0
    }
}

/// Whether `packed` is exactly `packConvQuads8` of the filter `w` and holds no −128: what the
/// validator requires of a model's `convQuads8` copy, so that the packed kernels compute the
/// plain filter's bytes and may add two int8 products in int16 (|x · w| ≤ 128 · 127, two of them
/// at most 32,512; `conv2d_s8_packed_neon`). Example: a filter with a −128 is never packed
/// (`Q8Program.packedCopy`), and a file that packs one is refused.
public func convQuads8IsExactCopy(_ packed: UnsafePointer<Int8>, of w: UnsafePointer<Int8>, outChannels: Int, taps: Int,
                                  inputsPerGroup: Int, groups: Int) -> Bool {
    var exact = true
    forEachConvQuads8Byte(outChannels: outChannels, taps: taps, inputsPerGroup: inputsPerGroup, groups: groups) { at, source in
        let value = source.map { w[$0] } ?? 0
        exact = exact && packed[at] == value && value != -128
    }
    return exact
}

/// Calls `body(at, source)` for every byte `at` of a `convQuads8` filter in order, with `source`
/// the index of the plain OHWI filter's byte it holds, or nil for a zero past the group's channels.
@inline(__always)
func forEachConvQuads8Byte(outChannels: Int, taps: Int, inputsPerGroup: Int, groups: Int, _ body: (Int, Int?) -> Void) {
    let outputsPerGroup = outChannels / groups
    let layout = ConvQuads8Layout(groups: groups, outputsPerGroup: outputsPerGroup, taps: taps, inputsPerGroup: inputsPerGroup)
    var at = 0
    for g in 0..<groups {
        for b in 0..<layout.blocksPerGroup {
            for t in 0..<taps {
                for quad in 0..<layout.quads {
                    for j in 0..<ConvQuads8Layout.blockChannels {
                        for e in 0..<ConvQuads8Layout.quadChannels {
                            let o = b * ConvQuads8Layout.blockChannels + j, c = ConvQuads8Layout.quadChannels * quad + e
                            body(at, o < outputsPerGroup && c < inputsPerGroup ? ((g * outputsPerGroup + o) * taps + t) * inputsPerGroup + c : nil)
                            at += 1
                        }
                    }
                }
            }
        }
    }
}

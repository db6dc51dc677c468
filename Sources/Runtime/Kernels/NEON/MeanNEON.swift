#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `mean_s8` with AArch64 NEON: the same contract and bytes; sixteen channels at a time summed
/// over all pixels in int32 lanes (`Sums16NEON`), then the reference's scaling per channel
/// (`MeanScaling`); the rest one at a time.
public func mean_s8_neon(_ p: MeanParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let n = p.input.height * p.input.width, c = p.input.channels
    let scaling = MeanScaling(p)
    var ch = 0
    while ch + 16 <= c {
        var sums = Sums16NEON()
        for i in 0..<n { sums.add(input + i * c + ch) }
        let s = sums.lanes
        for k in 0..<16 { output[ch + k] = scaling.output(s[k]) }
        ch += 16
    }
    while ch < c {
        var sum: Int32 = 0
        for i in 0..<n { sum &+= Int32(input[i * c + ch]) }
        output[ch] = scaling.output(sum)
        ch += 1
    }
}
#endif

#if arch(arm64)
import _Builtin_intrinsics.arm.neon

/// `max_pool2d_s8` with AArch64 NEON: the same contract and bytes; sixteen channels at a time
/// (SMAX over the window's cells inside the image, then the clamp), the rest one at a time.
public func max_pool2d_s8_neon(_ p: Pool2DParams, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    let c = p.input.channels
    let lo = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMin)), hi = vdupq_n_s8(Int8(truncatingIfNeeded: p.activationMax))
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            let w = p.window(oy, ox)
            let out = output + (oy * p.output.width + ox) * c
            var ch = 0
            while ch + 16 <= c {
                var best = vdupq_n_s8(-128)
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 {
                        best = vmaxq_s8(best, UnsafeRawPointer(input + (y * p.input.width + x) * c + ch).loadUnaligned(as: int8x16_t.self))
                    }
                }
                UnsafeMutableRawPointer(out + ch).storeBytes(of: vminq_s8(vmaxq_s8(best, lo), hi), as: int8x16_t.self)
                ch += 16
            }
            while ch < c {
                var best: Int32 = -128
                for y in w.y0..<w.y1 {
                    for x in w.x0..<w.x1 { best = max(best, Int32(input[(y * p.input.width + x) * c + ch])) }
                }
                out[ch] = clampToInt8(best, p.activationMin, p.activationMax)
                ch += 1
            }
        }
    }
}
#endif

#if arch(x86_64)
import _Builtin_intrinsics.intel
import CAVX512VNNI
import KernelsAVXVNNI
import Runtime

/// `conv2d_s8_packed_avxvnni` on CPUs with AVX-512 VNNI but without AVX-VNNI (Intel Ice Lake and
/// Sapphire Rapids servers, AMD Zen 4): the same body and bytes, with vpdpbusd in its EVEX
/// encoding on the same 256-bit registers (`_mm256_dpbusd_epi32`, AVX512VL). This module is
/// compiled for AVX-512 VNNI; only `KernelSet.best` hands it out, after CPUID.
public func conv2d_s8_packed_avx512vnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter packed: UnsafePointer<Int8>,
                                        bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                        output: UnsafeMutablePointer<Int8>) {
    conv2dPackedDotProduct(p, input: input, filter: packed, bias: bias, requantization: requantization, output: output,
                           dot: AVX512VNNIDotProduct.self)
}

/// AVX-512 VNNI's vpdpbusd (EVEX) on eight 32-bit lanes.
public enum AVX512VNNIDotProduct: DotProduct8 {
    @inline(__always)
    public static func dot(_ acc: __m256i, _ u: __m256i, _ s: __m256i) -> __m256i { minnow_dpbusd256(acc, u, s) }
}
#endif

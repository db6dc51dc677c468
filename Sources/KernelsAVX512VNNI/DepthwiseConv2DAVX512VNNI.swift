#if arch(x86_64)
import KernelsAVX2
import KernelsAVXVNNI
import Runtime

/// `dwconv2d_s8_avxvnni` with AVX-512 VNNI's vpdpbusd: one-input-channel depthwise convolutions
/// as a GEMM over each pixel's patch, every other one as `dwconv2d_s8_avx2` (`dwconv2dDotProduct`).
/// The same contract and bytes.
public func dwconv2d_s8_avx512vnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                   bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                   output: UnsafeMutablePointer<Int8>) {
    dwconv2dDotProduct(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output,
                       dot: AVX512VNNIDotProduct.self)
}
#endif

#if arch(x86_64)
import KernelsAVX2
import Runtime

/// `dwconv2d_s8` on CPUs with AVX-VNNI: the same contract and bytes. A depthwise convolution of
/// one input channel (a filter bank over a spectrogram or a grayscale image) runs as a vpdpbusd
/// GEMM over each pixel's patch, every other one as `dwconv2d_s8_avx2` (`dwconv2dDotProduct`).
public func dwconv2d_s8_avxvnni(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                                bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                                output: UnsafeMutablePointer<Int8>) {
    dwconv2dDotProduct(p, input: input, filter: filter, bias: bias, requantization: requantization, output: output,
                       dot: AVXVNNIDotProduct.self)
}
#endif

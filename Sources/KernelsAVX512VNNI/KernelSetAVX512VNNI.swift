#if arch(x86_64)
import KernelsAVX2
import Runtime

extension KernelSet {
    /// The AVX2 kernels with the AVX-512 VNNI packed convolution and dense layer, the AVX-512 depthwise convolution and add. Only for CPUs with AVX2,
    /// AVX-512 VL and AVX-512 VNNI: use `KernelSet.best` (module Kernels), which checks.
    public static var avx512vnni: KernelSet {
        var set = KernelSet.avx2
        set.name = "avx512vnni"
        set.conv2dPackedSuffix = "avx512vnni"
        set.conv2dPacked = { conv2d_s8_packed_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        set.depthwiseConv2dSuffix = "avx512vnni"
        set.depthwiseConv2d = { dwconv2d_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        set.conv2dPackedTile = { conv2dPackedTileAVX512VNNI($0) }
        set.depthwiseConv2dTile = { dwconv2dTileAVX512VNNI($0) }
        set.fullyConnectedSuffix = "avx512vnni"
        set.fullyConnected = { fully_connected_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        set.addSuffix = "avx512"
        set.add = { add_s8_avx512($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
        return set
    }
}
#endif

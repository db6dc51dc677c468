#if arch(x86_64)
import KernelsAVX2
import Runtime

extension KernelSet {
    /// The AVX2 kernels with the AVX-512 VNNI packed convolution and dense layer, the AVX-512 depthwise convolution and add. Only for CPUs with AVX2,
    /// AVX-512 VL and AVX-512 VNNI: use `KernelSet.best` (module Kernels), which checks.
    public static var avx512vnni: KernelSet {
        var set = KernelSet.avx2
        set.name = "avx512vnni"
        set.conv2dPacked = Kernel({ conv2d_s8_packed_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                  suffix: "avx512vnni", tile: { conv2dPackedTileAVX512VNNI($0) })
        set.depthwiseConv2d = Kernel({ dwconv2d_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                     suffix: "avx512vnni", tile: { dwconv2dTileAVX512VNNI($0) })
        set.fullyConnected = Kernel({ fully_connected_s8_avx512vnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                    suffix: "avx512vnni")
        set.add = Kernel({ add_s8_avx512($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "avx512")
        return set
    }
}
#endif

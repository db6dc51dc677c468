#if arch(x86_64)
import KernelsAVX2
import Runtime

extension KernelSet {
    /// The AVX2 kernels with the AVX-VNNI packed convolution. Only for CPUs with AVX2 and
    /// AVX-VNNI: use `KernelSet.best` (module Kernels), which checks.
    public static var avxvnni: KernelSet {
        var set = KernelSet.avx2
        set.name = "avxvnni"
        set.conv2dPacked = Kernel({ conv2d_s8_packed_avxvnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                  suffix: "avxvnni", tile: { conv2dPackedTileVNNI($0) })
        set.depthwiseConv2d = Kernel({ dwconv2d_s8_avxvnni($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                     suffix: "avxvnni", tile: set.depthwiseConv2d.tile)
        return set
    }
}
#endif

#if arch(x86_64)
import Runtime

extension KernelSet {
    /// The AVX2 kernels. Only for CPUs with AVX2: use `KernelSet.best` (module Kernels), which checks.
    public static var avx2: KernelSet {
        var set = KernelSet(name: "avx2",
                            conv2d: Kernel({ conv2d_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: "avx2"),
                            depthwiseConv2d: Kernel({ dwconv2d_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                                    suffix: "avx2", tile: { dwconv2dTileAVX2($0) }),
                            fullyConnected: Kernel({ fully_connected_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                                   suffix: "avx2"))
        set.conv2dPacked = Kernel({ conv2d_s8_packed_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                  suffix: "avx2", tile: { conv2dPackedTileAVX2($0) })
        set.add = Kernel({ add_s8_avx2($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "avx2")
        set.mul = Kernel({ mul_s8_avx2($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "avx2")
        set.lookup = Kernel({ lut_s8_avx2(input: $0, count: $1, table: $2, output: $3) }, suffix: "avx2")
        set.maxPool2d = Kernel({ max_pool2d_s8_avx2($0, input: $1, output: $2) }, suffix: "avx2")
        set.averagePool2d = Kernel({ avg_pool2d_s8_avx2($0, input: $1, output: $2) }, suffix: "avx2")
        set.mean = Kernel({ mean_s8_avx2($0, input: $1, output: $2) }, suffix: "avx2")
        return set
    }
}
#endif

#if arch(x86_64)
import Runtime

extension KernelSet {
    /// The AVX2 kernels. Only for CPUs with AVX2: use `KernelSet.best` (module Kernels), which checks.
    public static var avx2: KernelSet {
        var set = KernelSet(name: "avx2", suffix: "avx2",
                            conv2d: { conv2d_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                            depthwiseConv2d: { dwconv2d_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                            fullyConnected: { fully_connected_s8_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) })
        set.conv2dPackedSuffix = "avx2"
        set.conv2dPacked = { conv2d_s8_packed_avx2($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        set.conv2dPackedTile = { conv2dPackedTileAVX2($0) }
        set.depthwiseConv2dTile = { dwconv2dTileAVX2($0) }
        set.add = { add_s8_avx2($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
        set.maxPool2d = { max_pool2d_s8_avx2($0, input: $1, output: $2) }
        set.averagePool2d = { avg_pool2d_s8_avx2($0, input: $1, output: $2) }
        set.mean = { mean_s8_avx2($0, input: $1, output: $2) }
        return set
    }
}
#endif

#if arch(arm64)
import Runtime

extension KernelSet {
    /// The NEON kernels with the SDOT packed convolution. Only for CPUs with the dot-product
    /// extension (Linux: HWCAP_ASIMDDP): `KernelSet.best` (module Kernels) and the firmware check.
    public static var neonDot: KernelSet {
        var set = KernelSet.neon
        set.name = "neondot"
        set.conv2dPacked = Kernel({ conv2d_s8_packed_neondot($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                  suffix: "neondot", tile: { StemRows($0) != nil ? "rows4x16c4" : $0.takesStemPath ? "patch4x16c4" : "4x16c4" })
        set.fullyConnected = Kernel({ fully_connected_s8_neondot($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                    suffix: "neondot")
        return set
    }
}
#endif

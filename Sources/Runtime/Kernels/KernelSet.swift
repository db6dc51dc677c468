/// The kernels `Interpreter` calls for convolutions, depthwise convolutions, dense layers, adds,
/// multiplies, table lookups, pools and means.
/// `reference` is the portable set; built with `-D MINNOW_DSP` (the Cortex-M4 firmware) it is
/// the DSP twins instead. Faster host sets (AVX2) live in modules above Runtime, have the same
/// signatures and contracts, and give the same bytes (differential tests); `neon` (AArch64) is
/// here, in Embedded-clean Swift, for the firmware builds. Example:
/// `Interpreter(model: m, arena: a, kernels: .best)` with `best` from module Kernels (CPUID decides).
public struct KernelSet {
    public typealias Convolution = (_ p: Conv2DParams, _ input: UnsafePointer<Int8>, _ filter: UnsafePointer<Int8>,
                                    _ bias: UnsafePointer<Int32>?, _ requantization: ChannelRequantization,
                                    _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Dense = (_ p: FullyConnectedParams, _ input: UnsafePointer<Int8>, _ filter: UnsafePointer<Int8>,
                              _ bias: UnsafePointer<Int32>?, _ requantization: ChannelRequantization,
                              _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Add = (_ p: AddParams, _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>, _ input2Count: Int,
                            _ count: Int, _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Mul = (_ p: MulParams, _ input1: UnsafePointer<Int8>, _ input2: UnsafePointer<Int8>, _ input2Count: Int,
                            _ count: Int, _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Lookup = (_ input: UnsafePointer<Int8>, _ count: Int, _ table: UnsafePointer<Int8>,
                               _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Pool = (_ p: Pool2DParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Mean = (_ p: MeanParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>) -> Void

    /// The set's name: "reference", "dsp", "neon", "neondot", "avx2", "avxvnni", "avx512vnni".
    public var name: StaticString
    public var conv2d: Kernel<Convolution>
    public var depthwiseConv2d: Kernel<Convolution>
    public var fullyConnected: Kernel<Dense>
    /// Convolution over a `convQuads8` filter (a conv op's optional input 5), where a set has one.
    public var conv2dPacked: Kernel<Convolution>?
    public var add = Kernel<Add>({ add_s8($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "")
    public var mul = Kernel<Mul>({ mul_s8($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "")
    public var lookup = Kernel<Lookup>({ lut_s8(input: $0, count: $1, table: $2, output: $3) }, suffix: "")
    public var maxPool2d = Kernel<Pool>({ max_pool2d_s8($0, input: $1, output: $2) }, suffix: "")
    public var averagePool2d = Kernel<Pool>({ avg_pool2d_s8($0, input: $1, output: $2) }, suffix: "")
    public var mean = Kernel<Mean>({ mean_s8($0, input: $1, output: $2) }, suffix: "")

    /// A set with the given heavy kernels and the reference add, pools and mean (replace them
    /// slot by slot).
    public init(name: StaticString, conv2d: Kernel<Convolution>, depthwiseConv2d: Kernel<Convolution>, fullyConnected: Kernel<Dense>) {
        self.name = name
        self.conv2d = conv2d
        self.depthwiseConv2d = depthwiseConv2d
        self.fullyConnected = fullyConnected
    }

#if arch(arm64)
    /// The AArch64 NEON kernels (every AArch64 CPU has NEON).
    public static var neon: KernelSet {
        var set = KernelSet(name: "neon",
                            conv2d: Kernel({ conv2d_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: "neon"),
                            depthwiseConv2d: Kernel({ dwconv2d_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                                    suffix: "neon"),
                            fullyConnected: Kernel({ fully_connected_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                                   suffix: "neon"))
        set.add = Kernel({ add_s8_neon($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "neon")
        set.mul = Kernel({ mul_s8_neon($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }, suffix: "neon")
        set.lookup = Kernel({ lut_s8_neon(input: $0, count: $1, table: $2, output: $3) }, suffix: "neon")
        set.maxPool2d = Kernel({ max_pool2d_s8_neon($0, input: $1, output: $2) }, suffix: "neon")
        set.averagePool2d = Kernel({ avg_pool2d_s8_neon($0, input: $1, output: $2) }, suffix: "neon")
        set.mean = Kernel({ mean_s8_neon($0, input: $1, output: $2) }, suffix: "neon")
        set.conv2dPacked = Kernel({ conv2d_s8_packed_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: "neon",
                                  tile: { stemRowsNEON($0) != nil ? "rows4x8c4" : $0.takesStemPath ? "patch4x8c4" : "4x8c4" })
        return set
    }
#endif

#if MINNOW_DSP
    public static var reference: KernelSet {
        KernelSet(name: "dsp",
                  conv2d: Kernel({ conv2d_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: "dsp"),
                  depthwiseConv2d: Kernel({ dwconv2d_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: "dsp"),
                  fullyConnected: Kernel({ fully_connected_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                                         suffix: "dsp"))
    }
#else
    public static var reference: KernelSet {
        KernelSet(name: "reference",
                  conv2d: Kernel({ conv2d_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: ""),
                  depthwiseConv2d: Kernel({ dwconv2d_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: ""),
                  fullyConnected: Kernel({ fully_connected_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }, suffix: ""))
    }
#endif
}

/// One slot of a kernel set: the function, the ISA suffix of its name ("" for a reference
/// kernel) and, for a kernel with several tiles, the tile it takes for a shape. One value per
/// slot (XNNPACK's config records), so what runs and what `bench` and `inspect` name come from
/// the same place, and a set that keeps a reference kernel names it as one. Example: the AVX2
/// set's `conv2dPacked` is `conv2d_s8_packed_avx2` with suffix "avx2" and tile "4x8c4" (or
/// "patch4x16c4" for a stem); its `mean` before it had one of its own was `mean_s8`, suffix "".
public struct Kernel<Function> {
    public var run: Function
    public var suffix: StaticString
    public var tile: ((Conv2DParams) -> StaticString)?

    public init(_ run: Function, suffix: StaticString, tile: ((Conv2DParams) -> StaticString)? = nil) {
        self.run = run
        self.suffix = suffix
        self.tile = tile
    }

    /// Whether the slot holds a twin of the reference kernel (what the kernel checks compare).
    public var isTwin: Bool { suffix.utf8CodeUnitCount > 0 }
}

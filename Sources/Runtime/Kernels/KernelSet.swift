/// The kernels `Interpreter` calls for convolutions, depthwise convolutions, dense layers, adds,
/// pools and means.
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
    public typealias Pool = (_ p: Pool2DParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>) -> Void
    public typealias Mean = (_ p: MeanParams, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>) -> Void

    /// The set's name: "reference", "dsp", "neon", "avx2", "avxvnni".
    public var name: StaticString
    /// The kernels' ISA suffix: "" (reference), "dsp", "neon", "avx2".
    public var suffix: StaticString
    /// The ISA suffix of `conv2dPacked`, which may differ from the others' ("avxvnni").
    public var conv2dPackedSuffix: StaticString = ""
    /// The ISA suffix of `depthwiseConv2d` where it differs from the others' ("avxvnni"); "" if not.
    public var depthwiseConv2dSuffix: StaticString = ""
    /// The tile `conv2dPacked` picks for a shape ("4x32c4"), where it has several; part of its name.
    public var conv2dPackedTile: ((Conv2DParams) -> StaticString)? = nil
    /// The tile `depthwiseConv2d` picks for a shape, where it has several; part of its name.
    public var depthwiseConv2dTile: ((Conv2DParams) -> StaticString)? = nil
    /// The ISA suffix of `fullyConnected` where it differs from the others' ("avx512vnni"); "" if not.
    public var fullyConnectedSuffix: StaticString = ""
    /// The ISA suffix of `add` where it differs from the others' ("avx512"); "" if not.
    public var addSuffix: StaticString = ""
    public var conv2d: Convolution
    public var depthwiseConv2d: Convolution
    public var fullyConnected: Dense
    /// Convolution over a `convQuads8` filter (a conv op's optional input 5), where a set has one.
    public var conv2dPacked: Convolution?
    public var add: Add = { add_s8($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
    public var maxPool2d: Pool = { max_pool2d_s8($0, input: $1, output: $2) }
    public var averagePool2d: Pool = { avg_pool2d_s8($0, input: $1, output: $2) }
    public var mean: Mean = { mean_s8($0, input: $1, output: $2) }

    /// A set with the given heavy kernels and the reference add, pools and mean (replace them
    /// field by field).
    public init(name: StaticString, suffix: StaticString, conv2d: @escaping Convolution, depthwiseConv2d: @escaping Convolution,
                fullyConnected: @escaping Dense) {
        self.name = name
        self.suffix = suffix
        self.conv2d = conv2d
        self.depthwiseConv2d = depthwiseConv2d
        self.fullyConnected = fullyConnected
    }

#if arch(arm64)
    /// The AArch64 NEON kernels (every AArch64 CPU has NEON).
    public static var neon: KernelSet {
        var set = KernelSet(name: "neon", suffix: "neon",
                            conv2d: { conv2d_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                            depthwiseConv2d: { dwconv2d_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                            fullyConnected: { fully_connected_s8_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) })
        set.add = { add_s8_neon($0, input1: $1, input2: $2, input2Count: $3, count: $4, output: $5) }
        set.maxPool2d = { max_pool2d_s8_neon($0, input: $1, output: $2) }
        set.averagePool2d = { avg_pool2d_s8_neon($0, input: $1, output: $2) }
        set.mean = { mean_s8_neon($0, input: $1, output: $2) }
        set.conv2dPacked = { conv2d_s8_packed_neon($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) }
        set.conv2dPackedSuffix = "neon"
        set.conv2dPackedTile = { stemRowsNEON($0) != nil ? "rows4x8c4" : $0.takesStemPath ? "patch4x8c4" : "4x8c4" }
        return set
    }
#endif

#if MINNOW_DSP
    public static var reference: KernelSet {
        KernelSet(name: "dsp", suffix: "dsp",
                  conv2d: { conv2d_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                  depthwiseConv2d: { dwconv2d_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                  fullyConnected: { fully_connected_s8_dsp($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) })
    }
#else
    public static var reference: KernelSet {
        KernelSet(name: "reference", suffix: "",
                  conv2d: { conv2d_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                  depthwiseConv2d: { dwconv2d_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) },
                  fullyConnected: { fully_connected_s8($0, input: $1, filter: $2, bias: $3, requantization: $4, output: $5) })
    }
#endif
}

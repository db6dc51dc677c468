/// Constants of the model.q8 format (docs/formats.md). Little-endian, sections 16-byte aligned.
public enum Q8Format {
    /// "MNQ8"
    public static let magic: UInt32 = 0x3851_4E4D
    /// 2: the CRC covers the header too, reserved bytes are zero, the arena size is recomputed
    /// by the validator and includes the prepared-op records. 3: records of 96 bytes (224 before),
    /// convolutions in place row by row, op 17 (mul). 4: mean has two words (multiplier, shift) and
    /// always TFLM's folded scaling (version 3's equal-quantization flag truncated instead).
    /// Earlier versions are refused.
    public static let version: UInt16 = 4
    public static let headerSize = 64
    public static let sectionEntrySize = 16
    public static let tensorEntrySize = 36
    public static let opEntrySize = 24
    /// Arena bytes per op for its decoded record (`PreparedOp`), after the activations: the
    /// largest op's record on 64-bit targets (a convolution's, a dense layer's, an add's: operand
    /// pointers and 32-bit parameters; convolutions and pools decode their shape words at each
    /// run); 32-bit targets use no more.
    public static let preparedOpBytes = 96
    /// Header bytes 28 ..< 64, which must be zero.
    public static let reservedRange = 28..<64
    /// Marks an absent tensor (no bias, no scratch).
    public static let none: UInt32 = 0xFFFF_FFFF

    /// Section tags as little-endian u32s of their four ASCII letters.
    public enum Section: UInt32 {
        case tensors = 0x534E_4554    // "TENS"
        case ops = 0x5F53_504F        // "OPS_"
        case indices = 0x5844_4E49    // "INDX"
        case parameters = 0x4D52_4150 // "PARM"
        case data = 0x4154_4144       // "DATA"
        case io = 0x5F5F_4F49         // "IO__"
        case meta = 0x4154_454D       // "META"

        /// One bit per section, to check each appears exactly once.
        var bit: UInt32 {
            switch self {
            case .tensors: return 1
            case .ops: return 2
            case .indices: return 4
            case .parameters: return 8
            case .data: return 16
            case .io: return 32
            case .meta: return 64
            }
        }

        static let allBits: UInt32 = 127
    }
}

/// Element type of a tensor.
public enum Q8Type: UInt8, Sendable {
    case int8 = 0
    case int32 = 1

    public var size: Int { self == .int8 ? 1 : 4 }
}

/// How a weight tensor's bytes are ordered.
public enum Q8WeightLayout: UInt8, Sendable {
    /// The plain layouts the reference kernels read (OHWI filters, OI dense weights, …).
    case plain = 0
    /// Convolution filters for the GEMM kernels (`conv2d_s8_packed_avx2`, `conv2d_s8_packed_avxvnni`):
    /// per group, per block of 8 output channels, per tap `(ky, kx)`, per quad of input channels
    /// `4j ..< 4j + 4`: 32 bytes `w[o0][4j] … w[o0][4j+3], w[o1][4j] … w[o1][4j+3], …, w[o7][4j+3]`,
    /// zeros past the group's channels. Four bytes per output channel is what one 32-bit lane of a
    /// dot-product instruction (vpdpbusd, sdot) takes. Example: 1 group, 3 × 3 kernel, 32 → 64
    /// channels: 8 blocks · 9 taps · 8 quads · 32 bytes = 18,432 bytes.
    case convQuads8 = 2
    /// Not a weight layout: an int8 activation `[H, W, C]` whose arena bytes hold only
    /// `byteSize / (W·C)` of its rows at a time, a row stream from the convolution that writes it
    /// to the convolution right after, which computes the rows as it reads them (`RowStream`).
    case rowStream = 3
}

/// The geometry of one convolution's `convQuads8` filter (`Q8WeightLayout.convQuads8`), the one
/// place its counts and offsets are written: the format, the packer (`packConvQuads8`), the
/// validator and every packed kernel read them here. Block `b` of group `g` starts at byte
/// `(g · blocksPerGroup + b) · blockBytes`, its tap `t` `t · tapBytes` later, quad `q` of that
/// tap `q · 32` later. Example: 1 group, 3 × 3, 32 → 64 channels: 8 blocks of 9 taps of 8 quads,
/// `blockBytes` 2,304, `count` 18,432.
public struct ConvQuads8Layout {
    /// Output channels per block, input channels per quad, bytes per quad of a block (8 · 4).
    public static let blockChannels = 8, quadChannels = 4, quadBytes = 32
    public let groups: Int
    public let blocksPerGroup: Int
    public let taps: Int
    public let quads: Int

    /// The layout of a filter of `groups` groups of `outputsPerGroup` × `taps` × `inputsPerGroup`.
    /// (The validator bounds these counts with `OpView.product` before any kernel computes them.)
    public init(groups: Int, outputsPerGroup: Int, taps: Int, inputsPerGroup: Int) {
        self.groups = groups
        blocksPerGroup = (outputsPerGroup + Self.blockChannels - 1) / Self.blockChannels
        self.taps = taps
        quads = Self.quads(inputsPerGroup)
    }

    /// Quads of input channels holding `inputs` channels (the last one zero-padded).
    public static func quads(_ inputs: Int) -> Int { (inputs + quadChannels - 1) / quadChannels }

    /// The layout of the convolution `p`'s filter.
    @inlinable
    public init(_ p: Conv2DParams) {
        self.init(groups: p.groups, outputsPerGroup: p.output.channels / p.groups, taps: p.kernelH * p.kernelW,
                  inputsPerGroup: p.input.channels / p.groups)
    }

    /// Bytes of one tap of a block (every quad of it), and of one block (every tap).
    public var tapBytes: Int { quads * Self.quadBytes }
    public var blockBytes: Int { taps * tapBytes }
    /// Blocks over all groups, and the whole filter's bytes.
    public var blocks: Int { groups * blocksPerGroup }
    public var count: Int { blocks * blockBytes }
}

/// Where a tensor's bytes live.
public enum Q8Storage: UInt8, Sendable {
    /// In the caller's arena, at the planned offset.
    case arena = 0
    /// In the model's DATA section (weights, biases, multipliers, tables), read in place.
    case constant = 1
}

/// Operators of model.q8. Each op's input slots, parameter words, scratch, bounds and kernel
/// names are in its own file under `Sources/Runtime/Ops/` (`Conv2DOp`, `PadOp`, …);
/// `docs/formats.md` has the table.
public enum Q8OpCode: UInt16, Sendable {
    case conv2d = 1
    case depthwiseConv2d = 2
    case fullyConnected = 3
    case maxPool2d = 4
    case averagePool2d = 5
    case mean = 6
    case add = 7
    case concatenation = 8
    case channelShuffle = 9
    case reshape = 10
    case pad = 11
    case transposeConv2d = 12
    case resizeNearest = 13
    case softmax = 14
    case lookup = 15
    case transpose = 16
    case mul = 17
    case resizeBilinear = 18
    case sub = 19
    case maximum = 20
    case minimum = 21
    case slice = 22
}

/// Why a model.q8 was rejected: what (a static message) and where (op, tensor or byte index).
/// Example: `op 3: filter size does not match Cout·KH·KW·Cin/groups`.
public struct Q8Error: Error, Equatable {
    public enum Place: Equatable, Sendable {
        case file
        case byte(Int)
        case section(UInt32)
        case tensor(Int)
        case op(Int)
    }

    public var place: Place
    public var message: StaticString
    /// The offending value where one field is at fault (a shift of 45, a kernel of 0), else nil.
    public var value: Int?

    public init(_ place: Place, _ message: StaticString, value: Int? = nil) {
        self.place = place
        self.message = message
        self.value = value
    }

    public static func == (a: Q8Error, b: Q8Error) -> Bool {
        a.place == b.place && a.message.utf8Start == b.message.utf8Start
    }
}

/// model.q8 op 9, `channel_shuffle`: ShuffleNet's channel shuffle (a byte permutation), run by
/// `channel_shuffle_s8`.
///
/// Slots (`Input`): x (any rank; its last axis is the channels). Words (`Word`): groups, which
/// divides the channels. Output: x's shape, apart from x.
/// Example: 12 channels in 3 groups: word 3.
public enum ChannelShuffleOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "channel_shuffle"
    public enum Input {
        public static let x = 0
    }
    public enum Word {
        public static let groups = 0
        public static let count = 1
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(1, 1)
        let x = try v.activation(Input.x), out = v.output
        let groups = v.int(Word.groups)
        guard x.count == out.count, groups >= 1, x.channels % groups == 0, out.channels == x.channels else {
            throw v.fail("channel shuffle groups must divide the channels")
        }
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> CopyCall {
        let x = v.tensor(Input.x)
        return CopyCall(input: UnsafePointer(v.activation(x, in: arena)), output: v.activation(v.output, in: arena),
                        count: x.count, channels: x.channels, parameter: v.int(Word.groups))
    }

    static func run(_ c: CopyCall, _ part: OpPart) {
        guard part.runsWhole else { return }
        channel_shuffle_s8(input: c.input, pixels: c.count / c.channels, channels: c.channels, groups: c.parameter, output: c.output)
    }

    public static let kernelName = KernelName("channel_shuffle_s8", "")
}

/// A prepared byte-copying op of one input: element count, channels and one parameter.
struct CopyCall {
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
    var count: Int
    var channels: Int
    var parameter: Int
}

#if !hasFeature(Embedded)
extension ChannelShuffleOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["groups"]
}

extension Q8OpWriter {
    /// Appends a `channel_shuffle` of `x`'s channels in `groups` groups, into `output`.
    public mutating func channelShuffle(_ x: Int, groups: Int, output: Int, name: String = "") {
        appendRecord(.channelShuffle, inputs: [x], output: output, words: [Int32(groups)], scratch: nil, name: name)
    }
}
#endif

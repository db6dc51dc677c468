/// model.q8 op 3, `fully_connected`: an int8 dense layer with per-channel weights (TFLite's
/// `FullyConnected` per channel), run by `fully_connected_s8` and its twins.
///
/// Slots: as `Conv2DOp.Input` without the packed filter; x any shape, read as `rows` vectors of
/// Cin values (`rows = count / Cin`, TFLite's batch of a `[rows, Cin]` input); the filter
/// `[Cout, Cin]` (rank 2). Words (`Word`): activationMin, activationMax. Output any shape of
/// rows·Cout values, row after row.
///
/// Bounds: Cout·Cin at most 2^30, Cin divides x's count; requantization, zero points and clamp
/// as `Conv2DOp`; the output apart from x.
/// Example: 64 → 10 logits: filter [10, 64], words −128, 127.
public enum FullyConnectedOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "fully_connected"
    public typealias Input = Conv2DOp.Input
    public enum Word {
        public static let activationMin = 0, activationMax = 1
        public static let count = 2
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(4, 5)
        let x = try v.activation(Input.x), out = v.output
        try v.requireClamp(Word.activationMin)
        let filter = try v.required(Input.filter)
        guard filter.rank == 2, x.count % filter.dims.1 == 0, out.count == x.count / filter.dims.1 * filter.dims.0 else {
            throw v.fail("dense filter is not [Cout, Cin] with Cin dividing the input and rows·Cout outputs")
        }
        let cout = filter.dims.0
        _ = try v.constant(Input.filter, .int8, count: try v.product(cout, filter.dims.1))
        try v.requireChannelRequantization(multipliers: Input.multipliers, shifts: Input.shifts, bias: Input.bias, channels: cout)
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> DenseCall {
        let x = v.tensor(Input.x), out = v.output, filter = v.tensor(Input.filter)
        return DenseCall(params: FullyConnectedParams(inputs: filter.dims.1, outputs: filter.dims.0, inputZeroPoint: x.zeroPoint,
                                                      outputZeroPoint: out.zeroPoint, activationMin: v.word(Word.activationMin),
                                                      activationMax: v.word(Word.activationMax)),
                         operands: ChannelOperands(v, arena: arena), rows: x.count / filter.dims.1)
    }

    /// Runs through `kernels`: a one-row layer splits its output channels across the parts, a
    /// batched one runs whole in part 0.
    static func run(_ c: DenseCall, _ kernels: KernelSet, _ part: OpPart) {
        var c = c
        if c.rows == 1 {
            let outputs = part.share(c.params.outputs)
            if outputs.isEmpty { return }
            let first = outputs.lowerBound
            c.params.outputs = outputs.count
            c.operands.filter += first * c.params.inputs
            c.operands.bias = c.operands.bias.map { $0 + first }
            c.operands.requantization = ChannelRequantization(multipliers: c.operands.requantization.multipliers + first,
                                                              shifts: c.operands.requantization.shifts + first)
            c.operands.output += first
        } else if !part.runsWhole {
            return
        }
        let o = c.operands
        for r in 0..<c.rows {
            kernels.fullyConnected.run(c.params, o.input + r * c.params.inputs, o.filter, o.bias, o.requantization,
                                   o.output + r * c.params.outputs)
        }
    }

    /// Multiply-accumulates: Cin per output value.
    static func macs(_ v: OpView) -> Int { v.count(v.output.count, v.tensor(Input.filter).dims.1) }

    public static func kernelName(_ set: KernelSet) -> KernelName {
        KernelName("fully_connected_s8", set.fullyConnected.suffix)
    }
}

/// A prepared dense layer.
struct DenseCall {
    var params: FullyConnectedParams
    var operands: ChannelOperands
    var rows: Int
}

#if !hasFeature(Embedded)
extension FullyConnectedOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = ["activation_min", "activation_max"]
}

extension Q8OpWriter {
    /// Appends a `fully_connected` of `x` (rows of Cin values) with `filter` `[Cout, Cin]`,
    /// per-channel `multipliers`, `shifts` and `bias`, into `output` (rows of Cout values).
    public mutating func fullyConnected(_ x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?,
                                        clamp: (min: Int32, max: Int32) = (-128, 127), output: Int, name: String = "") {
        appendRecord(.fullyConnected, inputs: [x, filter, multipliers, shifts, bias], output: output, words: [clamp.min, clamp.max],
                     scratch: nil, name: name)
    }
}
#endif

/// model.q8 op 3, `fully_connected`: an int8 dense layer with per-channel weights (TFLite's
/// `FullyConnected` per channel), run by `fully_connected_s8` and its twins.
///
/// Slots: as `Conv2DOp.Input` without the packed filter; x any shape (read as `[Cin]`), the filter
/// `[Cout, Cin]`. Words (`Word`): activationMin, activationMax. Output any shape of Cout values.
///
/// Bounds: Cout·Cin at most 2^30; requantization, zero points and clamp as `Conv2DOp`; the
/// output apart from x.
/// Example: 64 → 10 logits: words −128, 127.
public enum FullyConnectedOp {
    public typealias Input = Conv2DOp.Input
    public enum Word {
        public static let activationMin = 0, activationMax = 1
        public static let count = 2
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(4, 5)
        let x = try v.activation(Input.x), out = v.output
        try v.requireClamp(Word.activationMin)
        _ = try v.constant(Input.filter, .int8, count: try v.product(out.count, x.count))
        try v.requireChannelRequantization(multipliers: Input.multipliers, shifts: Input.shifts, bias: Input.bias, channels: out.count)
        try v.requireSeparate(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> DenseCall {
        let x = v.tensor(Input.x), out = v.output
        return DenseCall(params: FullyConnectedParams(inputs: x.count, outputs: out.count, inputZeroPoint: x.zeroPoint,
                                                      outputZeroPoint: out.zeroPoint, activationMin: v.word(Word.activationMin),
                                                      activationMax: v.word(Word.activationMax)),
                         operands: ChannelOperands(v, arena: arena))
    }

    public static func kernelName(_ set: KernelSet) -> KernelName { KernelName("fully_connected_s8", set.suffix) }
}

/// A prepared dense layer.
struct DenseCall {
    var params: FullyConnectedParams
    var operands: ChannelOperands

    @inline(__always)
    func run(_ kernels: KernelSet) {
        let o = operands
        kernels.fullyConnected(params, o.input, o.filter, o.bias, o.requantization, o.output)
    }
}

#if !hasFeature(Embedded)
extension FullyConnectedOp {
    public static func inputs(x: Int, filter: Int, multipliers: Int, shifts: Int, bias: Int?) -> [Int?] {
        [x, filter, multipliers, shifts, bias]
    }
}
#endif

/// Parameters of an int8 fully connected layer: `inputs` values in, `outputs` values out.
public struct FullyConnectedParams {
    public var inputs: Int
    public var outputs: Int
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var activationMin: Int32
    public var activationMax: Int32

    public init(inputs: Int, outputs: Int, inputZeroPoint: Int32, outputZeroPoint: Int32,
                activationMin: Int32, activationMax: Int32) {
        self.inputs = inputs
        self.outputs = outputs
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.activationMin = activationMin
        self.activationMax = activationMax
    }
}

/// Reference int8 fully connected layer with per-channel weights:
/// `acc = bias[o] + Σ_i (input[i] − inputZeroPoint) · filter[o, i]`, then
/// `out[o] = clamp(requantize(acc, o) &+ outputZeroPoint)`.
/// `filter` is `[outputs, inputs]` (OI); `bias` is `[outputs]` or nil.
public func fully_connected_s8(_ p: FullyConnectedParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                               bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                               output: UnsafeMutablePointer<Int8>) {
    for o in 0..<p.outputs {
        var acc: Int32 = bias?[o] ?? 0
        let row = filter + o * p.inputs
        for i in 0..<p.inputs {
            acc &+= (Int32(input[i]) - p.inputZeroPoint) * Int32(row[i])
        }
        output[o] = clampToInt8(requantization.apply(acc, channel: o) &+ p.outputZeroPoint, p.activationMin, p.activationMax)
    }
}

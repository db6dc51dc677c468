/// Parameters of TFLite's int8 MUL: the inputs' and output's zero points, one requantization
/// of `scale1 · scale2 / outputScale` (`QuantizeMultiplier`), and the output clamp.
public struct MulParams {
    public var input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32
    public var outputMultiplier: Int32, outputShift: Int32
    public var activationMin: Int32, activationMax: Int32

    public init(input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32, outputMultiplier: Int32, outputShift: Int32,
                activationMin: Int32, activationMax: Int32) {
        self.input1ZeroPoint = input1ZeroPoint
        self.input2ZeroPoint = input2ZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.outputMultiplier = outputMultiplier
        self.outputShift = outputShift
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// One output value from one value of each input: `(a − zp1)·(b − zp2)` (at most 255² in
    /// magnitude) requantized, plus the output zero point, clamped.
    @inline(__always)
    func mul(_ a: Int8, _ b: Int8) -> Int8 {
        let product = (Int32(a) &- input1ZeroPoint) &* (Int32(b) &- input2ZeroPoint)
        return clampToInt8(multiplyByQuantizedMultiplier(product, outputMultiplier, outputShift) &+ outputZeroPoint,
                           activationMin, activationMax)
    }
}

/// Reference int8 element-wise multiply of `count` values (TFLite's `reference_integer_ops::Mul`).
/// When `input2Count < count`, input 2 is a vector of `input2Count` values repeated along the last
/// axis (a `[1, 1, 1, C]` broadcast, or one value for all when `input2Count` is 1).
/// Example: zero points 0, scales 0.5 · 0.5 / 0.25 = 1: 3 · −4 = −12.
public func mul_s8(_ p: MulParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int, count: Int,
                   output: UnsafeMutablePointer<Int8>) {
    if input2Count == count {
        for i in 0..<count { output[i] = p.mul(input1[i], input2[i]) }
    } else {
        for i in 0..<count { output[i] = p.mul(input1[i], input2[i % input2Count]) }
    }
}

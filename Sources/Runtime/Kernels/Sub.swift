extension AddParams {
    /// One output of TFLite's int8 SUB from one value of each input: both brought to the common
    /// scale exactly as `add` does, then the second's scaled value subtracted (not a negated
    /// multiplier: the doubling high multiply rounds ties toward +∞, so −m·x ≠ −(m·x) there).
    @inline(__always)
    public func subtract(_ a: Int8, _ b: Int8) -> Int8 {
        let x1 = (Int32(a) - input1ZeroPoint) << AddParams.leftShift
        let x2 = (Int32(b) - input2ZeroPoint) << AddParams.leftShift
        let difference = multiplyByQuantizedMultiplier(x1, input1Multiplier, input1Shift)
            &- multiplyByQuantizedMultiplier(x2, input2Multiplier, input2Shift)
        return clampToInt8(multiplyByQuantizedMultiplier(difference, outputMultiplier, outputShift) &+ outputZeroPoint,
                           activationMin, activationMax)
    }
}

/// Reference int8 element-wise `input1 − input2` of `count` values (TFLite's `SubElementwise` and
/// `BroadcastSubSlow` for a channel vector or one value): when `input2Count < count`, input 2 is
/// repeated along the last axis.
/// Example: equal scales 0.1 and zero points 0, output scale 0.1: 5 − 7 → −2.
public func sub_s8(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                   count: Int, output: UnsafeMutablePointer<Int8>) {
    for i in 0..<count { output[i] = p.subtract(input1[i], input2[i % input2Count]) }
}

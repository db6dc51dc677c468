/// Parameters of TFLite's int8 ADD. Both inputs are brought to a common scale with 20 bits of
/// headroom: `input_i_multiplier/shift` encode `scale_i / (2 · max(scale1, scale2))`, and
/// `outputMultiplier/Shift` encode `2 · max(scale1, scale2) / (2^20 · outputScale)` (all shifts ≤ 0).
public struct AddParams {
    public var input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32
    public var input1Multiplier: Int32, input1Shift: Int32
    public var input2Multiplier: Int32, input2Shift: Int32
    public var outputMultiplier: Int32, outputShift: Int32
    public var activationMin: Int32, activationMax: Int32
    public static let leftShift: Int32 = 20

    public init(input1ZeroPoint: Int32, input2ZeroPoint: Int32, outputZeroPoint: Int32,
                input1Multiplier: Int32, input1Shift: Int32, input2Multiplier: Int32, input2Shift: Int32,
                outputMultiplier: Int32, outputShift: Int32, activationMin: Int32, activationMax: Int32) {
        self.input1ZeroPoint = input1ZeroPoint
        self.input2ZeroPoint = input2ZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.input1Multiplier = input1Multiplier
        self.input1Shift = input1Shift
        self.input2Multiplier = input2Multiplier
        self.input2Shift = input2Shift
        self.outputMultiplier = outputMultiplier
        self.outputShift = outputShift
        self.activationMin = activationMin
        self.activationMax = activationMax
    }

    /// One output value from one value of each input.
    @inline(__always)
    func add(_ a: Int8, _ b: Int8) -> Int8 {
        let x1 = (Int32(a) - input1ZeroPoint) << AddParams.leftShift
        let x2 = (Int32(b) - input2ZeroPoint) << AddParams.leftShift
        let sum = multiplyByQuantizedMultiplier(x1, input1Multiplier, input1Shift)
            &+ multiplyByQuantizedMultiplier(x2, input2Multiplier, input2Shift)
        return clampToInt8(multiplyByQuantizedMultiplier(sum, outputMultiplier, outputShift) &+ outputZeroPoint,
                           activationMin, activationMax)
    }
}

/// Reference int8 element-wise add of `count` values. When `input2Count < count`, input 2 is a
/// vector of `input2Count` values repeated along the last axis (a `[1, 1, 1, C]` broadcast).
public func add_s8(_ p: AddParams, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                   count: Int, output: UnsafeMutablePointer<Int8>) {
    for i in 0..<count { output[i] = p.add(input1[i], input2[i % input2Count]) }
}

/// The walk of a SIMD binary element-wise kernel (add, mul) over values `i ..< count`, its second
/// operand holding `input2Count` values (all of them, or a vector repeated along the last axis),
/// starting at value `i` and second-operand value `j` (`i mod input2Count`, kept without
/// dividing): `block(i, j)` for each run of `width` values that fits before the second operand
/// repeats, `rest(i, j, n)` for the `n` values between (where it wraps, and the last ones), which
/// the kernels hand to the reference.
/// Example: 20 values, a 12-value vector, width 8: block(0, 0), rest(8, 8, 4), block(12, 0),
/// rest(20 is the end: none).
@inline(__always)
public func forEachBinaryBlock(count: Int, input2Count: Int, width: Int, i start: Int = 0, j start2: Int = 0,
                               _ block: (_ i: Int, _ j: Int) -> Void, rest: (_ i: Int, _ j: Int, _ n: Int) -> Void) {
    var i = start, j = start2
    while i < count {
        if i + width <= count && j + width <= input2Count {
            block(i, j)
            i += width
            j += width
        } else {
            let n = min(count - i, input2Count - j)
            rest(i, j, n)
            i += n
            j += n
        }
        if j == input2Count { j = 0 }
    }
}

/// Reference int8 element-wise maximum (or minimum) of `count` values, on the raw bytes as
/// TensorFlow Lite Micro compares them (`MaximumMinimumBroadcastSlow`: no requantization; the
/// converter gives both inputs and the output one quantization). When `input2Count < count`,
/// input 2 is repeated along the last axis (a channel vector, or one value for all).
/// Example: maximum of [−3, 5] and [1] is [1, 5]; minimum is [−3, 1].
public func maximum_minimum_s8(maximum: Bool, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>, input2Count: Int,
                               count: Int, output: UnsafeMutablePointer<Int8>) {
    for i in 0..<count {
        let a = input1[i], b = input2[i % input2Count]
        output[i] = maximum ? max(a, b) : min(a, b)
    }
}

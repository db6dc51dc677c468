/// Element-wise function through a 256-entry table: `output[i] = table[input[i] + 128]`.
/// The converter fills the table from the float function (sigmoid, tanh, hard-swish, leaky ReLU…)
/// and the input and output quantization.
public func lut_s8(input: UnsafePointer<Int8>, count: Int, table: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>) {
    for i in 0..<count { output[i] = table[Int(input[i]) + 128] }
}

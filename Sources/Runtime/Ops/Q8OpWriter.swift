#if !hasFeature(Embedded)
/// What an op's typed emitter writes into: the host-side model.q8 builder (`Q8Program`, module
/// Q8Build). Each op file extends it with its own emitter (`pad(_:top:left:fill:output:)`,
/// `conv2d(_:filter:…)`), which alone knows the op's slots, words and scratch; nothing else
/// writes an op record.
///
/// Example: `program.pad(x, top: 1, left: 1, fill: -128, output: y)` appends op 11 with inputs
/// `[x]` and words `[1, 1, -128]`.
public protocol Q8OpWriter {
    /// The shape of tensor `t` (outermost first).
    func shape(of t: Int) -> [Int]
    /// A new int8 constant of `shape`.
    mutating func constant(_ values: [Int8], shape: [Int]) -> Int
    /// A new int32 constant of `shape`.
    mutating func constant(_ values: [Int32], shape: [Int]) -> Int
    /// A new arena tensor of `bytes` int8 bytes, live only during the op that takes it as scratch.
    mutating func scratchBytes(_ bytes: Int) -> Int
    /// A new arena tensor of `count` int32 values, live only during the op that takes it as scratch.
    mutating func scratch(_ count: Int) -> Int
    /// Appends one op record: `inputs` in the op's slot order (nil: an absent optional input),
    /// `words` in its word order. Only the op files' emitters call it.
    mutating func appendRecord(_ code: Q8OpCode, inputs: [Int?], output: Int, words: [Int32], scratch: Int?, name: String)
}
#endif

/// model.q8 op 15, `lookup`: any int8 → int8 function through a 256-entry table (sigmoid, tanh,
/// hard-swish, leaky ReLU, a requantization), run by `lut_s8`.
///
/// Slots (`Input`): x; table int8 `[256]` (`table[x + 128]`). No words. Output: x's element
/// count, in place or apart from x.
/// Example: ReLU at zero point −128: table[i] = max(i − 128, −128).
public enum LookupOp {
    /// The op's name in `inspect`, `bench` and docs/formats.md.
    public static let name: StaticString = "lookup"
    public enum Input {
        public static let x = 0, table = 1
    }
    public enum Word {
        public static let count = 0
    }

    static func validate(_ v: OpView) throws(Q8Error) {
        try v.requireInputCount(2, 2)
        let x = try v.activation(Input.x)
        guard x.count == v.output.count else { throw v.fail("lookup output must match its input") }
        _ = try v.constant(Input.table, .int8, count: 256)
        try v.requireInPlaceRule(x)
    }

    static func prepare(_ v: OpView, arena: UnsafeMutableRawPointer) -> LookupCall {
        let x = v.tensor(Input.x)
        return LookupCall(input: UnsafePointer(v.activation(x, in: arena)), count: x.count, table: v.int8Constant(Input.table),
                          output: v.activation(v.output, in: arena))
    }

    /// The output may be written over x (same offset and size).
    public static let inPlace = Q8InPlace.overwrites

    /// Runs `part`'s share of the elements.
    static func run(_ c: LookupCall, _ kernels: KernelSet, _ part: OpPart) {
        let range = part.share(c.count)
        kernels.lookup.run(c.input + range.lowerBound, range.count, c.table, c.output + range.lowerBound)
    }

    /// The kernel `set` runs for this op.
    public static func kernelName(_ set: KernelSet) -> KernelName { KernelName("lut_s8", set.lookup.suffix) }
}

/// A prepared lookup.
struct LookupCall {
    var input: UnsafePointer<Int8>
    var count: Int
    var table: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
}

#if !hasFeature(Embedded)
extension LookupOp {
    /// The names of the op's words, in order, as `inspect` prints them.
    public static let wordNames: [String] = []
}

extension Q8OpWriter {
    /// Appends a `lookup` of `x` through `table` (256 entries, indexed by `x + 128`), into `output`.
    public mutating func lookup(_ x: Int, table: [Int8], output: Int, name: String = "") {
        appendRecord(.lookup, inputs: [x, constant(table, shape: [256])], output: output, words: [], scratch: nil, name: name)
    }
}
#endif

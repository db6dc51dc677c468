import Kernels
import Q8Build
import Runtime
import Testing

/// Convolutions and depthwise convolutions planned over their dying input (`Q8InPlace.rowByRow`:
/// the output starts `Conv2DOp.rowByRowGap` bytes below or above the input and overlaps it): on every
/// kernel set this CPU has, the bytes are those of the same program with a region per tensor,
/// over random shapes (strides 1 and 2, padding, 1×1 to 5×5 kernels, dilation, groups, packed
/// filters, channels shrinking and growing). A gap one alignment step short fails, either way
/// (checked by planting it in `rowByRowGap` once per order).
struct RowByRowInPlaceTests {
    static var kernelSets: [KernelSet] { KernelSet.names.compactMap { KernelSet.named($0) } }

    /// A lookup (so the convolution's input is no model input and dies at the convolution), the
    /// convolution, and a lookup after it; the program, its convolution's input and output tensors.
    static func program(seed: UInt64) -> (Q8Program, x: Int, y: Int, depthwise: Bool) {
        var r = AVX2DifferentialTests.Random(state: seed)
        func q(_ scale: Float, _ zp: Int) -> AffineQuantization { AffineQuantization(scale: scale, zeroPoint: zp) }
        let depthwise = r.int(0...1) == 1
        let k = [1, 1, 3, 3, 5][r.int(0...4)], stride = r.int(1...2), dilation = k > 1 ? r.int(1...2) : 1
        let cin = [1, 3, 4, 8, 16, 24, 32][r.int(0...6)], h = r.int(2...12), w = r.int(2...12)
        let groups = depthwise ? cin : (cin % 2 == 0 && r.int(0...3) == 0 ? 2 : 1)
        let cout = depthwise ? cin * [1, 1, 2][r.int(0...2)] : groups * r.int(1...24)
        let pad = r.int(0...((k - 1) * dilation / 2))
        let span = (k - 1) * dilation + 1
        let oh = max(1, (h + 2 * pad - span) / stride + 1), ow = max(1, (w + 2 * pad - span) / stride + 1)
        var prog = Q8Program()
        let input = prog.activation([h, w, cin], q(0.05, -3))
        prog.inputs = [input]
        let x = prog.activation([h, w, cin], q(0.04, 5))
        prog.lookup(input, table: (0..<256).map { Int8(truncatingIfNeeded: ($0 * 37) &+ 11) }, output: x)
        let y = prog.activation([oh, ow, cout], q(0.08, -10))
        let window = ConvWindow(stride: (stride, stride), dilation: (dilation, dilation), padTop: pad, padLeft: pad)
        emitConvolution(&prog, x, y, cin: cin, cout: cout, k: k, groups: groups, depthwise: depthwise, window: window, &r)
        let z = prog.activation([oh, ow, cout], q(0.08, -10))
        prog.lookup(y, table: (0..<256).map { Int8(truncatingIfNeeded: $0 - 128) }, output: z)
        prog.outputs = [z]
        return (prog, x, y, depthwise)
    }

    /// Emits a `k`×`k` convolution (a packed filter one time in two) or depthwise convolution of
    /// `x` (`cin` channels) into `y` (`cout`), with random shifts, biases and filter.
    static func emitConvolution(_ prog: inout Q8Program, _ x: Int, _ y: Int, cin: Int, cout: Int, k: Int, groups: Int, depthwise: Bool,
                                window: ConvWindow, _ r: inout AVX2DifferentialTests.Random) {
        let m = prog.constant([Int32](repeating: 1 << 30, count: cout), shape: [cout])
        let s = prog.constant((0..<cout).map { _ in Int32(r.int(-9 ... -5)) }, shape: [cout])
        let b = prog.constant((0..<cout).map { _ in Int32(r.int(-3000...3000)) }, shape: [cout])
        if depthwise {
            let f = prog.constant(r.int8s(k * k * cout, -127, 127), shape: [k, k, cout])
            prog.depthwiseConv2d(x, filter: f, multipliers: m, shifts: s, bias: b, window: window, output: y)
        } else {
            let f = prog.constant(r.int8s(cout * k * k * (cin / groups), -127, 127), shape: [cout, k, k, cin / groups])
            let packed = r.int(0...1) == 1 ? prog.packedCopy(ofConvFilter: f, groups: groups) : nil
            prog.conv2d(x, filter: f, multipliers: m, shifts: s, bias: b, packedFilter: packed, window: window, groups: groups, output: y)
        }
    }

    static func run(_ bytes: [UInt8], _ input: [Int8], _ kernels: KernelSet) throws -> (output: [Int8], x: Int, y: Int) {
        try withAlignedBytes(bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            arena.initializeMemory(as: UInt8.self, repeating: 0x5A)
            let interpreter = try Interpreter(model: model, arena: arena, kernels: kernels)
            _ = interpreter.input(0).update(fromContentsOf: input)
            interpreter.invoke()
            let conv = model.op(1)
            return (Array(interpreter.output(0)), model.tensor(model.input(0, of: conv)!).offset, model.tensor(conv.output).offset)
        }
    }

    @Test func sameBytesAsSeparateBuffersOnEverySet() throws {
        var below = 0, above = 0, severalRows = 0
        for seed in UInt64(1)...300 {
            let (prog, _, _, _) = Self.program(seed: seed)
            var r = AVX2DifferentialTests.Random(state: seed &* 7)
            let input = r.int8s(prog.tensors[prog.inputs[0]].count, -128, 127)
            let planned = prog.encode().bytes, separate = prog.encode(shareArena: false).bytes
            let want = try Self.run(separate, input, .reference).output
            for set in Self.kernelSets {
                let got = try Self.run(planned, input, set)
                #expect(got.output == want, "seed \(seed), \(set.name): \(zip(got.output, want).filter { $0 != $1 }.count) bytes differ")
                let (x, y) = (got.x, got.y), xBytes = prog.tensors[prog.ops[1].inputs[0]!].byteSize, yBytes = prog.tensors[prog.ops[1].output].byteSize
                if set.name.utf8Start == KernelSet.reference.name.utf8Start, x < y + yBytes, y < x + xBytes {
                    if y <= x { below += 1 } else { above += 1 }
                    // Whether the planned distance lets the op run two or more rows a call (`Conv2DOp.rowsAtOnce`).
                    let (op, xs, ys) = (prog.ops[1], prog.tensors[prog.ops[1].inputs[0]!].shape, prog.tensors[prog.ops[1].output].shape)
                    let gap = Conv2DOp.rowByRowGap(y <= x ? .firstToLast : .lastToFirst, rows: 2,
                                                   input: ImageShape(height: xs[0], width: xs[1], channels: xs[2]),
                                                   output: ImageShape(height: ys[0], width: ys[1], channels: ys[2]),
                                                   kernelH: Int(op.parameters[Conv2DOp.Word.kernelH]), strideH: Int(op.parameters[Conv2DOp.Word.strideH]),
                                                   dilationH: Int(op.parameters[Conv2DOp.Word.dilationH]), padTop: Int(op.parameters[Conv2DOp.Word.padTop]))
                    if ys[0] > 1, abs(x - y) >= gap { severalRows += 1 }
                }
            }
        }
        // Many cases really overlap, both ways (the others keep the output apart: overlapping would not lower their peak).
        #expect(below >= 30 && above >= 30, "of 300 programs, \(below) write the output from below the input, \(above) from above")
        // And some of them several rows per kernel call (where the widened plan keeps the peak).
        #expect(severalRows >= 20, "only \(severalRows) in-place programs run two or more rows a call")
    }
}

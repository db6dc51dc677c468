import Kernels
import Q8Build
@testable import Runtime
import Testing

/// Row streams (`RowStream`): a convolution or depthwise convolution whose output the next one
/// reads, held as the rows the consumer's window reads and computed as the consumer pulls them.
/// Over random pairs (1×1 expansions, 3×3 and 5×5 windows, strides 1 and 2, dilation, padding,
/// packed filters, depthwise multipliers; one to four output rows a step) the planned program
/// gives, on every kernel set this CPU has, the bytes of the same program with a region per
/// tensor; many of them really stream (the planner, told to take any saving, makes a stream
/// only where it lowers the peak). A consumer padding shifted by one
/// row in `RowStream.pull` fails (checked once by planting it).
struct RowStreamTests {
    /// lookup → producer → consumer → lookup, the producer's output wide enough that streaming pays.
    static func program(seed: UInt64) -> Q8Program {
        var r = AVX2DifferentialTests.Random(state: seed)
        func q(_ scale: Float, _ zp: Int) -> AffineQuantization { AffineQuantization(scale: scale, zeroPoint: zp) }
        var prog = Q8Program()
        (prog.streamStep, prog.streamSaving) = (r.int(1...4), 0)
        let cin = [1, 3, 4, 8, 16][r.int(0...4)], h = r.int(8...20), w = r.int(2...12)
        let input = prog.activation([h, w, cin], q(0.05, -3))
        prog.inputs = [input]
        let x = prog.activation([h, w, cin], q(0.04, 5))
        prog.lookup(input, table: (0..<256).map { Int8(truncatingIfNeeded: ($0 * 37) &+ 11) }, output: x)
        /// A random convolution or depthwise convolution of `x` (`[h, w, c]`) into `cout` channels (a
        /// depthwise one: c or 2c), returning the output and its shape.
        func windowed(_ x: Int, _ shape: [Int], cout: Int, depthwise: Bool, pointwise: Bool) -> (Int, [Int]) {
            let (h, w, c) = (shape[0], shape[1], shape[2])
            let k = pointwise ? 1 : [3, 3, 5][r.int(0...2)], stride = r.int(1...2), dilation = k > 1 ? r.int(1...2) : 1
            let pad = r.int(0...((k - 1) * dilation / 2)), span = (k - 1) * dilation + 1
            let oh = max(1, (h + 2 * pad - span) / stride + 1), ow = max(1, (w + 2 * pad - span) / stride + 1)
            let outC = depthwise ? c * [1, 1, 2][r.int(0...2)] : cout
            let y = prog.activation([oh, ow, outC], q(0.06, r.int(-20...20)))
            let window = ConvWindow(stride: (stride, stride), dilation: (dilation, dilation), padTop: pad, padLeft: pad)
            RowByRowInPlaceTests.emitConvolution(&prog, x, y, cin: c, cout: outC, k: k, groups: depthwise ? c : 1, depthwise: depthwise,
                                                 window: window, &r)
            return (y, [oh, ow, outC])
        }
        let producerDepthwise = r.int(0...3) == 0
        let (t, tShape) = windowed(x, [h, w, cin], cout: cin * r.int(4...8), depthwise: producerDepthwise, pointwise: r.int(0...1) == 0)
        let (y, yShape) = windowed(t, tShape, cout: r.int(1...4), depthwise: r.int(0...1) == 0, pointwise: false)
        let z = prog.activation(yShape, q(0.08, -10))
        prog.lookup(y, table: (0..<256).map { Int8(truncatingIfNeeded: $0 - 128) }, output: z)
        prog.outputs = [z]
        return prog
    }

    @Test func sameBytesAsSeparateBuffersOnEverySet() throws {
        var streamed = 0
        for seed in UInt64(1)...300 {
            let prog = Self.program(seed: seed)
            var r = AVX2DifferentialTests.Random(state: seed &* 11)
            let input = r.int8s(prog.tensors[prog.inputs[0]].count, -128, 127)
            let planned = prog.encode().bytes, separate = prog.encode(shareArena: false).bytes
            let want = try RowByRowInPlaceTests.run(separate, input, .reference).output
            for set in RowByRowInPlaceTests.kernelSets {
                let got = try RowByRowInPlaceTests.run(planned, input, set).output
                #expect(got == want, "seed \(seed), \(set.name): \(zip(got, want).filter { $0 != $1 }.count) bytes differ")
            }
            let stream = try withAlignedBytes(planned) { try Q8Model(bytes: $0).tensor(prog.ops[1].output).layout }
            if stream == Q8WeightLayout.rowStream.rawValue { streamed += 1 }
        }
        #expect(streamed >= 50, "only \(streamed) of 300 programs stream the producer's output")
    }

    /// A stream read by any op but the one right after its producer, or holding fewer rows than
    /// the consumer's window, is refused by name.
    @Test func misplacedStreamsAreRefused() throws {
        var prog = Q8Program()
        (prog.streamStep, prog.streamSaving) = (1, 0)
        let q = AffineQuantization(scale: 0.05, zeroPoint: 0)
        let x = prog.activation([16, 8, 4], q)
        prog.inputs = [x]
        let t = prog.activation([16, 8, 16], q), y = prog.activation([8, 4, 16], q)
        func constants(_ n: Int) -> (Int, Int, Int) {
            (prog.constant([Int32](repeating: 1 << 30, count: n), shape: [n]), prog.constant([Int32](repeating: -7, count: n), shape: [n]),
             prog.constant([Int32](repeating: 0, count: n), shape: [n]))
        }
        let (m1, s1, b1) = constants(16)
        prog.conv2d(x, filter: prog.constant([Int8](repeating: 3, count: 64), shape: [16, 1, 1, 4]), multipliers: m1, shifts: s1, bias: b1,
                    packedFilter: nil, window: ConvWindow(), groups: 1, output: t)
        let (m2, s2, b2) = constants(16)
        prog.depthwiseConv2d(t, filter: prog.constant([Int8](repeating: 2, count: 144), shape: [3, 3, 16]), multipliers: m2, shifts: s2,
                             bias: b2, window: ConvWindow(stride: (2, 2), padTop: 0, padLeft: 0), output: y)
        prog.outputs = [y]
        let bytes = prog.encode().bytes
        let entry = try withAlignedBytes(bytes) { buffer -> Int in
            let model = try Q8Model(bytes: buffer)
            #expect(model.tensor(t).layout == Q8WeightLayout.rowStream.rawValue && model.tensor(t).byteSize == 3 * 8 * 16)
            return model.sections.tensors + 4 + t * Q8Format.tensorEntrySize
        }
        /// The error `Q8Model` gives `bytes` with `edit` applied and the checksum sealed again.
        func refusal(_ edit: (inout [UInt8]) -> Void) -> String? {
            var b = bytes
            edit(&b)
            Q8Program.sealChecksum(&b)
            do { _ = try withAlignedBytes(b) { try Q8Model(bytes: $0) } } catch { return "\(error)" }
            return nil
        }
        // Two rows where the 3×3 window reads three (byte size at the entry's byte 24).
        let short = refusal { b in withUnsafeBytes(of: UInt32(2 * 8 * 16).littleEndian) { b.replaceSubrange((entry + 24)..<(entry + 28), with: $0) } }
        #expect(short?.contains("row stream holds fewer rows than the consumer's window") == true, "\(short ?? "accepted")")
        // The model input marked as a stream: refused as a model input, and as the producer's input.
        let inputEntry = entry - (t - x) * Q8Format.tensorEntrySize
        let input = refusal { $0[inputEntry + 3] = Q8WeightLayout.rowStream.rawValue }
        #expect(input?.contains("row stream") == true, "\(input ?? "accepted")")
        // The consumer's output marked as a stream (a chain, and a model output).
        let outputEntry = entry + (y - t) * Q8Format.tensorEntrySize
        let chained = refusal { $0[outputEntry + 3] = Q8WeightLayout.rowStream.rawValue }
        #expect(chained?.contains("row stream") == true, "\(chained ?? "accepted")")
        // The stream no longer marked: its byte size no longer matches its shape.
        let unmarked = refusal { $0[entry + 3] = Q8WeightLayout.plain.rawValue }
        #expect(unmarked?.contains("byte size does not match") == true, "\(unmarked ?? "accepted")")
    }
}

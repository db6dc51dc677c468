import Foundation
import Q8Build
import TestSupport
@testable import Runtime

extension GoldenCase {
    /// The case as a one-op model.q8 program, with every parameter derived as in `run()`.
    func program() throws -> Q8Program {
        var prog = Q8Program()
        let out = try output()
        let x = try input(0)
        let clamp = try activation().range(scale: out.quantization.scale, zeroPoint: Int32(out.quantization.zeroPoint))
        func shape(_ t: Tensor) -> [Int] { Array(t.shape.dropFirst()) }
        let xi = prog.activation(shape(x), x.quantization)
        prog.inputs = [xi]
        let yi = prog.activation(shape(out), out.quantization)
        prog.outputs = [yi]
        let (top, left) = padding()
        func requantized(_ filterShape: [Int]) throws -> (filter: Int, multipliers: Int, shifts: Int, bias: Int?) {
            let f = try filterAndRequantization(input: x, output: out)
            let filter = prog.constant(f.data, shape: filterShape)
            let m = prog.constant(f.multipliers, shape: [f.multipliers.count])
            let s = prog.constant(f.shifts, shape: [f.shifts.count])
            let b = try bias().map { prog.constant($0, shape: [$0.count]) }
            return (filter, m, s, b)
        }
        let a = attributes
        func int(_ key: String) throws -> Int { try Self.field(a, key) as Int }
        /// The case's strides, dilations (1 where it has none) and padding before.
        func window() throws -> ConvWindow {
            let dilation = a["dilation_h_factor"] == nil ? (1, 1) : (try int("dilation_h_factor"), try int("dilation_w_factor"))
            return ConvWindow(stride: (try int("stride_h"), try int("stride_w")), dilation: dilation, padTop: top, padLeft: left)
        }
        switch op {
        case "conv2d":
            let f = try filterAndRequantization(input: x, output: out)
            let k = try requantized(f.shape)
            prog.conv2d(xi, filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias, window: try window(),
                        groups: x.image.channels / f.shape[3], clamp: clamp, output: yi)
        case "depthwise_conv2d":
            let f = try filterAndRequantization(input: x, output: out)
            let k = try requantized(Array(f.shape.dropFirst()))
            prog.depthwiseConv2d(xi, filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias, window: try window(),
                                 clamp: clamp, output: yi)
        case "transpose_conv2d":
            let f = try filterAndRequantization(input: x, output: out)
            let k = try requantized(f.shape)
            prog.transposeConv2d(xi, filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias,
                                 stride: (try int("stride_h"), try int("stride_w")), padTop: top, padLeft: left, clamp: clamp, output: yi)
        case "fully_connected":
            let f = try filterAndRequantization(input: x, output: out)
            let k = try requantized(f.shape)
            prog.fullyConnected(xi, filter: k.filter, multipliers: k.multipliers, shifts: k.shifts, bias: k.bias, clamp: clamp, output: yi)
        case "average_pool2d", "max_pool2d":
            prog.pool2d(xi, average: op == "average_pool2d", kernel: (try int("filter_height"), try int("filter_width")),
                        window: try window(), clamp: clamp, output: yi)
        case "mean":
            let p = meanParams(input: x.image, inputQuantization: x.quantization, outputQuantization: out.quantization)
            prog.tensors[yi].shape = [x.image.channels]
            prog.mean(xi, p, output: yi)
        case "add":
            let y = try input(1)
            let bi = prog.activation(y.data.count == x.data.count ? shape(y) : [y.data.count], y.quantization)
            prog.inputs.append(bi)
            let p = addParams(input1: x.quantization, input2: y.quantization, output: out.quantization, activation: try activation())
            prog.add(xi, bi, p, output: yi)
        case "concatenation":
            let inputs: [[String: Any]] = try field("inputs")
            var ids = [xi]
            for extra in inputs.dropFirst() {
                let t = try tensor(extra)
                ids.append(prog.activation(shape(t), t.quantization))
            }
            prog.inputs = ids
            prog.concatenation(ids, output: yi)
        case "softmax":
            let beta: Double = try Self.field(a, "beta")
            let depth = x.shape.last!
            let p = softmaxParams(beta: Float(beta), inputScale: x.quantization.scale, rows: x.data.count / depth, depth: depth)
            prog.softmax(xi, p, output: yi)
        case "pad":
            let paddings: [[Int]] = try Self.field(a, "paddings")
            prog.pad(xi, top: paddings[1][0], left: paddings[2][0], fill: Int8(out.quantization.zeroPoint), output: yi)
        case "resize_nearest":
            let align: Bool = try Self.field(a, "align_corners"), half: Bool = try Self.field(a, "half_pixel_centers")
            let rows = nearestSourceIndices(input: x.image.height, output: out.image.height, alignCorners: align, halfPixelCenters: half)
            let cols = nearestSourceIndices(input: x.image.width, output: out.image.width, alignCorners: align, halfPixelCenters: half)
            prog.resizeNearest(xi, rows: rows, cols: cols, output: yi)
        case "logistic", "tanh", "hard_swish", "leaky_relu":
            prog.lookup(xi, table: try lookupTable(), output: yi)
        default:
            throw GoldenError(description: "op '\(op)' has no model.q8 operator")
        }
        return prog
    }

    /// The table `run()` uses for the element-wise functions.
    func lookupTable() throws -> [Int8] {
        let x = try input(0), out = try output()
        let f: (Double) -> Double
        switch op {
        case "logistic": f = { 1 / (1 + exp(-$0)) }
        case "tanh": f = { Foundation.tanh($0) }
        case "hard_swish": f = { $0 * min(max($0 + 3, 0), 6) / 6 }
        default:
            let alpha = Double(Float(try Self.field(attributes, "alpha") as Double))
            f = { $0 >= 0 ? $0 : alpha * $0 }
        }
        return Q8Build.lookupTable(input: x.quantization, output: out.quantization, f)
    }

    /// Encodes the program, loads it with `Q8Model`, runs it with `Interpreter` on the case's
    /// inputs and returns the output bytes.
    func runThroughInterpreter() throws -> [Int8] {
        let prog = try program()
        let (bytes, _) = prog.encode()
        let inputs: [[String: Any]] = try field("inputs")
        return try withAlignedBytes(bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            let interpreter = try Interpreter(model: model, arena: arena)
            for (k, object) in inputs.enumerated() {
                let data = try tensor(object).data
                let view = interpreter.input(k)
                guard view.count == data.count else { throw GoldenError(description: "input \(k) size differs") }
                _ = view.update(fromContentsOf: data)
            }
            interpreter.invoke()
            return Array(interpreter.output(0))
        }
    }
}

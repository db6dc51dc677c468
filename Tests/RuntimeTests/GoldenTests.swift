import Foundation
import Q8Build
import Testing
@testable import Runtime

/// Every case in ../shared/golden (or $MINNOW_GOLDEN_DIR): int8 single-op cases whose outputs
/// TensorFlow Lite Micro's reference kernels computed. Each case's kernel parameters are derived
/// from its scales and zero points exactly as the converter derives them; the derived
/// requantization must equal the case's own, and the output bytes must match (within the case's
/// tolerance: 1 for the lookup-table functions, 0 for everything else), both from the kernel
/// called directly and from a one-op model.q8 written, validated and run by the `Interpreter`.
@Suite struct GoldenTests {
    static var directory: String {
        if let dir = ProcessInfo.processInfo.environment["MINNOW_GOLDEN_DIR"] { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/golden").path
    }

    static func caseFiles() -> [String] {
        let fm = FileManager.default
        let ops = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return ops.flatMap { op in
            ((try? fm.contentsOfDirectory(atPath: "\(directory)/\(op)")) ?? []).filter { $0.hasSuffix(".json") }.sorted()
                .map { "\(directory)/\(op)/\($0)" }
        }
    }

    @Test func everyGoldenCase() throws {
        let files = Self.caseFiles()
        #expect(files.count >= 86, "expected the 86 golden cases in \(Self.directory), found \(files.count)")
        var passed = 0
        for file in files {
            let name = file.split(separator: "/").suffix(2).joined(separator: "/")
            do {
                let golden = try GoldenCase(path: file)
                let expected = golden.expectedOutput
                var ok = true
                for (path, output) in [("kernel", try golden.run()), ("interpreter", try golden.runThroughInterpreter())] {
                    let worst = zip(output, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
                    let wrong = zip(output, expected).filter { abs(Int($0) - Int($1)) > golden.tolerance }.count
                    #expect(output.count == expected.count && wrong == 0,
                            "\(name) (\(path)): \(wrong) of \(expected.count) outputs differ (worst by \(worst), tolerance \(golden.tolerance))")
                    ok = ok && output.count == expected.count && wrong == 0
                }
                if ok { passed += 1 }
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
        print("golden: \(passed) cases passed")
        #expect(passed == files.count)
    }
}

struct GoldenError: Error, CustomStringConvertible {
    var description: String
}

/// One golden JSON case, read with its schema checked as it is used.
struct GoldenCase {
    let json: [String: Any]
    let op: String

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw GoldenError(description: "not a JSON object")
        }
        json = object
        op = try Self.field(object, "op")
    }

    static func field<T>(_ object: [String: Any]?, _ key: String) throws -> T {
        guard let value = object?[key] as? T else { throw GoldenError(description: "missing or mistyped field '\(key)'") }
        return value
    }

    func field<T>(_ key: String) throws -> T { try Self.field(json, key) }
    func object(_ key: String) throws -> [String: Any] { try field(key) }

    var tolerance: Int { (json["tolerance"] as? Int) ?? 0 }
    var expectedOutput: [Int8] { ((json["output"] as? [String: Any])?["data"] as? [Int] ?? []).map { Int8($0) } }

    struct Tensor {
        var shape: [Int]
        var quantization: AffineQuantization
        var data: [Int8]

        var image: ImageShape {
            ImageShape(height: shape.count == 4 ? shape[1] : 1, width: shape.count == 4 ? shape[2] : 1, channels: shape.last!)
        }
    }

    func tensor(_ object: [String: Any]) throws -> Tensor {
        let scale: Double = try Self.field(object, "scale")
        let zeroPoint: Int = try Self.field(object, "zero_point")
        let data: [Int] = try Self.field(object, "data")
        return Tensor(shape: try Self.field(object, "shape"), quantization: AffineQuantization(scale: Float(scale), zeroPoint: zeroPoint),
                      data: data.map { Int8($0) })
    }

    func input(_ i: Int) throws -> Tensor {
        let inputs: [[String: Any]] = try field("inputs")
        guard i < inputs.count else { throw GoldenError(description: "has no input \(i)") }
        return try tensor(inputs[i])
    }

    func output() throws -> Tensor {
        var out = try object("output")
        out["data"] = out["data"] ?? []
        return try tensor(out)
    }

    var attributes: [String: Any] { (json["attributes"] as? [String: Any]) ?? [:] }

    func activation() throws -> FusedActivation {
        let name = (attributes["fused_activation_function"] as? String) ?? "NONE"
        guard let a = FusedActivation(rawValue: name) else { throw GoldenError(description: "unknown activation \(name)") }
        return a
    }

    func padding() -> (top: Int, left: Int) {
        let p = json["explicit_padding"] as? [String: Int]
        return (p?["top"] ?? 0, p?["left"] ?? 0)
    }

    /// The filter's int8 data and shape, and the requantization derived from the scales, checked
    /// against the case's stored `requantization`.
    func filterAndRequantization(input: Tensor, output: Tensor) throws -> (data: [Int8], shape: [Int], multipliers: [Int32], shifts: [Int32]) {
        let filter = try object("filter")
        let scales: [Double] = try Self.field(filter, "scales")
        let (multipliers, shifts) = channelMultipliers(inputScale: input.quantization.scale, weightScales: scales.map { Float($0) },
                                                       outputScale: output.quantization.scale)
        let stored: [[String: Any]] = try field("requantization")
        let storedMultipliers = try stored.map { Int32(try Self.field($0, "multiplier") as Int) }
        let storedShifts = try stored.map { Int32(try Self.field($0, "shift") as Int) }
        guard multipliers == storedMultipliers, shifts == storedShifts else {
            throw GoldenError(description: "derived requantization differs from the case's: \(multipliers) \(shifts) vs \(storedMultipliers) \(storedShifts)")
        }
        let data: [Int] = try Self.field(filter, "data")
        return (data.map { Int8($0) }, try Self.field(filter, "shape"), multipliers, shifts)
    }

    func bias() throws -> [Int32]? {
        guard let bias = json["bias"] as? [String: Any] else { return nil }
        let data: [Int] = try Self.field(bias, "data")
        return data.map { Int32($0) }
    }

    /// Runs the case's kernel and returns its output bytes.
    func run() throws -> [Int8] {
        let out = try output()
        var result = [Int8](repeating: 0, count: out.shape.reduce(1, *))
        let x = try input(0)
        let clamp = try activation().range(scale: out.quantization.scale, zeroPoint: Int32(out.quantization.zeroPoint))
        switch op {
        case "conv2d", "depthwise_conv2d", "transpose_conv2d":
            let f = try filterAndRequantization(input: x, output: out)
            let (top, left) = padding()
            let isTranspose = op == "transpose_conv2d"
            let attrs = attributes
            var p = Conv2DParams(input: x.image, output: out.image, kernelH: f.shape[1], kernelW: f.shape[2],
                                 strideH: try Self.field(attrs, "stride_h"), strideW: try Self.field(attrs, "stride_w"),
                                 dilationH: isTranspose ? 1 : try Self.field(attrs, "dilation_h_factor"),
                                 dilationW: isTranspose ? 1 : try Self.field(attrs, "dilation_w_factor"),
                                 padTop: top, padLeft: left, groups: 1,
                                 inputZeroPoint: Int32(x.quantization.zeroPoint), outputZeroPoint: Int32(out.quantization.zeroPoint),
                                 activationMin: clamp.min, activationMax: clamp.max)
            let bias = try bias()
            f.multipliers.withUnsafeBufferPointer { m in
                f.shifts.withUnsafeBufferPointer { s in
                    let rq = ChannelRequantization(multipliers: m.baseAddress!, shifts: s.baseAddress!)
                    withOptionalPointer(bias) { b in
                        switch op {
                        case "conv2d":
                            p.groups = x.image.channels / f.shape[3]
                            conv2d_s8(p, input: x.data, filter: f.data, bias: b, requantization: rq, output: &result)
                        case "depthwise_conv2d":
                            p.groups = x.image.channels
                            dwconv2d_s8(p, input: x.data, filter: f.data, bias: b, requantization: rq, output: &result)
                        default:
                            var scratch = [Int32](repeating: 0, count: result.count)
                            transpose_conv2d_s8(p, input: x.data, filter: f.data, bias: b, requantization: rq,
                                                scratch: &scratch, output: &result)
                        }
                    }
                }
            }
        case "fully_connected":
            let f = try filterAndRequantization(input: x, output: out)
            let p = FullyConnectedParams(inputs: f.shape[1], outputs: f.shape[0], inputZeroPoint: Int32(x.quantization.zeroPoint),
                                         outputZeroPoint: Int32(out.quantization.zeroPoint), activationMin: clamp.min,
                                         activationMax: clamp.max)
            let bias = try bias()
            f.multipliers.withUnsafeBufferPointer { m in
                f.shifts.withUnsafeBufferPointer { s in
                    withOptionalPointer(bias) { b in
                        fully_connected_s8(p, input: x.data, filter: f.data, bias: b,
                                           requantization: ChannelRequantization(multipliers: m.baseAddress!, shifts: s.baseAddress!),
                                           output: &result)
                    }
                }
            }
        case "average_pool2d", "max_pool2d":
            let (top, left) = padding()
            let attrs = attributes
            let p = Pool2DParams(input: x.image, output: out.image, kernelH: try Self.field(attrs, "filter_height"),
                                 kernelW: try Self.field(attrs, "filter_width"), strideH: try Self.field(attrs, "stride_h"),
                                 strideW: try Self.field(attrs, "stride_w"), padTop: top, padLeft: left,
                                 activationMin: clamp.min, activationMax: clamp.max)
            if op == "max_pool2d" { max_pool2d_s8(p, input: x.data, output: &result) } else { avg_pool2d_s8(p, input: x.data, output: &result) }
        case "mean":
            mean_s8(meanParams(input: x.image, inputQuantization: x.quantization, outputQuantization: out.quantization),
                    input: x.data, output: &result)
        case "add":
            let y = try input(1)
            add_s8(addParams(input1: x.quantization, input2: y.quantization, output: out.quantization, activation: try activation()),
                   input1: x.data, input2: y.data, input2Count: y.data.count, count: result.count, output: &result)
        case "concatenation":
            let inputs: [[String: Any]] = try field("inputs")
            let tensors = try inputs.map { try tensor($0) }
            for t in tensors where t.quantization != out.quantization {
                throw GoldenError(description: "concatenation inputs do not share the output's quantization")
            }
            let total = out.shape.last!
            let pixels = out.shape.dropLast().reduce(1, *)
            var offset = 0
            for t in tensors {
                concat_s8(input: t.data, channels: t.shape.last!, pixels: pixels, outputChannels: total, channelOffset: offset,
                          output: &result)
                offset += t.shape.last!
            }
        case "softmax":
            let beta: Double = try Self.field(attributes, "beta")
            let depth = x.shape.last!
            softmax_s8(softmaxParams(beta: Float(beta), inputScale: x.quantization.scale, rows: x.data.count / depth, depth: depth),
                       input: x.data, output: &result)
        case "pad":
            let paddings: [[Int]] = try Self.field(attributes, "paddings")
            guard paddings.count == 4, paddings[0] == [0, 0], paddings[3] == [0, 0] else {
                throw GoldenError(description: "pad only over H and W is supported, got \(paddings)")
            }
            pad_s8(input: x.data, inputShape: x.image, outputShape: out.image, top: paddings[1][0], left: paddings[2][0],
                   fill: Int8(out.quantization.zeroPoint), output: &result)
        case "resize_nearest":
            let align: Bool = try Self.field(attributes, "align_corners")
            let half: Bool = try Self.field(attributes, "half_pixel_centers")
            let rows = nearestSourceIndices(input: x.image.height, output: out.image.height, alignCorners: align, halfPixelCenters: half)
            let cols = nearestSourceIndices(input: x.image.width, output: out.image.width, alignCorners: align, halfPixelCenters: half)
            resize_nearest_s8(input: x.data, inputShape: x.image, outputShape: out.image, rows: rows, cols: cols, output: &result)
        case "logistic", "tanh", "hard_swish", "leaky_relu":
            lut_s8(input: x.data, count: x.data.count, table: try lookupTable(), output: &result)
        default:
            throw GoldenError(description: "op '\(op)' has no kernel")
        }
        return result
    }
}

func withOptionalPointer<T, R>(_ array: [T]?, _ body: (UnsafePointer<T>?) throws -> R) rethrows -> R {
    guard let array else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0.baseAddress) }
}

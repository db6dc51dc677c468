import Foundation
import Import
import Kernels
import Q8Build
import Runtime
import TFLiteFile
import Testing

/// Every golden single-op case of ../shared/golden written as the one-op .tflite file it came
/// from (its tensors, quantization, weights and builtin options, with `FlatBufferBuilder`), then
/// imported and run: the output must be TensorFlow Lite Micro's, byte for byte, on the reference
/// kernels and the best this CPU has. This checks each operator's lowering (padding, clamps,
/// multipliers, tables, scratch) where the shared real models do not reach it.
struct GoldenTFLiteTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/golden").standardized

    static var cases: [String] {
        let ops = (try? FileManager.default.contentsOfDirectory(atPath: golden.path)) ?? []
        return ops.flatMap { op in
            ((try? FileManager.default.contentsOfDirectory(atPath: golden.appendingPathComponent(op).path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { "\(op)/\($0)" }
        }.sorted()
    }

    /// Builtin codes and the options table of each golden op.
    static func operatorCode(_ op: String) -> Int {
        ["add": BuiltinOperator.add, "average_pool2d": BuiltinOperator.averagePool2d, "concatenation": BuiltinOperator.concatenation,
         "conv2d": BuiltinOperator.conv2d, "depthwise_conv2d": BuiltinOperator.depthwiseConv2d, "fully_connected": BuiltinOperator.fullyConnected,
         "hard_swish": BuiltinOperator.hardSwish, "leaky_relu": BuiltinOperator.leakyRelu, "logistic": BuiltinOperator.logistic,
         "max_pool2d": BuiltinOperator.maxPool2d, "mean": BuiltinOperator.mean, "pad": BuiltinOperator.pad,
         "resize_nearest": BuiltinOperator.resizeNearestNeighbor, "softmax": BuiltinOperator.softmax, "tanh": BuiltinOperator.tanh,
         "transpose_conv2d": BuiltinOperator.transposeConv][op]!
    }

    static func options(_ op: String, _ a: [String: Any]) -> [Int: FlatValue] {
        func padding() -> FlatValue { .int8((a["padding"] as? String) == "VALID" ? 1 : 0) }
        func activation() -> FlatValue {
            .int8(["NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3][(a["fused_activation_function"] as? String) ?? "NONE"] ?? 0)
        }
        func int(_ key: String) -> FlatValue { .int32(Int32((a[key] as? NSNumber)?.intValue ?? 0)) }
        switch op {
        case "conv2d": return [0: padding(), 1: int("stride_w"), 2: int("stride_h"), 3: activation(), 4: int("dilation_w_factor"), 5: int("dilation_h_factor")]
        case "depthwise_conv2d":
            return [0: padding(), 1: int("stride_w"), 2: int("stride_h"), 3: int("depth_multiplier"), 4: activation(),
                    5: int("dilation_w_factor"), 6: int("dilation_h_factor")]
        case "average_pool2d", "max_pool2d":
            return [0: padding(), 1: int("stride_w"), 2: int("stride_h"), 3: int("filter_width"), 4: int("filter_height"), 5: activation()]
        case "fully_connected": return [0: activation(), 2: .bool((a["keep_num_dims"] as? Bool) ?? false)]
        case "softmax": return [0: .float(Float((a["beta"] as! NSNumber).doubleValue))]
        case "concatenation": return [0: int("axis"), 1: activation()]
        case "add": return [0: activation()]
        case "mean": return [0: .bool((a["keep_dims"] as? Bool) ?? false)]
        case "transpose_conv2d": return [0: padding(), 1: int("stride_w"), 2: int("stride_h"), 3: activation()]
        case "resize_nearest": return [0: .bool((a["align_corners"] as? Bool) ?? false), 1: .bool((a["half_pixel_centers"] as? Bool) ?? false)]
        case "leaky_relu": return [0: .float(Float((a["alpha"] as! NSNumber).doubleValue))]
        default: return [:]
        }
    }

    /// The case as a .tflite file and its inputs and expected output; `optionOverrides` replaces
    /// (or adds) fields of the operator's options table.
    static func tflite(_ json: [String: Any], optionOverrides: [Int: FlatValue] = [:]) -> (bytes: [UInt8], inputs: [[Int8]], output: [Int8]) {
        let op = json["op"] as! String, attributes = json["attributes"] as! [String: Any]
        var tensors: [[Int: FlatValue]] = [], buffers: [[Int: FlatValue]] = [[:]]
        func ints(_ v: Any?) -> [Int] { (v as? [NSNumber] ?? []).map(\.intValue) }
        func floats(_ v: Any?) -> [Float] {
            if let list = v as? [NSNumber] { return list.map { Float($0.doubleValue) } }
            return (v as? NSNumber).map { [Float($0.doubleValue)] } ?? []
        }
        /// Adds a tensor; `data` makes it a constant.
        func tensor(_ shape: [Int], type: Int8, scales: [Float] = [], zeros: [Int] = [], dimension: Int = 0, data: [UInt8]? = nil) -> Int32 {
            var fields: [Int: FlatValue] = [0: .int32s(shape.map { Int32($0) }), 1: .int8(type), 3: .string("t\(tensors.count)")]
            if let data {
                buffers.append([0: .bytes(data, alignment: 16)])
                fields[2] = .uint32(UInt32(buffers.count - 1))
            }
            if !scales.isEmpty {
                fields[4] = .table([2: .floats(scales), 3: .int64s(zeros.map { Int64($0) }), 6: .int32(Int32(dimension))])
            }
            tensors.append(fields)
            return Int32(tensors.count - 1)
        }
        func int8Bytes(_ v: Any?) -> [UInt8] { ints(v).map { UInt8(bitPattern: Int8($0)) } }
        func int32Bytes(_ values: [Int]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: Int32(v).littleEndian) { Array($0) } } }
        let inputs = (json["inputs"] as! [[String: Any]])
        var opInputs: [Int32] = inputs.map { x in
            tensor(ints(x["shape"]), type: 9, scales: floats(x["scale"]), zeros: [ints([x["zero_point"]!]).first ?? 0])
        }
        let graphInputs = opInputs
        var filter: Int32?, bias: Int32 = -1
        if let f = json["filter"] as? [String: Any] {
            filter = tensor(ints(f["shape"]), type: 9, scales: floats(f["scales"]), zeros: ints(f["zero_points"]),
                            dimension: (f["quantized_dimension"] as? NSNumber)?.intValue ?? 0, data: int8Bytes(f["data"]))
        }
        if let b = json["bias"] as? [String: Any] {
            bias = tensor(ints(b["shape"]), type: 2, scales: floats(b["scales"]), zeros: [Int](repeating: 0, count: floats(b["scales"]).count),
                          data: int32Bytes(ints(b["data"])))
        }
        switch op {
        case "conv2d", "depthwise_conv2d", "fully_connected": opInputs += [filter!, bias]
        case "transpose_conv2d":
            let shape = tensor([4], type: 2, data: int32Bytes(ints(attributes["output_shape"])))
            opInputs = [shape, filter!, opInputs[0]] + (bias >= 0 ? [bias] : [])
        case "mean": opInputs.append(tensor([2], type: 2, data: int32Bytes(ints(attributes["axis"]))))
        case "pad":
            let p = (attributes["paddings"] as! [[NSNumber]]).flatMap { $0.map(\.intValue) }
            opInputs.append(tensor([p.count / 2, 2], type: 2, data: int32Bytes(p)))
        case "resize_nearest": opInputs.append(tensor([2], type: 2, data: int32Bytes(ints(attributes["size"]))))
        default: break
        }
        let y = json["output"] as! [String: Any]
        let output = tensor(ints(y["shape"]), type: 9, scales: floats(y["scale"]), zeros: [ints([y["zero_point"]!]).first ?? 0])
        let code = operatorCode(op)
        let root: [Int: FlatValue] = [
            0: .uint32(3),
            1: .tables([[0: .int8(Int8(min(code, 127))), 2: .int32(1), 3: .int32(Int32(code))]]),
            2: .tables([[0: .tables(tensors), 1: .int32s(graphInputs), 2: .int32s([output]),
                         3: .tables([[0: .uint32(0), 1: .int32s(opInputs), 2: .int32s([output]), 4: .table(options(op, attributes).merging(optionOverrides) { $1 })]])]]),
            4: .tables(buffers),
        ]
        return (FlatBufferBuilder.file(root: root, identifier: "TFL3"),
                inputs.map { ints($0["data"]).map { Int8($0) } }, ints(y["data"]).map { Int8($0) })
    }

    @Test(arguments: cases)
    func importedOpMatchesTFLM(path: String) throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.golden.appendingPathComponent(path))) as! [String: Any]
        let (bytes, inputs, want) = Self.tflite(json)
        let program = try importTFLite(try TFLiteModel(bytes: bytes))
        for kernels in [KernelSet.reference, KernelSet.best] {
            let got = try SharedModelTests.run(program, inputs, kernels: kernels)
            let differing = zip(got, want).filter { $0 != $1 }.count + abs(got.count - want.count)
            #expect(differing == 0, "\(path) on \(kernels.name): \(differing) of \(want.count) values differ from TFLM")
        }
    }
}

import ModelIO
import AtomicWrite
import ArgumentParser
import Foundation
import Graph
import Import
import FloatImport
import Quantize
import Q8Build
import Runtime
import TFLiteFile

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an int8 .tflite to model.q8 (TensorFlow Lite Micro's bytes), or a float ONNX or .tflite model to model.bin.",
        discussion: """
            The output follows the model: an int8 .tflite becomes model.q8, a float one or an ONNX model (opset 9 to 21; \
            NCHW held NHWC, batch norms and per-channel scales folded, shape arithmetic over constants evaluated) a float \
            model.bin for `minnow quantize`; an -o with the other extension is an error. --input-shape fixes dynamic \
            dims (and must agree with static ones). Writes beside the input unless -o is given. Int8 quantization is taken from the file: multipliers, \
            shifts, clamps and tables are derived as TensorFlow Lite Micro derives them. A model with operators Minnow \
            does not run is refused, listing each, and nothing is written. The arena is compared with TFLM's smallest \
            (--tflm-arena, or tflm_smallest_arena_bytes in a meta.json beside the model).
            """)

    @Argument(help: "An int8 or float .tflite model, or an ONNX model.")
    var model: String

    @Option(name: .shortAndLong, help: "Output model.q8 for an int8 model, model.bin for a float one (default: beside the input).")
    var output: String?

    @Option(help: "The input's shape, batch first, e.g. 1,3,224,224: fixes dynamic dims; checked against static ones.")
    var inputShape: String?

    @Flag(inversion: .prefixedNo, help: "Also store conv filters packed for the GEMM kernels (the fastest layout).")
    var packWeights = true

    @Flag(inversion: .prefixedNo, help: "Let convolutions write over their dying input, row by row (a smaller arena; those convolutions then run on one thread).")
    var inPlace = true

    @Option(help: "TensorFlow Lite Micro's smallest working arena in bytes, to compare with.")
    var tflmArena: Int?

    func outputPath(_ ext: String) throws -> String {
        let stem = URL(fileURLWithPath: model).pathExtension.isEmpty ? model : String(model.dropLast(URL(fileURLWithPath: model).pathExtension.count + 1))
        guard let output else { return stem + ext }
        guard output.hasSuffix(ext) else {
            throw ValidationFailure("\(model) is a \(ext == ".q8" ? "int8" : "float") model: it imports to a \(ext) file, not \(output)")
        }
        return output
    }

    var parsedInputShape: [Int]? {
        get throws {
            guard let inputShape else { return nil }
            let dims = inputShape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                throw ValidationFailure("--input-shape must be positive whole numbers separated by commas, e.g. 1,3,224,224; got '\(inputShape)'")
            }
            return dims.map { $0! }
        }
    }

    func run() throws {
        let shape = try parsedInputShape
        if !TFLiteSource.isTFLite(model) { return try importFloat(shape) }
        let parsed = try TFLiteSource(path: model)
        if parsed.isFloat { return try importFloat(shape, tflite: parsed.model) }
        if let shape, let input = parsed.model.inputs.first, parsed.model.tensors[input].shape != shape {
            throw ValidationFailure("--input-shape \(shape) disagrees with the model's input \(parsed.model.tensors[input].shape)")
        }
        let outputPath = try outputPath(".q8")
        try checkOutputs([("-o", outputPath)], reads: [model])
        var program: Q8Program
        do { program = try importTFLite(parsed.model, packWeights: packWeights) } catch { throw ValidationFailure("\(model): \(error)") }
        program.inPlaceConvolutions = inPlace
        let plan = try writeValidated(program, to: outputPath)
        let q8Arena = plan.peak + program.ops.count * Q8Format.preparedOpBytes
        let weights = program.tensors.compactMap(\.constant).reduce(0) { $0 + $1.count }
        var arenaLine = arenaLine(activations: plan.peak, ops: program.ops.count)
        if let tflm = tflmArena ?? parsed.tflmSmallestArena {
            arenaLine += String(format: ", %.2f × TFLM's smallest working arena (%@ bytes)", Double(q8Arena) / Double(tflm), grouped(tflm))
        }
        print("wrote \(outputPath): \(parsed.model.operators.count) TFLite operators → \(program.ops.count) int8 ops, "
              + "\(grouped(weights)) bytes of weights and constants, \(arenaLine)")
    }

    /// A float model (ONNX, or a float .tflite already parsed) → model.bin.
    func importFloat(_ shape: [Int]?, tflite: TFLiteModel? = nil) throws {
        let outputPath = try outputPath(".bin")
        try checkOutputs([("-o", outputPath)], reads: [model])
        let imported: Model
        let sourceNodes: Int
        if let tflite {
            do { imported = try importFloatTFLite(tflite, inputShape: shape) } catch { throw ValidationFailure("\(model): \(error)") }
            sourceNodes = tflite.operators.count
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw ValidationFailure("\(model): no such file")
            }
            guard let data = FileManager.default.contents(atPath: model) else { throw ValidationFailure("\(model): cannot read the file") }
            do { imported = try importONNX([UInt8](data), inputShape: shape) } catch { throw ValidationFailure("\(model): \(error)") }
            sourceNodes = -1
        }
        let shapes: [Shape]
        do { shapes = try imported.graph.inferShapes() } catch { throw ValidationFailure("\(model): the imported graph does not check: \(error)") }
        try ModelFile.write(imported, to: outputPath)
        let parameters = imported.graph.nodes.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.count } }
        let macs = imported.graph.macs(shapes: shapes).reduce(0, +)
        print("wrote \(outputPath): \(sourceNodes >= 0 ? "\(sourceNodes) TFLite operators → " : "")\(imported.graph.nodes.count) float nodes, "
              + "input \(imported.inputLayout?.dims.map(String.init).joined(separator: "×") ?? imported.graph.inputShape.description), "
              + "output \(imported.outputLayout?.dims.map(String.init).joined(separator: "×") ?? shapes[imported.graph.output].description), "
              + "\(grouped(parameters)) parameters, \(grouped(macs)) MACs")
    }
}

/// A .tflite file read and parsed, and the TFLM figures of a meta.json beside it, if any.
struct TFLiteSource {
    let model: TFLiteModel
    let tflmSmallestArena: Int?

    init(path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationFailure("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw ValidationFailure("\(path): is a directory, not a .tflite file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationFailure("\(path): cannot read the file") }
        do { model = try TFLiteModel(bytes: [UInt8](data)) } catch { throw ValidationFailure("\(path): \(error)") }
        let meta = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("meta.json")
        if let json = FileManager.default.contents(atPath: meta.path),
           let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] {
            tflmSmallestArena = (object["tflm_smallest_arena_bytes"] as? NSNumber)?.intValue
        } else {
            tflmSmallestArena = nil
        }
    }

    static func isTFLite(_ path: String) -> Bool { fileStarts(path, at: 4, with: "TFL3") }

    /// True for a float model: its first input is float32 (the converter's float graphs).
    var isFloat: Bool { model.inputs.first.map { model.tensors[$0].type == .float32 } ?? false }
}

/// Encodes `program`, checks the bytes load as a model.q8 (nothing is replaced otherwise), and
/// writes them atomically to `path` (which `checkOutputs` has cleared).
func writeValidated(_ program: Q8Program, to path: String) throws -> ArenaPlan {
    let (bytes, plan) = program.encode()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    do {
        _ = try Q8Model(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
    } catch {
        throw ValidationFailure("\(path): not written: the converted model does not validate (\(error))")
    }
    try writeAtomically(Data(bytes), to: path)
    return plan
}

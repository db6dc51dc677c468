import ModelIO
import AtomicWrite
import ArgumentParser
import Foundation
import Graph
import Import
import Quantize
import Q8Build
import Runtime
import TFLiteFile

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert an int8 TensorFlow Lite model (.tflite) to model.q8, computing TensorFlow Lite Micro's bytes.",
        discussion: """
            Writes model.q8 beside the input unless -o is given. Quantization is taken from the file: multipliers, \
            shifts, clamps and tables are derived as TensorFlow Lite Micro derives them. A model with operators Minnow \
            does not run is refused, listing each, and nothing is written. The arena is compared with TFLM's smallest \
            (--tflm-arena, or tflm_smallest_arena_bytes in a meta.json beside the model).
            """)

    @Argument(help: "An int8 .tflite model.")
    var model: String

    @Option(name: .shortAndLong, help: "Output model.q8 (default: beside the input).")
    var output: String?

    @Flag(inversion: .prefixedNo, help: "Also store conv filters packed for the GEMM kernels (the fastest layout).")
    var packWeights = true

    @Flag(inversion: .prefixedNo, help: "Let convolutions write over their dying input, row by row (a smaller arena; those convolutions then run on one thread).")
    var inPlace = true

    @Option(help: "TensorFlow Lite Micro's smallest working arena in bytes, to compare with.")
    var tflmArena: Int?

    var outputPath: String { output ?? (model.hasSuffix(".tflite") ? String(model.dropLast(7)) : model) + ".q8" }

    func run() throws {
        try requireDistinct(outputPath, from: model)
        let parsed = try TFLiteSource(path: model)
        var program: Q8Program
        do { program = try importTFLite(parsed.model, packWeights: packWeights) } catch { throw ValidationFailure("\(model): \(error)") }
        program.inPlaceConvolutions = inPlace
        let plan = try writeValidated(program, to: outputPath, replacing: model)
        let q8Arena = plan.peak + program.ops.count * Q8Format.preparedOpBytes
        let weights = program.tensors.compactMap(\.constant).reduce(0) { $0 + $1.count }
        var arenaLine = arenaLine(activations: plan.peak, ops: program.ops.count)
        if let tflm = tflmArena ?? parsed.tflmSmallestArena {
            arenaLine += String(format: ", %.2f × TFLM's smallest working arena (%@ bytes)", Double(q8Arena) / Double(tflm), grouped(tflm))
        }
        print("wrote \(outputPath): \(parsed.model.operators.count) TFLite operators → \(program.ops.count) int8 ops, "
              + "\(grouped(weights)) bytes of weights and constants, \(arenaLine)")
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
}

/// Refuses an output path that is the input file itself, through links and other spellings
/// (same device and inode).
func requireDistinct(_ output: String, from input: String) throws {
    var a = stat(), b = stat()  // stat follows symbolic links
    if stat(output, &a) == 0, stat(input, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
        throw ValidationFailure("refusing to overwrite the input \(input) with \(output) (the same file); give another -o")
    }
}

/// Encodes `program`, checks the bytes load as a model.q8 (nothing is replaced otherwise), and
/// writes them atomically to `path`, which must not be the file `input`.
func writeValidated(_ program: Q8Program, to path: String, replacing input: String) throws -> ArenaPlan {
    try requireDistinct(path, from: input)
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

import Foundation
import Import
import Kernels
import Q8Build
import Runtime
import TFLiteFile
import Testing

/// The real .tflite models in ../shared/outside (or $MINNOW_OUTSIDE_DIR), each with raw int8
/// inputs and the outputs TensorFlow Lite Micro computed: imported, validated, run on the
/// reference kernels and on the best this CPU has, byte for byte against TFLM.
struct SharedModelTests {
    static let folder: URL = {
        if let dir = ProcessInfo.processInfo.environment["MINNOW_OUTSIDE_DIR"] { return URL(fileURLWithPath: dir) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/outside").standardized
    }()

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/model.tflite").path) }.sorted()
    }

    /// Runs `program` on `input` with `kernels`; output 0's bytes.
    static func run(_ program: Q8Program, _ inputs: [[Int8]], kernels: KernelSet) throws -> [Int8] {
        let bytes = program.encode().bytes
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        let model = try Q8Model(bytes: UnsafeRawBufferPointer(buffer))
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: model, arena: arena, kernels: kernels)
        for (k, input) in inputs.enumerated() {
            let view = interpreter.input(k)
            guard view.count == input.count else { throw TFLiteError("input \(k) holds \(view.count) bytes, the case \(input.count)") }
            _ = view.update(fromContentsOf: input)
        }
        interpreter.invoke()
        return (0..<model.outputCount).flatMap { Array(interpreter.output($0)) }  // every output, in order
    }

    @Test(arguments: cases)
    func bitExactWithTFLM(name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let model = try TFLiteModel(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("model.tflite"))))
        // The whole arena (activations, scratch, op records) within TFLM's smallest working arena.
        if let meta = try? JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("meta.json"))) as? [String: Any],
           let tflm = (meta["tflm_smallest_arena_bytes"] as? NSNumber)?.intValue {
            let program = try importTFLite(model)
            let arena = program.encode().plan.peak + program.ops.count * Q8Format.preparedOpBytes
            #expect(arena <= tflm, "\(name): arena \(arena) bytes, TFLM's smallest \(tflm)")
            print("\(name): arena \(arena) bytes, \(String(format: "%.2f", Double(arena) / Double(tflm))) × TFLM's smallest (\(tflm))")
        }
        for packed in [false, true] {
            let program = try importTFLite(model, packWeights: packed)
            var k = 0, exact = 0
            while FileManager.default.fileExists(atPath: dir.appendingPathComponent("input_\(k).bin").path) {
                let input = [UInt8](try Data(contentsOf: dir.appendingPathComponent("input_\(k).bin"))).map { Int8(bitPattern: $0) }
                let want = [UInt8](try Data(contentsOf: dir.appendingPathComponent("output_\(k).bin"))).map { Int8(bitPattern: $0) }
                let reference = try Self.run(program, [input], kernels: .reference)
                let best = try Self.run(program, [input], kernels: .best)
                #expect(reference == want, "\(name) case \(k): reference kernels differ from TFLM")
                #expect(best == reference, "\(name) case \(k): \(KernelSet.best.name) kernels differ from the reference")
                if reference == want && best == want { exact += 1 }
                k += 1
            }
            #expect(k > 0 && exact == k, "\(name)\(packed ? " (packed)" : ""): \(exact) of \(k) cases bit-exact")
            print("\(name)\(packed ? " (packed filters)" : ""): \(exact) of \(k) cases bit-exact with TFLM on the reference and \(KernelSet.best.name) kernels")
        }
    }

    @Test func unsupportedModelsAreRefusedByName() throws {
        let dir = Self.folder.appendingPathComponent("unsupported")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".tflite") }
        #expect(!files.isEmpty)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(file)))
            var message = ""
            do {
                _ = try importTFLite(try TFLiteModel(bytes: bytes))
            } catch {
                message = "\(error)"
            }
            // Each refusal names an operator by index and builtin name or custom code.
            #expect(message.contains("#") && message.contains("unsupported"), "\(file): \(message)")
            print("\(file): \(message)")
        }
    }
}

/// The same bytes from one thread and from several (`ParallelInvoker`), on every shared model.
struct ParallelInvokerTests {
    @Test(arguments: SharedModelTests.cases)
    func threadsGiveTheSameBytes(name: String) throws {
        let dir = SharedModelTests.folder.appendingPathComponent(name)
        let program = try importTFLite(try TFLiteModel(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("model.tflite")))))
        let bytes = program.encode().bytes
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        let model = try Q8Model(bytes: UnsafeRawBufferPointer(buffer))
        let input = [UInt8](try Data(contentsOf: dir.appendingPathComponent("input_0.bin"))).map { Int8(bitPattern: $0) }
        let want = [UInt8](try Data(contentsOf: dir.appendingPathComponent("output_0.bin"))).map { Int8(bitPattern: $0) }
        for threads in [1, 2, 3, 5] {
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            let parallel = ParallelInvoker(try Interpreter(model: model, arena: arena, kernels: .best), threads: threads)
            _ = parallel.interpreter.input(0).update(fromContentsOf: input)
            parallel.invoke()
            #expect(Array(parallel.interpreter.output(0)) == want, "\(name) on \(threads) threads")
        }
    }
}

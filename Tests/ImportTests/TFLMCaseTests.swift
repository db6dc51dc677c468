import Foundation
import Import
import Kernels
import Q8Build
import Runtime
import TFLiteFile
import Testing

/// One-op int8 models for TFLM code paths the shared cases do not reach, with the outputs TFLM's
/// reference kernels computed (`Tests/ImportTests/TFLMCases`, written by
/// `Tools/tflm-cases/make_cases.py`): imported, run on the reference kernels and the best this
/// CPU has, on one thread and on two, byte for byte against TFLM (every output, in order).
struct TFLMCaseTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("TFLMCases")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/model.tflite").path) }.sorted()
    }

    static func bytes(_ url: URL) throws -> [Int8] { [UInt8](try Data(contentsOf: url)).map { Int8(bitPattern: $0) } }

    @Test func everyCaseFolderIsHere() { #expect(Self.cases.count >= 6) }

    @Test(arguments: cases)
    func bitExactWithTFLM(name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let program = try importTFLite(try TFLiteModel(bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent("model.tflite")))))
        let encoded = program.encode().bytes
        var c = 0
        while FileManager.default.fileExists(atPath: dir.appendingPathComponent("output_\(c).bin").path) {
            var inputs: [[Int8]] = []
            while case let url = dir.appendingPathComponent("input_\(c)_\(inputs.count).bin"), FileManager.default.fileExists(atPath: url.path) {
                inputs.append(try Self.bytes(url))
            }
            let want = try Self.bytes(dir.appendingPathComponent("output_\(c).bin"))
            let reference = try SharedModelTests.run(program, inputs, kernels: .reference)
            let best = try SharedModelTests.run(program, inputs, kernels: .best)
            #expect(reference == want, "\(name) case \(c): the reference kernels differ from TFLM in \(zip(reference, want).filter { $0 != $1 }.count) bytes")
            #expect(best == want, "\(name) case \(c): \(KernelSet.best.name) differs from TFLM in \(zip(best, want).filter { $0 != $1 }.count) bytes")
            try withAlignedBytes(encoded) { buffer in
                let model = try Q8Model(bytes: buffer)
                let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
                defer { arena.deallocate() }
                let parallel = ParallelInvoker(try Interpreter(model: model, arena: arena, kernels: .best), threads: 2)
                for (k, input) in inputs.enumerated() { _ = parallel.interpreter.input(k).update(fromContentsOf: input) }
                parallel.invoke()
                let got = (0..<model.outputCount).flatMap { Array(parallel.interpreter.output($0)) }
                let differing = zip(got, want).filter { $0 != $1 }.count + abs(got.count - want.count)
                #expect(differing == 0, "\(name) case \(c): two threads differ from TFLM in \(differing) bytes")
            }
            c += 1
        }
        #expect(c > 0, "\(name): no cases")
    }
}

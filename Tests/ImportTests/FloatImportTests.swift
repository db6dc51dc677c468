import Data
import FloatImport
import Foundation
import Graph
import TFLiteFile
import Testing

/// Float models from outside: ONNX (ONNX's own backend cases and hand-built graphs in
/// ONNXCases/, made by Tools/make_onnx_cases.py with onnxruntime's outputs) and the shared
/// ONNX / float .tflite models with their peers' outputs, each imported, saved and read back as
/// model.bin, and run in the float executor in the model's own layout.
struct FloatImportTests {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ONNXCases")
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/outside-float").standardized

    static var caseNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cases.path)) ?? []).filter { !$0.hasSuffix(".md") }.sorted()
    }

    /// max |got − want| / max |want|.
    static func relativeError(_ got: [Float], _ want: [Float]) -> Float {
        let scale = want.map(abs).max() ?? 0
        return zip(got, want).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-12) } ?? .infinity
    }

    /// Runs `model` (through a model.bin round trip) on `input` given in the model's own layout.
    static func run(_ model: Model, _ input: NPYArray) throws -> (dims: [Int], values: [Float]) {
        let reread = try ModelFile.decode(ModelFile.encode(model))
        #expect(reread.inputLayout == model.inputLayout && reread.outputLayout == model.outputLayout)
        let executor = try FloatExecutor(reread.graph)
        let batch = input.dims[0]
        let x = reread.inputLayout?.memoryOrder(input.values, samples: batch) ?? input.values
        let y = executor.run(x, batch: batch)
        let out = try #require(reread.outputLayout)
        return ([batch] + out.dims.dropFirst(), out.userOrder(y, samples: batch))
    }

    @Test(arguments: caseNames)
    func onnxCaseMatchesOnnxruntimeOrIsRefusedByName(name: String) throws {
        let folder = Self.cases.appendingPathComponent(name)
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("model.onnx")))
        let input = try NPYArray.read(path: folder.appendingPathComponent("input.npy").path)
        if let refusal = try? String(contentsOf: folder.appendingPathComponent("refuse.txt"), encoding: .utf8) {
            #expect(throws: FloatImportError.self) { try importONNX(bytes, inputShape: input.dims) }
            do { _ = try importONNX(bytes, inputShape: input.dims) } catch {
                #expect(error.description.contains(refusal.trimmingCharacters(in: .whitespacesAndNewlines)), "\(error)")
            }
            return
        }
        let model = try importONNX(bytes, inputShape: input.dims)
        let want = try NPYArray.read(path: folder.appendingPathComponent("output.npy").path)
        let (dims, got) = try Self.run(model, input)
        #expect(dims == want.dims || dims == [1] + want.dims, "\(name): \(dims) for \(want.dims)")  // a batch axis added where the source has none
        #expect(Self.relativeError(got, want.values) <= 1e-5, "\(name)")
    }

    @Test(arguments: ["fm_dsconv_onnx", "fm_resnet_onnx", "fm_dsconv_tflite", "fm_resnet_tflite"])
    func sharedFloatModelMatchesItsPeer(name: String) throws {
        let folder = Self.shared.appendingPathComponent(name)
        let isONNX = name.hasSuffix("onnx")
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(isONNX ? "model.onnx" : "model.tflite")))
        let model = isONNX ? try importONNX(bytes, inputShape: [1, 28, 28, 1]) : try importFloatTFLite(try TFLiteModel(bytes: bytes))
        #expect(model.graph.inputShape == Shape([28, 28, 1]))
        // Batch norms and the Keras Mul/Add pairs fold into the convolutions: no affine nodes remain.
        #expect(!model.graph.nodes.contains { if case .batchNorm = $0.op { return true } else { return false } } || !isONNX)
        for k in 0..<8 {
            let input = try NPYArray.read(path: folder.appendingPathComponent("input_\(k).npy").path)
            let want = try NPYArray.read(path: folder.appendingPathComponent("output_\(k).npy").path)
            let (dims, got) = try Self.run(model, input)
            #expect(dims == want.dims)
            #expect(Self.relativeError(got, want.values) <= 1e-5)
        }
    }

    @Test func inputShapeFixesDynamicDimsAndMustAgreeWithStaticOnes() throws {
        let bytes = [UInt8](try Data(contentsOf: Self.shared.appendingPathComponent("fm_dsconv_onnx/model.onnx")))
        #expect(throws: FloatImportError.self) { try importONNX(bytes, inputShape: [1, 28, 27, 1]) }
        #expect(throws: FloatImportError.self) { try importONNX(bytes, inputShape: [1, 28, 28]) }
        // Any batch is accepted: the graph's batch is implicit.
        #expect(try importONNX(bytes, inputShape: [4, 28, 28, 1]).graph.inputShape == Shape([28, 28, 1]))
    }

    /// Truncated and byte-mutated copies of an ONNX model are refused with a `FloatImportError`
    /// or import to a graph that passes shape inference; a trap fails the whole run. libFuzzer runs
    /// the same over the reader under AddressSanitizer (Tools/fuzz/run.sh).
    /// Inputs that once crashed the ONNX fuzzer (ONNXFuzzRegressions/) are refused with an error.
    @Test func onnxFuzzRegressionsAreRefused() throws {
        let folder = Self.cases.deletingLastPathComponent().appendingPathComponent("ONNXFuzzRegressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".onnx") }
        #expect(!names.isEmpty)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            #expect(throws: FloatImportError.self, "\(name)") { try importONNX(bytes) }
        }
    }

    @Test func truncatedAndMutatedONNXNeverTraps() throws {
        let good = [UInt8](try Data(contentsOf: Self.cases.appendingPathComponent("channel-shuffle-nchw-out/model.onnx")))
        var refused = 0, imported = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                let m = try importONNX(bytes, inputShape: nil)
                _ = try m.graph.inferShapes()
                imported += 1
            } catch {
                refused += 1
            }
        }
        for length in stride(from: 0, to: good.count, by: max(1, good.count / 200)) { attempt(Array(good[0..<length])) }
        var random = SeededRandom(seed: 11)
        for _ in 0..<20_000 {
            var bytes = good
            for _ in 0..<(1 + Int(random.next() % 4)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            attempt(bytes)
        }
        #expect(refused > 0 && imported > 0)
    }
}

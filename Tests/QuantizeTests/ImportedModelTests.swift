import Data
import FloatImport
import Foundation
import Graph
import ModelIO
import Quantize
import Runtime
import Testing

/// Float models from outside (ONNX, NCHW, with the ops MobileNetV3 and ShuffleNet exports use:
/// squeeze-excitation multiply, hard-sigmoid, hard-swish from parts, channel shuffle, resize,
/// transposed convolution) quantized with calibration samples in their own layout: the int8 model
/// keeps the NCHW boundary and lands near onnxruntime's float output.
struct ImportedModelTests {
    static let cases = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../ImportTests/ONNXCases").standardized

    @Test(arguments: ["squeeze-excitation-hardswish-parts", "channel-shuffle-nchw-out", "hardswish-gap-gemm", "resize-convtranspose-concat", "segmentation-head"])
    func importedNCHWModelQuantizesNearFloat(name: String) throws {
        let folder = Self.cases.appendingPathComponent(name)
        let input = try NPYArray.read(path: folder.appendingPathComponent("input.npy").path)
        let want = try NPYArray.read(path: folder.appendingPathComponent("output.npy").path)
        let model = try importONNX([UInt8](try Data(contentsOf: folder.appendingPathComponent("model.onnx"))), inputShape: input.dims)
        let layout = try #require(model.inputLayout), outputLayout = try #require(model.outputLayout)
        // Calibration: 64 samples from the input's distribution, in the model's NCHW layout.
        var random = SeededRandom(seed: 5)
        let size = input.count
        let calibration = layout.memoryOrder((0..<(64 * size)).map { _ in random.normal() }, samples: 64)
        let conversion = try convert(model, calibration: calibration, count: 64)
        let (bytes, _) = conversion.program.encode()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        let q8 = try Q8Model(bytes: UnsafeRawBufferPointer(buffer))
        #expect(q8.boundaryLayout(0)?.dims == layout.dims && q8.boundaryLayout(0)?.order == layout.order)
        #expect(q8.boundaryLayout(1)?.dims == outputLayout.dims && q8.boundaryLayout(1)?.order == outputLayout.order)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena)
        let x = layout.memoryOrder(input.values, samples: 1), t = q8.tensor(q8.inputTensor(0))
        x.withUnsafeBufferPointer {
            quantize_f32_s8(input: $0.baseAddress!, count: $0.count, scale: t.scale, zeroPoint: t.zeroPoint, output: interpreter.input(0).baseAddress!)
        }
        interpreter.invoke()
        let y = outputLayout.userOrder(q8.tensor(q8.outputTensor(0)).dequantized(Array(interpreter.output(0))).map(Float.init), samples: 1)
        let signal = want.values.reduce(0) { $0 + Double($1 * $1) }
        let noise = zip(y, want.values).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
        let sqnr = 10 * log10(signal / max(noise, 1e-30))
        #expect(sqnr >= 25, "\(name): \(sqnr) dB")
    }
}

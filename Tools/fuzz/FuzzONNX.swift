// libFuzzer target over the ONNX importer (`importONNX`, module FloatImport: the protobuf
// decoding by SwiftProtobuf, constant folding, layout relabeling and lowering) under
// AddressSanitizer: any file must give a graph that passes shape inference or a
// `FloatImportError`, never a trap. Seeded with the shared ONNX models and the test cases in
// Tests/ImportTests/ONNXCases; built and run by Tools/fuzz/run.sh. ImportTests.FloatImportTests
// sweeps truncations and byte mutations the same way in the test suite.
import FloatImport
import Graph

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    guard let model = try? importONNX(bytes) else { return 0 }
    guard let shapes = try? model.graph.inferShapes() else { fatalError("an imported graph failed shape inference") }
    return shapes.isEmpty ? 1 : 0
}

// libFuzzer target over the .tflite reader (`TFLiteModel(bytes:)`, module TFLiteFile), the only
// code that reads an untrusted FlatBuffer through raw pointers, under AddressSanitizer: every
// offset, vtable, vector and string it follows must be checked first. Seeded with the shared
// .tflite models; built and run by Tools/fuzz/run.sh. The importer's own logic (pure Swift,
// traps rather than corrupts) is swept by ImportTests.CorruptTFLiteTests.
import TFLiteFile

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    guard let model = try? TFLiteModel(bytes: bytes) else { return 0 }
    // Touch what the importer reads: every constant's bytes and every operator's tensors.
    var sum = 0
    for t in model.tensors {
        if let range = t.data { sum &+= Int(model.bytes[range.lowerBound]) &+ Int(model.bytes[range.upperBound - 1]) }
    }
    for op in model.operators { sum &+= op.inputs.count &+ op.outputs.count &+ model.operatorCodes[op.opcodeIndex].builtin }
    return sum == Int.min ? 1 : 0
}

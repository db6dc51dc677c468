import Graph
import Runtime

/// Empirical bias correction, layer by layer in program order: runs the int8 program and the float
/// graph on calibration images (up to 256, fewer for large inputs), takes each output channel's
/// mean error `E[dequantized int8 − float]` over the values the layer does not clamp (its int8
/// output strictly inside the op's activation range), and subtracts it from that channel's int32
/// bias, in bias units (input scale · weight scale). Each layer is measured after the layers
/// before it have been corrected, so the correction also covers the error they pass on.
///
/// Example: a channel whose int8 output reads 0.02 high on average, with bias scale 0.0001, gets
/// its bias lowered by 200.
func correctBiasesOnData(_ program: inout Q8Program, layers: [LayerQuantization], graph: Graph, inputs: [Float],
                         count: Int, progress: (Int, Int) -> Void = { _, _ in }) throws {
    let perImage = graph.inputShape.count
    let n = min(count, 256, max(8, 2_000_000 / max(perImage, 1)))
    let corrected = layers.filter { $0.bias != nil }
    guard n > 0, !corrected.isEmpty else { return }
    let wanted = Set(corrected.map(\.floatNode))
    var floats = [Int: [Float]]()
    _ = try FloatExecutor(graph).run(Array(inputs[0..<(n * perImage)]), batch: n) { node, values in
        if wanted.contains(node) { floats[node] = Array(values) }
    }
    for (done, layer) in corrected.enumerated() {
        defer { progress(done + 1, corrected.count) }
        guard let (biasTensor, biasScales) = layer.bias, let f = floats[layer.floatNode],
              let opIndex = program.ops.firstIndex(where: { $0.output == layer.tensor }) else { continue }
        let op = program.ops[opIndex]
        let clampMin = op.parameters[op.parameters.count - 2], clampMax = op.parameters[op.parameters.count - 1]
        let channels = biasScales.count
        var errorSum = [Double](repeating: 0, count: channels), counted = [Int](repeating: 0, count: channels)
        let (bytes, _) = program.encode(shareArena: false)
        try withAlignedBytes(bytes) { buffer in
            let q8 = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
            defer { arena.deallocate() }
            let interpreter = try Interpreter(model: q8, arena: arena)
            let input = q8.tensor(q8.inputTensor(0)), t = q8.tensor(layer.tensor)
            let size = t.count
            inputs.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    quantize_f32_s8(input: x.baseAddress! + i * perImage, count: perImage, scale: input.scale,
                                    zeroPoint: input.zeroPoint, output: interpreter.input(0).baseAddress!)
                    // The ops up to this layer's: the later ones do not change its output.
                    for o in 0...opIndex { interpreter.run(o) }
                    let y = (arena.baseAddress! + t.offset).assumingMemoryBound(to: Int8.self)
                    for j in 0..<size where Int32(y[j]) > clampMin && Int32(y[j]) < clampMax {
                        let c = j % channels
                        errorSum[c] += Double(t.scale) * Double(Int32(y[j]) - t.zeroPoint) - Double(f[i * size + j])
                        counted[c] += 1
                    }
                }
            }
        }
        var bias = program.tensors[biasTensor].constant!
        for c in 0..<channels where counted[c] > 0 {
            let at = 4 * c
            let old = bias.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int32.self)) }
            let shift = (-errorSum[c] / Double(counted[c]) / biasScales[c]).rounded(.toNearestOrAwayFromZero)
            let new = Int32(max(Double(Int32.min), min(Double(Int32.max), Double(old) + shift)))
            withUnsafeBytes(of: new.littleEndian) { bias.replaceSubrange(at..<(at + 4), with: $0) }
        }
        program.tensors[biasTensor].constant = bias
    }
}

/// `body` with `bytes` copied into a 16-byte aligned buffer, as `Q8Model` needs.
public func withAlignedBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
}

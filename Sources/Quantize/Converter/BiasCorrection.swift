import Q8Build
import Foundation
import Graph
import Kernels
import Runtime

/// Empirical bias correction, layer by layer in program order: runs the int8 program and the float
/// graph on calibration images (up to 256, fewer for large inputs), takes each output channel's
/// mean error `E[dequantized int8 − float]` over the values the layer does not clamp (its int8
/// output strictly inside the op's activation range), and subtracts it from that channel's int32
/// bias, in bias units (input scale · weight scale). Each layer is measured after the layers
/// before it have been corrected, so the correction also covers the error they pass on.
///
/// Cost: every image keeps its own arena (the program is encoded with one region per tensor), so
/// each layer runs only the ops from the previously corrected one (whose output its new bias
/// changed) to its own, images in parallel; errors are summed in image order, so the result
/// does not depend on the core count.
///
/// Example: a channel whose int8 output reads 0.02 high on average, with bias scale 0.0001, gets
/// its bias lowered by 200.
func correctBiasesOnData(_ program: inout Q8Program, layers: [LayerQuantization], graph: Graph, inputs: [Float],
                         count: Int, progress: (Int, Int) -> Void = { _, _ in }) throws {
    let perImage = graph.inputShape.count
    let n = min(count, 256, max(8, 2_000_000 / max(perImage, 1)))
    let opOf = Dictionary(program.ops.enumerated().map { ($1.output, $0) }) { first, _ in first }
    let corrected = layers.filter { $0.bias != nil && opOf[$0.tensor] != nil }.sorted { opOf[$0.tensor]! < opOf[$1.tensor]! }
    guard n > 0, !corrected.isEmpty else { return }
    let floats = try floatOutputs(of: Set(corrected.map(\.floatNode)), graph: graph, inputs: inputs, count: n)

    let arenaBytes = try withAlignedBytes(program.encode(shareArena: false).bytes) { try Q8Model(bytes: $0).arenaBytes }
    let arenas = UnsafeMutableRawBufferPointer.allocate(byteCount: n * arenaBytes, alignment: 16)
    defer { arenas.deallocate() }
    let arenaBase = SendablePointer(arenas.baseAddress!.assumingMemoryBound(to: UInt8.self))
    let kernels = UncheckedSendable(KernelSet.best)  // function pointers only
    var firstOp = 0
    for (done, layer) in corrected.enumerated() {
        let (biasTensor, biasScales) = layer.bias!, opIndex = opOf[layer.tensor]!
        let op = program.ops[opIndex]
        let clampMin = op.parameters[op.parameters.count - 2], clampMax = op.parameters[op.parameters.count - 1]
        let channels = biasScales.count, f = floats[layer.floatNode]!
        // Per image, each channel's error sum and count.
        var errors = [Double](repeating: 0, count: n * channels), counts = [Int](repeating: 0, count: n * channels)
        try withAlignedBytes(program.encode(shareArena: false).bytes) { buffer in
            let q8 = try Q8Model(bytes: buffer)
            let input = q8.tensor(q8.inputTensor(0)), t = q8.tensor(layer.tensor)
            let (from, size) = (firstOp, t.count)
            errors.withUnsafeMutableBufferPointer { errors in
                counts.withUnsafeMutableBufferPointer { counts in
                    let (errorOut, countOut) = (SendablePointer(errors.baseAddress), SendablePointer(counts.baseAddress))
                    inputs.withUnsafeBufferPointer { x in
                        let pixels = SendablePointer(UnsafeMutablePointer(mutating: x.baseAddress!))
                        DispatchQueue.concurrentPerform(iterations: n) { i in
                            let arena = UnsafeMutableRawBufferPointer(start: arenaBase.pointer! + i * arenaBytes, count: arenaBytes)
                            // Validated above with the same arena size; only the op records at the end are rewritten.
                            let interpreter = try! Interpreter(model: q8, arena: arena, kernels: kernels.value)
                            if from == 0 {
                                quantize_f32_s8(input: pixels.pointer! + i * perImage, count: perImage, scale: input.scale,
                                                zeroPoint: input.zeroPoint, output: interpreter.input(0).baseAddress!)
                            }
                            for o in from...opIndex { interpreter.run(o) }
                            let y = (arena.baseAddress! + t.offset).assumingMemoryBound(to: Int8.self)
                            for j in 0..<size where Int32(y[j]) > clampMin && Int32(y[j]) < clampMax {
                                let c = i * channels + j % channels
                                errorOut.pointer![c] += Double(t.scale) * Double(Int32(y[j]) - t.zeroPoint) - Double(f[i * size + j])
                                countOut.pointer![c] += 1
                            }
                        }
                    }
                }
            }
        }
        var bias = program.tensors[biasTensor].constant!
        for c in 0..<channels {
            let counted = (0..<n).reduce(0) { $0 + counts[$1 * channels + c] }
            guard counted > 0 else { continue }
            let error = (0..<n).reduce(0.0) { $0 + errors[$1 * channels + c] }
            let at = 4 * c
            let old = bias.withUnsafeBytes { Int32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int32.self)) }
            let shift = (-error / Double(counted) / biasScales[c]).rounded(.toNearestOrAwayFromZero)
            let new = Int32(max(Double(Int32.min), min(Double(Int32.max), Double(old) + shift)))
            withUnsafeBytes(of: new.littleEndian) { bias.replaceSubrange(at..<(at + 4), with: $0) }
        }
        program.tensors[biasTensor].constant = bias
        firstOp = opIndex  // its output changes with the new bias
        progress(done + 1, corrected.count)
    }
}

/// The float outputs of `nodes` for the first `count` images, image after image (`count ×
/// shape.count` values per node), run on all cores.
func floatOutputs(of nodes: Set<Int>, graph: Graph, inputs: [Float], count: Int) throws -> [Int: [Float]] {
    let executor = try FloatExecutor(graph)
    let lanes = observeInParallel(executor, inputs: inputs, count: count, start: { [(Range<Int>, Int, [Float])]() }) {
        (seen: inout [(Range<Int>, Int, [Float])], images, node, values) in
        if nodes.contains(node) { seen.append((images, node, Array(values))) }
    }
    var outputs = [Int: [Float]]()
    for node in nodes { outputs[node] = [Float](repeating: 0, count: count * executor.shapes[node].count) }
    for (images, node, values) in lanes.joined() {
        let size = executor.shapes[node].count
        outputs[node]!.replaceSubrange((images.lowerBound * size)..<(images.upperBound * size), with: values)
    }
    return outputs
}

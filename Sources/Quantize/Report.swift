import Q8Build
import Foundation
import Graph
import Kernels
import Runtime

/// How well one layer's int8 output tracks the float activation it stands for.
public struct LayerReport: Codable, Sendable {
    public var name: String
    public var op: String
    public var scale: Float
    public var zeroPoint: Int
    /// Observed float range during calibration.
    public var observedMin: Float
    public var observedMax: Float
    /// Signal-to-quantization-noise ratio in dB: 10·log10(Σ f² / Σ (f − dequantized int8)²).
    public var sqnrDB: Double
    /// Percent of float values more than half a step outside the int8 range (saturated).
    public var clippedPercent: Double
}

/// Runs the float graph and the int8 program (every tensor kept in its own arena region, the
/// best kernels this CPU has: the same bytes as the reference) on the same inputs and compares
/// each layer's output. Returned worst SQNR first.
public func layerReports(_ model: Model, _ conversion: Conversion, inputs: [Float], count: Int) throws -> [LayerReport] {
    let executor = try FloatExecutor(conversion.floatGraph)
    let perImage = conversion.floatGraph.inputShape.count
    return try withAlignedBytes(conversion.program.encode(shareArena: false).bytes) { buffer in
        let q8 = try Q8Model(bytes: buffer)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: q8.arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena, kernels: .best)
        let inputTensor = q8.tensor(q8.inputTensor(0))
        var signal = [Double](repeating: 0, count: conversion.layers.count)
        var noise = signal, clipped = signal, total = signal
        let wanted = Dictionary(grouping: conversion.layers.indices, by: { conversion.layers[$0].floatNode })
        for i in 0..<count {
            let x = Array(inputs[(i * perImage)..<((i + 1) * perImage)])
            var floats = [Int: [Float]]()
            _ = executor.run(x, batch: 1) { node, values in if wanted[node] != nil { floats[node] = Array(values) } }
            x.withUnsafeBufferPointer {
                quantize_f32_s8(input: $0.baseAddress!, count: perImage, scale: inputTensor.scale, zeroPoint: inputTensor.zeroPoint,
                                output: interpreter.input(0).baseAddress!)
            }
            interpreter.invoke()
            for (k, layer) in conversion.layers.enumerated() {
                guard let f = floats[layer.floatNode] else { continue }
                let t = q8.tensor(layer.tensor)
                let q = (arena.baseAddress! + t.offset).assumingMemoryBound(to: Int8.self)
                // Clipped: beyond the representable range by more than the half step rounding covers.
                let half = layer.quantization.scale / 2
                let lo = layer.quantization.dequantize(-128) - half, hi = layer.quantization.dequantize(127) + half
                for j in 0..<min(t.count, f.count) {
                    let d = Double(t.scale) * Double(Int32(q[j]) - t.zeroPoint)
                    signal[k] += Double(f[j]) * Double(f[j])
                    noise[k] += (Double(f[j]) - d) * (Double(f[j]) - d)
                    if f[j] < lo || f[j] > hi { clipped[k] += 1 }
                    total[k] += 1
                }
            }
        }
        return conversion.layers.enumerated().map { k, layer in
            LayerReport(name: layer.name, op: layer.op, scale: layer.quantization.scale, zeroPoint: layer.quantization.zeroPoint,
                        observedMin: layer.observed.min, observedMax: layer.observed.max,
                        sqnrDB: noise[k] == 0 ? 99 : 10 * log10(max(signal[k], 1e-30) / noise[k]),
                        clippedPercent: total[k] == 0 ? 0 : 100 * clipped[k] / total[k])
        }.sorted { $0.sqnrDB < $1.sqnrDB }
    }
}

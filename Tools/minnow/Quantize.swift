import AtomicWrite
import ArgumentParser
import Foundation
import Data
import Graph
import Quantize
import Q8Build
import Runtime
import Train

struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Convert a float model.bin to an int8 model.q8, calibrating on real images.",
        discussion: "Writes model.q8 beside the input unless -o is given; never overwrites the input.")

    @Argument(help: "A float model (model.bin).")
    var model: String

    @OptionGroup var data: DataOptions

    @OptionGroup var normalization: NormalizationOptions

    @Option(help: "Calibration samples as a NumPy .npy array [N, ...] in the model's own input layout (an imported model's), instead of --dataset images.")
    var calibration: String?

    @Option(help: "How many calibration images to use.")
    var samples = 1000

    @Option(help: "Calibration method: \(CalibrationMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method = "percentile"

    @Option(name: [.customShort("o"), .long], help: "Output path (default: the input with .q8).")
    var output: String?

    @Flag(inversion: .prefixedNo, help: "Correct each channel's bias for the mean error quantization causes, measured on the calibration images.")
    var biasCorrection = true

    @Flag(help: "Equalize the weight ranges of consecutive convolutions first (ReLU6 between them becomes ReLU).")
    var equalize = false

    @Flag(inversion: .prefixedNo, help: "Widen narrow activation channels wherever rescaling keeps the function (through ReLU, pools, shuffle, concat, add), the convolutions that read them taking the inverse.")
    var equalizeActivations = true

    @Flag(inversion: .prefixedNo, help: "Round each weight up or down to minimize its layer's output error on the calibration images, not the weight's own.")
    var adaptiveRounding = true

    @Flag(inversion: .prefixedNo, help: "Try wider and narrower clipping for each activation range and keep what brings the model's output closest to float.")
    var searchRanges = true

    @Flag(inversion: .prefixedNo,
          help: "Also store convolution filters packed for the GEMM kernels (AVX2, AVX-VNNI, AVX-512 VNNI, SDOT: the fastest layout; the file grows by the conv weights; the reference, NEON and DSP kernels read the plain copy).")
    var packWeights = true

    @Flag(inversion: .prefixedNo, help: "Let convolutions write over their dying input, row by row (a smaller arena; those convolutions then run on one thread).")
    var inPlace = true

    @Option(help: "Draw the per-layer SQNR as a bar chart into this PNG file.")
    var plot: String?

    @Option(help: "Write the per-layer report (SQNR, scales, clipping) as JSON to this file.")
    var report: String?

    @Option(help: "Images for the per-layer report.")
    var reportImages = 100

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if CalibrationMethod(rawValue: method) == nil {
            throw ValidationError("unknown method '\(method)'; choose \(CalibrationMethod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var outputPath: String {
        output ?? (model.hasSuffix(".bin") ? String(model.dropLast(4)) : model) + ".q8"
    }

    func run() throws {
        let destination = outputPath
        try checkOutputs([("-o", destination)] + [report.map { ("--report", $0) }, plot.map { ("--plot", $0) }].compactMap { $0 },
                         reads: [model] + [calibration].compactMap { $0 })
        var m = try ModelFile.read(path: model)
        try normalization.apply(to: &m)
        let shape = m.graph.inputShape
        let inputs: [Float], count: Int, source: String
        var reportInputs: [Float] = []
        if let calibration {
            let layout = NPYLayout(layout: m.inputLayout, memory: shape.dims)
            let (n, values) = try layout.samples(try NPYArray.read(path: calibration), path: calibration, what: "the model's input")
            guard n >= 1 else { throw ValidationFailure("\(calibration): holds no samples") }
            guard values.allSatisfy(\.isFinite) else { throw ValidationFailure("\(calibration): holds a value that is not finite") }
            count = min(n, samples)
            inputs = Array(values.prefix(count * shape.count))
            reportInputs = Array(inputs.prefix(min(reportImages, count) * shape.count))
            source = "\(count) samples of \(calibration)"
        } else {
            let images = try data.load(width: shape.width, height: shape.height, channels: shape.channels).prefix(samples)
            count = images.count
            inputs = m.normalizedInputs(images)
            reportInputs = m.normalizedInputs(images.prefix(reportImages))
            source = "\(count) images"
        }
        let start = Date()
        let options = ConversionOptions(method: CalibrationMethod(rawValue: method)!, biasCorrection: biasCorrection, equalize: equalize,
                                        equalizeActivations: equalizeActivations, adaptiveRounding: adaptiveRounding,
                                        searchRanges: searchRanges, packWeights: packWeights)
        var bar: ProgressBar?
        var conversion: Conversion
        do {
            conversion = try convert(m, calibration: inputs, count: count, options: options) { stage, done, total in
                if bar?.label != stage {
                    bar?.finish()
                    bar = ProgressBar(stage, total: total)
                }
                bar?.show(done, "")
            }
        } catch let error as Q8Error {
            throw ValidationFailure("\(model): cannot be quantized: its int8 form is invalid (\(error)); nothing written")
        } catch let error as CalibrationError {
            throw ValidationFailure("\(model): cannot be quantized: \(error); nothing written")
        }
        bar?.finish()
        conversion.program.inPlaceConvolutions = inPlace
        let plan = try writeValidated(conversion.program, to: destination)
        let ops = conversion.program.ops.count
        let weights = conversion.program.tensors.compactMap(\.constant).reduce(0) { $0 + $1.count }
        let layers = try layerReports(m, conversion, inputs: reportInputs, count: min(reportImages, count))
        print(table(header: ["layer", "op", "scale", "zero", "observed range", "SQNR dB", "clipped %"], rows: layers.map { l in
            [l.name, l.op, String(format: "%.5g", l.scale), "\(l.zeroPoint)", String(format: "[%.3g, %.3g]", l.observedMin, l.observedMax),
             String(format: "%.1f", l.sqnrDB), String(format: "%.3f", l.clippedPercent)]
        }, rightAligned: [2, 3, 5, 6]))
        if let report {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try writeAtomically(encoder.encode(QuantizationReport(stages: conversion.stages, layers: layers)), to: report)
        }
        if let plot { try PNG.write(sqnrChart(layers), to: plot) }
        print("stages: " + conversion.stages.map { String(format: "%@ %.1f s", $0.name, $0.seconds) }.joined(separator: ", "))
        print("wrote \(destination): \(ops) int8 ops, \(grouped(weights)) bytes of weights and constants, "
              + "\(arenaLine(activations: plan.peak, ops: ops)), "
              + "calibrated on \(source) by \(method)\(biasCorrection ? " with bias correction" : " without bias correction")\(adaptiveRounding ? ", adaptive rounding" : "")\(searchRanges ? ", ranges searched" : "")\(equalize ? ", \(conversion.equalizedPairs) pairs equalized" : "")\(equalizeActivations ? ", \(conversion.equalizedClasses) channel classes equalized" : "") in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}

/// What `--report` writes: each conversion stage's time, then each layer's SQNR and clipping.
struct QuantizationReport: Encodable {
    var stages: [ConversionStage]
    var layers: [LayerReport]
}

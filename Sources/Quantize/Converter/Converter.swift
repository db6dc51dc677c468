import Q8Build
import Foundation
import Graph
import Runtime

/// What `convert` does beyond plain post-training quantization. The defaults are the shipped
/// ones (`minnow quantize` without flags, except `packWeights`, which the CLI turns on).
public struct ConversionOptions: Sendable, Equatable {
    /// How each activation's range is taken from the calibration values.
    public var method: CalibrationMethod
    /// Take each channel's mean quantization error, measured on the calibration images, out of its bias.
    public var biasCorrection: Bool
    /// Cross-layer equalization of consecutive convolutions from their weights (ReLU6 between them becomes ReLU).
    public var equalize: Bool
    /// Widen narrow activation channels wherever rescaling keeps the function (`equalizeActivationRanges`).
    public var equalizeActivations: Bool
    /// Round each weight row to minimize its layer's output error (`roundMinimizingOutputError`).
    public var adaptiveRounding: Bool
    /// Try wider and narrower clippings per activation range, keep what is closest to float at the output.
    public var searchRanges: Bool
    /// Also store conv filters in the packed `convQuads8` layout the GEMM kernels read.
    public var packWeights: Bool

    public init(method: CalibrationMethod = .percentile, biasCorrection: Bool = true, equalize: Bool = false,
                equalizeActivations: Bool = true, adaptiveRounding: Bool = true, searchRanges: Bool = true,
                packWeights: Bool = false) {
        self.method = method
        self.biasCorrection = biasCorrection
        self.equalize = equalize
        self.equalizeActivations = equalizeActivations
        self.adaptiveRounding = adaptiveRounding
        self.searchRanges = searchRanges
        self.packWeights = packWeights
    }
}

/// How long one stage of a conversion took (wall clock), for `--report` and the CLI's summary.
public struct ConversionStage: Codable, Sendable {
    public var name: String
    public var seconds: Double
}

/// Hears a running conversion: the stage's name, the units of work done and its total (images,
/// candidate ranges or layers; the name says which). Called from the converting thread.
public typealias ConversionProgress = (_ stage: String, _ done: Int, _ total: Int) -> Void

/// Per-layer facts of a conversion, for reports.
public struct LayerQuantization: Sendable {
    public var name: String
    public var op: String
    /// The float node whose output the layer's int8 output stands for.
    public var floatNode: Int
    public var tensor: Int
    public var quantization: AffineQuantization
    /// The observed float range before it was widened to hold 0 (and shared).
    public var observed: (min: Float, max: Float)
    /// For conv and dense layers: the int32 bias tensor and each channel's bias scale
    /// (input scale · weight scale).
    public var bias: (tensor: Int, scales: [Double])?
}

public struct Conversion: Sendable {
    public var program: Q8Program
    public var layers: [LayerQuantization]
    /// The float graph the program stands for: the model's, or its equalized rewrite.
    public var floatGraph: Graph
    /// Convolution pairs cross-layer equalization rescaled (0 without `equalize`).
    public var equalizedPairs: Int
    /// Channel classes activation equalization rescaled (0 without `equalizeActivations`).
    public var equalizedClasses: Int
    /// Each stage's wall-clock time, in the order they ran.
    public var stages: [ConversionStage]
}

/// Converts a float model to an int8 program (TFLite-compatible arithmetic), in stages:
///
/// 1. `equalize` (with `options.equalize` / `equalizeActivations`): rescales the float graph
///    without changing its function (`equalizeCrossLayer`, `equalizeActivationRanges`);
/// 2. `lower`: batch norm folded, ReLU/ReLU6 fused, dropout dropped;
/// 3. `calibrate`: runs the float graph over the calibration inputs (`ActivationStatistics`);
/// 4. `choose ranges`: one quantization per group of tensors that must share it
///    (`ActivationRanges`); `search ranges` (with `searchRanges`) then tries other clippings;
/// 5. `input moments` (with `adaptiveRounding`): the input covariance of every weight row;
/// 6. `quantize weights`: per-channel weights, int32 biases and requantization constants, one
///    model.q8 op per lowered node (`emitProgram`);
/// 7. `correct biases` (with `biasCorrection`): each channel's mean output error, measured layer
///    by layer on the calibration images, comes out of its bias (`correctBiasesOnData`).
///
/// `calibration` holds `count` inputs, already normalized, NHWC. Every pass over the calibration
/// images runs on all cores, and the result does not depend on how many there are.
public func convert(_ model: Model, calibration: [Float], count: Int, options: ConversionOptions = ConversionOptions(),
                    progress: ConversionProgress = { _, _, _ in }) throws -> Conversion {
    var clock = StageClock()
    var graph = model.graph, pairs = 0, classes = 0
    if options.equalize || options.equalizeActivations {
        try clock.measure("equalize") {
            if options.equalize { (graph, pairs) = equalizeCrossLayer(graph) }
            guard options.equalizeActivations else { return }
            let groups = floatNodeGroups(requantizingSharedInputs(try lower(graph)))
            let nodes = Set(groups.joined()), shapes = try graph.inferShapes()
            // Channel extremes on as many images as the histograms take.
            let images = min(count, ActivationStatistics.histogramImages(largestNode: nodes.map { shapes[$0].count }.max() ?? 1))
            let ranges = try channelAbsoluteMaxima(graph, nodes: nodes, inputs: calibration, count: images) {
                progress("equalize (images)", $0, images)
            }
            (graph, classes) = try equalizeActivationRanges(graph, channelRanges: ranges, groups: groups)
        }
    }
    let lowered = requantizingSharedInputs(try lower(graph))
    let stats = try clock.measure("calibrate") {
        try ActivationStatistics(graph: graph, nodes: Set(lowered.map(\.value)), inputs: calibration, count: count) {
            // Two passes over the images: each activation's range, then its histogram.
            $0 <= count ? progress("calibrate: ranges (images)", $0, count) : progress("calibrate: histograms (images)", $0 - count, count)
        }
    }
    var ranges = clock.measure("choose ranges") {
        ActivationRanges(lowered, statistics: stats, normalization: model.normalization, method: options.method,
                         observedInput: model.inputLayout == nil ? nil : observedRange(calibration.prefix(count * graph.inputShape.count)))
    }
    if options.searchRanges {
        try clock.measure("search ranges") {
            try ranges.searchForOutput(graph: graph, statistics: stats, inputs: calibration, count: count) {
                progress("search ranges (candidates)", $0, $1)
            }
        }
    }
    let moments = options.adaptiveRounding
        ? try clock.measure("input moments") {
            try inputMoments(lowered, graph: graph, inputs: calibration, count: count) { progress("input moments (images)", $0, $1) }
        }
        : [:]
    var (program, layers) = clock.measure("quantize weights") {
        emitProgram(lowered, ranges: ranges, statistics: stats, moments: moments, model: model, graph: graph,
                    options: options)
    }
    if options.biasCorrection {
        try clock.measure("correct biases") {
            try correctBiasesOnData(&program, layers: layers, graph: graph, inputs: calibration, count: count) {
                progress("correct biases (layers)", $0, $1)
            }
        }
    }
    return Conversion(program: program, layers: layers, floatGraph: graph, equalizedPairs: pairs, equalizedClasses: classes,
                      stages: clock.stages)
}

/// Wall-clock times of named stages, in order.
struct StageClock {
    var stages: [ConversionStage] = []

    mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        stages.append(ConversionStage(name: name, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
        return result
    }
}

/// For each lowered node, the node that stands for its quantization group: ops that copy or
/// compare bytes (`sharesInputQuantization`) share their inputs' quantization.
func quantizationGroups(_ lowered: [LoweredNode]) -> [Int] {
    var parent = Array(lowered.indices)
    func root(_ i: Int) -> Int { parent[i] == i ? i : root(parent[i]) }
    for (i, node) in lowered.enumerated() where node.op.sharesInputQuantization {
        for input in node.inputs { parent[root(input)] = root(i) }
    }
    return lowered.indices.map(root)
}

/// The float nodes whose values each quantization group of `lowered` stands for.
func floatNodeGroups(_ lowered: [LoweredNode]) -> [[Int]] {
    let roots = quantizationGroups(lowered)
    return Dictionary(grouping: lowered.indices, by: { roots[$0] }).values.map { $0.map { lowered[$0].value } }
}

/// The smallest range holding every value and 0 (an imported model's inputs are whatever its
/// user feeds, not pixels under a known normalization).
func observedRange<C: Collection<Float>>(_ values: C) -> (Float, Float) {
    values.reduce((Float(0), Float(0))) { (min($0.0, $1), max($0.1, $1)) }
}

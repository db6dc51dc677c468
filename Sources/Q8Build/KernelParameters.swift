import Foundation
import Runtime

/// Parameters of TFLite's int8 ADD: both inputs scaled to `2 · max(scale1, scale2)` with 20 bits
/// of headroom, computed in double as TFLite's `Prepare` does.
public func addParams(input1: AffineQuantization, input2: AffineQuantization, output: AffineQuantization,
                      activation: FusedActivation) -> AddParams {
    let twiceMaxInputScale = 2 * Double(max(input1.scale, input2.scale))
    let m1 = quantizeMultiplier(Double(input1.scale) / twiceMaxInputScale)
    let m2 = quantizeMultiplier(Double(input2.scale) / twiceMaxInputScale)
    let mo = quantizeMultiplier(twiceMaxInputScale / (Double(1 << AddParams.leftShift) * Double(output.scale)))
    let clamp = activation.range(scale: output.scale, zeroPoint: Int32(output.zeroPoint))
    return AddParams(input1ZeroPoint: Int32(input1.zeroPoint), input2ZeroPoint: Int32(input2.zeroPoint),
                     outputZeroPoint: Int32(output.zeroPoint), input1Multiplier: m1.multiplier, input1Shift: m1.shift,
                     input2Multiplier: m2.multiplier, input2Shift: m2.shift, outputMultiplier: mo.multiplier,
                     outputShift: mo.shift, activationMin: clamp.min, activationMax: clamp.max)
}

/// Parameters of TFLite's int8 MUL (`CalculateOpDataMul`): `scale1 · scale2 / outputScale` in
/// double, as `QuantizeMultiplier` makes it, and the output clamp `clamp` (from the fused activation).
/// Example: scales 0.5 and 0.5 into 0.25: multiplier 2^30, shift 1.
public func mulParams(input1: AffineQuantization, input2: AffineQuantization, output: AffineQuantization,
                      clamp: (min: Int32, max: Int32)) -> MulParams {
    let m = quantizeMultiplier(Double(input1.scale) * Double(input2.scale) / Double(output.scale))
    return MulParams(input1ZeroPoint: Int32(input1.zeroPoint), input2ZeroPoint: Int32(input2.zeroPoint),
                     outputZeroPoint: Int32(output.zeroPoint), outputMultiplier: m.multiplier, outputShift: m.shift,
                     activationMin: clamp.min, activationMax: clamp.max)
}

/// Parameters of TFLite's int8 softmax for `rows` vectors of `depth` values:
/// `beta · inputScale · 2^26` (capped at 2^31 − 1) as a multiplier with a left shift, and
/// `diffMin = −floor((2^5 − 1) · 2^26 / 2^leftShift)`, the most negative difference counted.
public func softmaxParams(beta: Float, inputScale: Float, rows: Int, depth: Int) -> SoftmaxParams {
    let integerBits = 5
    let real = min(Double(beta) * Double(inputScale) * Double(1 << (31 - integerBits)), Double((1 << 31) - 1))
    let (multiplier, shift) = quantizeMultiplier(real)
    let radius = Double((1 << integerBits) - 1) * Double(1 << (31 - integerBits)) / pow(2, Double(shift))
    return SoftmaxParams(rows: rows, depth: depth, inputMultiplier: multiplier, inputLeftShift: shift,
                         diffMin: radius.isFinite ? -Int32(min(radius.rounded(.down), Double(Int32.max))) : Int32.min)
}

/// Parameters of the int8 mean over H and W: `inputScale / outputScale` in double.
public func meanParams(input: ImageShape, inputQuantization: AffineQuantization,
                       outputQuantization: AffineQuantization) -> MeanParams {
    let (multiplier, shift) = quantizeMultiplier(Double(inputQuantization.scale) / Double(outputQuantization.scale))
    return MeanParams(input: input, inputZeroPoint: Int32(inputQuantization.zeroPoint),
                      outputZeroPoint: Int32(outputQuantization.zeroPoint), multiplier: multiplier, shift: shift)
}

/// The 256-entry table of an element-wise function: entry `q + 128` holds
/// `clamp(round(f(inputScale · (q − inputZeroPoint)) / outputScale) + outputZeroPoint)`, with
/// `f` evaluated in double. Exact to the float function, so within one step of TFLite's
/// fixed-point evaluations.
public func lookupTable(input: AffineQuantization, output: AffineQuantization, _ f: (Double) -> Double) -> [Int8] {
    (-128...127).map { q in
        let x = Double(input.scale) * Double(q - input.zeroPoint)
        let y = (f(x) / Double(output.scale)).rounded(.toNearestOrAwayFromZero) + Double(output.zeroPoint)
        return Int8(min(max(y.isNaN ? Double(output.zeroPoint) : y, -128), 127))
    }
}

/// Source indices of TFLite's RESIZE_NEAREST_NEIGHBOR along one axis, in float32:
/// `scale = (in − 1) / (out − 1)` with align-corners (and out > 1), else `in / out`; offset 0.5
/// with half-pixel centers; source `min(round((o + offset) · scale), in − 1)` with align-corners,
/// else `min(floor((o + offset) · scale), in − 1)`.
public func nearestSourceIndices(input: Int, output: Int, alignCorners: Bool, halfPixelCenters: Bool) -> [Int32] {
    let scale: Float = alignCorners && output > 1 ? Float(input - 1) / Float(output - 1) : Float(input) / Float(output)
    let offset: Float = halfPixelCenters ? 0.5 : 0
    return (0..<output).map { o in
        let position = (Float(o) + offset) * scale
        let source = alignCorners ? position.rounded(.toNearestOrAwayFromZero) : position.rounded(.down)
        return Int32(min(Int(source), input - 1))
    }
}

/// TFLite's integer bilinear taps along one axis (`ResizeBilinearInteger`): per output index,
/// the source indices below and above and the position's fraction past the lower one in 1/1024
/// (negative or past 1024 at the edges, where both indices agree). The scale is
/// `round(1024 · input / output)` (`(input − 1) / (output − 1)` with align-corners); half-pixel
/// centres shift the position by half an output step minus half an input step.
/// Example: 2 → 4 with half-pixel centres: (0, 0, −256), (0, 1, 256), (0, 1, 768), (1, 1, 256).
public func bilinearTaps(input: Int, output: Int, alignCorners: Bool, halfPixelCenters: Bool) -> [Int32] {
    var scale = ((1 << 10) * input + output / 2) / output
    if alignCorners && output > 1 { scale = ((1 << 10) * (input - 1) + (output - 1) / 2) / (output - 1) }
    var taps: [Int32] = []
    for o in 0..<output {
        let position = halfPixelCenters ? o * scale + scale / 2 - (1 << 9) : o * scale
        let lower = max(position / (1 << 10), 0), upper = min((position + (1 << 10) - 1) / (1 << 10), input - 1)
        taps += [Int32(lower), Int32(upper), Int32(position - (1 << 10) * lower)]
    }
    return taps
}

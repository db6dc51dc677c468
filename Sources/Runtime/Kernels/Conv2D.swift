/// Parameters of an int8 convolution (standard, grouped or depthwise), batch 1.
///
/// Padding is explicit (`padTop`, `padLeft`; the bottom/right padding follows from the output
/// size). Activations are asymmetric int8; weights symmetric int8 in [−127, 127] (zero point 0);
/// the bias is int32 at scale `inputScale · weightScale[c]`. The output clamp
/// `[activationMin, activationMax]` carries the fused ReLU/ReLU6.
public struct Conv2DParams {
    public var input: ImageShape
    public var output: ImageShape
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    public var padTop: Int, padLeft: Int
    /// Input channels are split into `groups` equal groups; output channel `o` reads group
    /// `o / (Cout / groups)`. Depthwise convolutions use `dwconv2d_s8` instead.
    public var groups: Int
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    public var activationMin: Int32
    public var activationMax: Int32
    /// Scratch memory from the arena, as large as the op's contract says (`Conv2DOp.scratchBytes`,
    /// the transposed convolution's accumulators), or nil.
    public var scratch: UnsafeMutableRawPointer? = nil

    public init(input: ImageShape, output: ImageShape, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
                dilationH: Int, dilationW: Int, padTop: Int, padLeft: Int, groups: Int,
                inputZeroPoint: Int32, outputZeroPoint: Int32, activationMin: Int32, activationMax: Int32) {
        self.input = input
        self.output = output
        self.kernelH = kernelH
        self.kernelW = kernelW
        self.strideH = strideH
        self.strideW = strideW
        self.dilationH = dilationH
        self.dilationW = dilationW
        self.padTop = padTop
        self.padLeft = padLeft
        self.groups = groups
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.activationMin = activationMin
        self.activationMax = activationMax
    }
}

extension Conv2DParams {
    /// These parameters for output rows `rows` only (the output pointer then starts at the first
    /// of them): the same windows, as the padding above moves with the first row.
    @inlinable
    public func rows(_ rows: Range<Int>, scratch: UnsafeMutableRawPointer?) -> Conv2DParams {
        var p = self
        p.output.height = rows.count
        p.padTop -= rows.lowerBound * strideH
        if let scratch { p.scratch = scratch }
        return p
    }
}

/// Reference int8 convolution (TFLite's per-channel `ConvPerChannel`):
///
/// `acc = bias[o] + Σ_{ky,kx,i} (input[y·sh − padTop + ky·dh, x·sw − padLeft + kx·dw, g·Cg + i] − inputZeroPoint) · filter[o, ky, kx, i]`
/// over taps inside the image, then `out = clamp(requantize(acc, o) &+ outputZeroPoint)`.
///
/// - `input`: `[H, W, Cin]`; `filter`: `[Cout, KH, KW, Cin / groups]` (OHWI); `bias`: `[Cout]` or nil;
///   `output`: `[OH, OW, Cout]`.
/// - Worked example: one 1×1 tap, input 10 with zero point −2, weight 3, bias 4 →
///   acc = 4 + (10 + 2) · 3 = 40; multiplier 2^30, shift −2 (×1/8) → 5; output zero point −1 → 4.
public func conv2d_s8(_ p: Conv2DParams, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
                      bias: UnsafePointer<Int32>?, requantization: ChannelRequantization,
                      output: UnsafeMutablePointer<Int8>) {
    let cinPerGroup = p.input.channels / p.groups
    let coutPerGroup = p.output.channels / p.groups
    for oy in 0..<p.output.height {
        for ox in 0..<p.output.width {
            for o in 0..<p.output.channels {
                let group = o / coutPerGroup
                var acc: Int32 = bias?[o] ?? 0
                for ky in 0..<p.kernelH {
                    let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                    if iy < 0 || iy >= p.input.height { continue }
                    for kx in 0..<p.kernelW {
                        let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                        if ix < 0 || ix >= p.input.width { continue }
                        let src = input + (iy * p.input.width + ix) * p.input.channels + group * cinPerGroup
                        let w = filter + ((o * p.kernelH + ky) * p.kernelW + kx) * cinPerGroup
                        for i in 0..<cinPerGroup {
                            acc &+= (Int32(src[i]) - p.inputZeroPoint) * Int32(w[i])
                        }
                    }
                }
                let scaled = requantization.apply(acc, channel: o) &+ p.outputZeroPoint
                output[(oy * p.output.width + ox) * p.output.channels + o] = clampToInt8(scaled, p.activationMin, p.activationMax)
            }
        }
    }
}

import Foundation

/// One operation of a float inference graph. Tensors are NHWC; the batch is implicit.
/// Weights live in `Node.parameters` in the order each case documents.
public enum Op: Hashable, Sendable {
    /// The graph input (an image `H×W×C`). Exactly one, always node 0.
    case input(Shape)
    /// Convolution; parameters: weight `[Cout, KH, KW, Cin / groups]` (OHWI), then bias `[Cout]`
    /// if `hasBias`. `groups == Cin` is a depthwise convolution with multiplier `Cout / Cin`.
    case conv2d(Conv2D)
    /// Transposed convolution; parameters: weight `[Cout, KH, KW, Cin]`, then bias `[Cout]`.
    case transposedConv2d(TransposedConv2D)
    /// Fully connected layer over a vector `[Cin]`; parameters: weight `[Cout, Cin]`, bias `[Cout]`.
    case dense(outFeatures: Int, hasBias: Bool)
    /// Batch normalization over the last axis; parameters: gamma, beta, running mean,
    /// running variance, each `[C]`. y = gamma · (x − mean) / sqrt(variance + epsilon) + beta.
    case batchNorm(epsilon: Float)
    case activation(Activation)
    case maxPool(Pool)
    /// Average pool; padded cells are not counted (TFLite's rule).
    case averagePool(Pool)
    /// Mean over H and W: `H×W×C` → `C`.
    case globalAveragePool
    /// Element-wise sum of two tensors of the same shape (a residual connection).
    case add
    /// Element-wise product of two tensors: the second of the first's shape, or one value per
    /// channel (`[C]`, any shape of C values, broadcast over H and W: a squeeze-excitation gate).
    case mul
    /// Concatenation of images along the channel axis (2 or more inputs, same H and W).
    case concat
    /// ShuffleNet's channel shuffle: view C as `[groups, C / groups]`, transpose, flatten.
    case channelShuffle(groups: Int)
    /// Reinterpret one example's elements with a new shape of the same count.
    case reshape(Shape)
    /// Flatten an image to a vector in NHWC order.
    case flatten
    /// Zero padding of an image's H and W.
    case zeroPad(top: Int, left: Int, bottom: Int, right: Int)
    /// Nearest-neighbour upsampling by whole factors.
    case upsampleNearest(scaleH: Int, scaleW: Int)
    /// Bilinear resize of an image to `height × width` (TFLite's rule: `BilinearAxis`).
    case resizeBilinear(height: Int, width: Int, alignCorners: Bool, halfPixelCenters: Bool)
    /// Softmax over the last axis.
    case softmax
    /// Dropout: identity at inference; `rate` is used by the trainer only.
    case dropout(rate: Float)
}

/// Element-wise nonlinearities.
public enum Activation: Hashable, Sendable, CustomStringConvertible {
    case relu
    /// min(max(x, 0), 6)
    case relu6
    /// x for x ≥ 0, alpha · x otherwise
    case leakyRelu(alpha: Float)
    /// x · relu6(x + 3) / 6
    case hardSwish
    /// relu6(x + 3) / 6 (the gate of MobileNetV3's squeeze-excitation)
    case hardSigmoid
    case sigmoid
    case tanh

    public var description: String {
        switch self {
        case .relu: return "relu"
        case .relu6: return "relu6"
        case let .leakyRelu(alpha): return "leaky_relu(\(alpha))"
        case .hardSwish: return "hard_swish"
        case .hardSigmoid: return "hard_sigmoid"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        }
    }

    /// The function itself, on one value.
    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case let .leakyRelu(alpha): return x >= 0 ? x : alpha * x
        case .hardSwish: return x * min(max(x + 3, 0), 6) / 6
        case .hardSigmoid: return min(max(x + 3, 0), 6) / 6
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .tanh: return Foundation.tanh(x)
        }
    }
}

/// Attributes of a 2-D convolution (standard, grouped, depthwise, dilated).
public struct Conv2D: Hashable, Sendable {
    public var outChannels: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    public var padding: Padding
    public var groups: Int
    public var hasBias: Bool

    public init(outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                dilation: (Int, Int) = (1, 1), padding: Padding = .same, groups: Int = 1,
                hasBias: Bool = true) {
        self.outChannels = outChannels
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (dilationH, dilationW) = dilation
        self.padding = padding
        self.groups = groups
        self.hasBias = hasBias
    }
}

/// Attributes of a transposed convolution. The output is the input of the forward convolution
/// (kernel, stride, padding) whose output is this op's input, plus `outputPadding` extra rows and
/// columns at the bottom/right. With `.same`: out = in · stride + outputPadding; with `.valid`:
/// out = (in − 1) · stride + k + outputPadding; with explicit padding p:
/// out = (in − 1) · stride + k − top − bottom + outputPadding.
public struct TransposedConv2D: Hashable, Sendable {
    public var outChannels: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padding: Padding
    public var outputPaddingH: Int, outputPaddingW: Int
    public var hasBias: Bool

    public init(outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .same, outputPadding: (Int, Int) = (0, 0), hasBias: Bool = true) {
        self.outChannels = outChannels
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        self.padding = padding
        (outputPaddingH, outputPaddingW) = outputPadding
        self.hasBias = hasBias
    }
}

/// Attributes of a pooling window.
public struct Pool: Hashable, Sendable {
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padding: Padding

    public init(kernel: (Int, Int), stride: (Int, Int), padding: Padding = .valid) {
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        self.padding = padding
    }
}

extension Op {
    /// The op's name as `minnow inspect` prints it.
    public var name: String {
        switch self {
        case .input: return "input"
        case .conv2d: return "conv2d"
        case .transposedConv2d: return "transposed_conv2d"
        case .dense: return "dense"
        case .batchNorm: return "batch_norm"
        case let .activation(a): return a.description
        case .maxPool: return "max_pool"
        case .averagePool: return "average_pool"
        case .globalAveragePool: return "global_average_pool"
        case .add: return "add"
        case .mul: return "mul"
        case .concat: return "concat"
        case .channelShuffle: return "channel_shuffle"
        case .reshape: return "reshape"
        case .flatten: return "flatten"
        case .zeroPad: return "zero_pad"
        case .upsampleNearest: return "upsample_nearest"
        case .resizeBilinear: return "resize_bilinear"
        case .softmax: return "softmax"
        case .dropout: return "dropout"
        }
    }

    /// The op's attributes in one short line, e.g. `3×3 s2 d1 same g32 +bias`.
    public var attributeSummary: String {
        switch self {
        case let .input(s): return "\(s)"
        case let .conv2d(c):
            var parts = ["\(c.outChannels)ch", "\(c.kernelH)×\(c.kernelW)", "s\(c.strideH)x\(c.strideW)"]
            if c.dilationH != 1 || c.dilationW != 1 { parts.append("d\(c.dilationH)x\(c.dilationW)") }
            parts.append(c.padding.description)
            if c.groups != 1 { parts.append("groups \(c.groups)") }
            if !c.hasBias { parts.append("no bias") }
            return parts.joined(separator: " ")
        case let .transposedConv2d(t):
            var parts = ["\(t.outChannels)ch", "\(t.kernelH)×\(t.kernelW)", "s\(t.strideH)x\(t.strideW)", t.padding.description]
            if t.outputPaddingH != 0 || t.outputPaddingW != 0 { parts.append("outpad \(t.outputPaddingH)x\(t.outputPaddingW)") }
            if !t.hasBias { parts.append("no bias") }
            return parts.joined(separator: " ")
        case let .dense(n, hasBias): return "\(n)" + (hasBias ? "" : " no bias")
        case let .batchNorm(eps): return "eps \(eps)"
        case .activation, .globalAveragePool, .add, .mul, .concat, .flatten, .softmax: return ""
        case let .maxPool(p), let .averagePool(p):
            return "\(p.kernelH)×\(p.kernelW) s\(p.strideH)x\(p.strideW) \(p.padding)"
        case let .channelShuffle(g): return "groups \(g)"
        case let .reshape(s): return "\(s)"
        case let .zeroPad(t, l, b, r): return "(\(t),\(l),\(b),\(r))"
        case let .upsampleNearest(h, w): return "×\(h)×\(w)"
        case let .resizeBilinear(h, w, a, p): return "\(h)×\(w)" + (a ? " align corners" : "") + (p ? " half pixel" : "")
        case let .dropout(rate): return "rate \(rate)"
        }
    }
}

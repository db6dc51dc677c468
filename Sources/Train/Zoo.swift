import Data
import Graph

/// The model zoo: architectures built in code, selectable by name, freshly initialized.
public enum Zoo {
    public static let names = ["fm_dsconv", "fm_resnet", "fm_shuffle", "vww_mbv1_025", "mbv2_100_224"]

    /// Fashion-MNIST mean and standard deviation of pixel / 255 over the training set.
    static let fashionNormalization = Normalization(mean: [0.2860], std: [0.3530])

    /// The named architecture, He-initialized from `seed`, with its labels and input normalization.
    /// `classes` replaces the architecture's number of outputs (for a folder of other classes).
    public static func model(_ name: String, seed: UInt64 = 1, classes: Int? = nil) -> Model? {
        let fashion = FashionMNIST.classNames
        let halfRange = Normalization(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        let fashionLabels = classes.map { n in (0..<n).map { "class \($0)" } } ?? fashion
        let k = classes ?? 10
        switch name {
        case "fm_dsconv": return Model(graph: fmDSConv(seed: seed, classes: k), labels: fashionLabels, normalization: fashionNormalization)
        case "fm_resnet": return Model(graph: fmResNet(seed: seed, classes: k), labels: fashionLabels, normalization: fashionNormalization)
        case "fm_shuffle": return Model(graph: fmShuffle(seed: seed, classes: k), labels: fashionLabels, normalization: fashionNormalization)
        case "vww_mbv1_025":
            return Model(graph: mobileNetV1(width: 0.25, resolution: 96, classes: classes ?? 2, seed: seed),
                         labels: ["no person", "person"], normalization: halfRange)
        case "mbv2_100_224":
            return Model(graph: mobileNetV2(resolution: 224, classes: classes ?? 1000, seed: seed),
                         labels: (0..<1000).map { "class \($0)" }, normalization: halfRange)
        default: return nil
        }
    }

    /// 28×28×1 → 10: conv 3×3 16; depthwise-separable blocks to 32 (stride 2), 64, 128 (stride 2),
    /// 128 (depthwise dilation 2); grouped 3×3 conv 128→128 in 4 groups; global average pool; dense 10.
    public static func fmDSConv(seed: UInt64, classes: Int = 10) -> Graph {
        var b = GraphBuilder(input: Shape([28, 28, 1]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: 16, kernel: (3, 3)), .relu6, name: "stem")
        for (i, (channels, stride, dilation)) in [(32, 2, 1), (64, 1, 1), (128, 2, 1), (128, 1, 2)].enumerated() {
            x = depthwiseSeparable(&b, x, channels: channels, stride: stride, dilation: dilation, name: "ds\(i + 1)")
        }
        x = b.convBN(x, Conv2D(outChannels: 128, kernel: (3, 3), groups: 4), .relu6, name: "grouped")
        x = b.add(.globalAveragePool, [x], name: "pool")
        b.dense(x, classes, name: "logits")
        return b.graph
    }

    /// 28×28×1 → 10: conv 3×3 16; residual basic blocks at 16, 32 (stride 2) and 64 (stride 2)
    /// channels, with 1×1 stride-2 projections on the shortcut where the shape changes; global
    /// average pool; dense 10.
    public static func fmResNet(seed: UInt64, classes: Int = 10) -> Graph {
        var b = GraphBuilder(input: Shape([28, 28, 1]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: 16, kernel: (3, 3)), .relu, name: "stem")
        for (i, (channels, stride)) in [(16, 1), (32, 2), (64, 2)].enumerated() {
            let name = "block\(i + 1)"
            var y = b.convBN(x, Conv2D(outChannels: channels, kernel: (3, 3), stride: (stride, stride)), .relu, name: "\(name)_a")
            y = b.convBN(y, Conv2D(outChannels: channels, kernel: (3, 3)), nil, name: "\(name)_b")
            let shortcut = stride == 1 && b.shapes[x].channels == channels ? x
                : b.convBN(x, Conv2D(outChannels: channels, kernel: (1, 1), stride: (stride, stride)), nil, name: "\(name)_proj")
            x = b.activation(b.add(.add, [y, shortcut], name: "\(name)_add"), .relu, name: "\(name)_relu")
        }
        x = b.add(.globalAveragePool, [x], name: "pool")
        b.dense(x, classes, name: "logits")
        return b.graph
    }

    /// 28×28×1 → 10, ShuffleNet v1 style: conv 3×3 24; units with grouped 1×1 convs (4 groups,
    /// bottleneck of half the unit's channels), channel shuffle and a 3×3 depthwise conv.
    /// Stride-2 units concatenate the branch with a 3×3 average-pooled shortcut
    /// (24 → 128 at 14×14 → 256 at 7×7); stride-1 units add it.
    public static func fmShuffle(seed: UInt64, classes: Int = 10) -> Graph {
        var b = GraphBuilder(input: Shape([28, 28, 1]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: 24, kernel: (3, 3)), .relu, name: "stem")
        let groups = 4
        for (i, (channels, stride)) in [(128, 2), (128, 1), (256, 2), (256, 1), (256, 1)].enumerated() {
            let name = "unit\(i + 1)"
            let inChannels = b.shapes[x].channels
            let branchOut = stride == 2 ? channels - inChannels : channels
            let bottleneck = channels / 2
            var y = b.convBN(x, Conv2D(outChannels: bottleneck, kernel: (1, 1), groups: groups), .relu, name: "\(name)_reduce")
            y = b.add(.channelShuffle(groups: groups), [y], name: "\(name)_shuffle")
            y = b.batchNorm(b.depthwise(y, stride: stride, name: "\(name)_dw"), name: "\(name)_dw_bn")
            y = b.convBN(y, Conv2D(outChannels: branchOut, kernel: (1, 1), groups: groups), nil, name: "\(name)_expand")
            if stride == 2 {
                let shortcut = b.add(.averagePool(Pool(kernel: (3, 3), stride: (2, 2), padding: .same)), [x], name: "\(name)_pool")
                x = b.add(.concat, [y, shortcut], name: "\(name)_concat")
            } else {
                x = b.add(.add, [y, x], name: "\(name)_add")
            }
            x = b.activation(x, .relu, name: "\(name)_relu")
        }
        x = b.add(.globalAveragePool, [x], name: "pool")
        b.dense(x, classes, name: "logits")
        return b.graph
    }

    /// MobileNet v1 (Howard et al., 2017) at the given width multiplier and square resolution,
    /// with 3 input channels, ReLU6, and a dense classifier after global average pooling.
    /// Width 0.25 at 96×96 with 2 classes is MLPerf Tiny's visual-wake-words model.
    public static func mobileNetV1(width: Double, resolution: Int, classes: Int, seed: UInt64) -> Graph {
        func scaled(_ c: Int) -> Int { max(8, Int(Double(c) * width)) }
        var b = GraphBuilder(input: Shape([resolution, resolution, 3]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: scaled(32), kernel: (3, 3), stride: (2, 2)), .relu6, name: "stem")
        let blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                      (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
        for (i, (channels, stride)) in blocks.enumerated() {
            x = depthwiseSeparable(&b, x, channels: scaled(channels), stride: stride, dilation: 1, name: "ds\(i + 1)")
        }
        x = b.add(.globalAveragePool, [x], name: "pool")
        b.dense(x, classes, name: "logits")
        return b.graph
    }

    /// MobileNet v2 (Sandler et al., 2018), width 1.0: conv 3×3 s2 32; inverted residual blocks
    /// (expansion t, channels c, repeats n, first stride s) as in the paper's table 2; conv 1×1 1280;
    /// global average pool; dense classifier.
    public static func mobileNetV2(resolution: Int, classes: Int, seed: UInt64) -> Graph {
        var b = GraphBuilder(input: Shape([resolution, resolution, 3]), seed: seed)
        var x = b.convBN(b.input, Conv2D(outChannels: 32, kernel: (3, 3), stride: (2, 2)), .relu6, name: "stem")
        let table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var index = 0
        for (t, c, n, s) in table {
            for r in 0..<n {
                index += 1
                let name = "ir\(index)"
                let stride = r == 0 ? s : 1
                let inChannels = b.shapes[x].channels
                var y = x
                if t != 1 {
                    y = b.convBN(y, Conv2D(outChannels: inChannels * t, kernel: (1, 1)), .relu6, name: "\(name)_expand")
                }
                y = b.activation(b.batchNorm(b.depthwise(y, stride: stride, name: "\(name)_dw"), name: "\(name)_dw_bn"),
                                 .relu6, name: "\(name)_dw_relu6")
                y = b.convBN(y, Conv2D(outChannels: c, kernel: (1, 1)), nil, name: "\(name)_project")
                x = stride == 1 && inChannels == c ? b.add(.add, [y, x], name: "\(name)_add") : y
            }
        }
        x = b.convBN(x, Conv2D(outChannels: 1280, kernel: (1, 1)), .relu6, name: "head")
        x = b.add(.globalAveragePool, [x], name: "pool")
        b.dense(x, classes, name: "logits")
        return b.graph
    }

    /// Depthwise 3×3 (stride, dilation) + BN + ReLU6, then pointwise 1×1 + BN + ReLU6.
    static func depthwiseSeparable(_ b: inout GraphBuilder, _ x: Int, channels: Int, stride: Int, dilation: Int,
                                   name: String) -> Int {
        var y = b.depthwise(x, stride: stride, dilation: dilation, name: "\(name)_dw")
        y = b.activation(b.batchNorm(y, name: "\(name)_dw_bn"), .relu6, name: "\(name)_dw_relu6")
        return b.convBN(y, Conv2D(outChannels: channels, kernel: (1, 1)), .relu6, name: "\(name)_pw")
    }
}

import Data
import Graph
import ModelIO

extension Model {
    /// The images as this model's input batch: each fitted to the input size and channel count
    /// (see `Image.fitted`) when it differs, then `x = (pixel / 255 − mean[c]) / std[c]`.
    /// Returns `images.count × inputShape.count` values, NHWC.
    public func normalizedInputs(_ images: LabeledImages) -> [Float] {
        let shape = graph.inputShape
        var out = [Float](repeating: 0, count: images.count * shape.count)
        let fits = images.width == shape.width && images.height == shape.height && images.channels == shape.channels
        let normalization = PixelNormalization(mean: normalization.mean, std: normalization.std)
        for i in 0..<images.count {
            let pixels = fits ? Array(images.pixels[(i * shape.count)..<((i + 1) * shape.count)])
                : images.image(i).fitted(width: shape.width, height: shape.height, channels: shape.channels).pixels
            for (j, p) in pixels.enumerated() { out[i * shape.count + j] = normalization.value(p, channel: j % shape.channels) }
        }
        return out
    }
}

/// Top-1 accuracy of a classifier over a labeled set, overall and per class.
public struct Evaluation: Sendable {
    /// The predicted class of every image.
    public var predictions: [Int]
    public var labels: [Int]
    public var classNames: [String]

    public init(predictions: [Int], labels: [Int], classNames: [String]) {
        self.predictions = predictions
        self.labels = labels
        self.classNames = classNames
    }

    public var images: Int { labels.count }
    public var correct: Int { zip(predictions, labels).filter { $0 == $1 }.count }
    /// Top-1 accuracy in percent.
    public var top1: Double { images == 0 ? 0 : 100 * Double(correct) / Double(images) }

    /// For each class: (images of that class, percent of them classified correctly).
    public var perClass: [(images: Int, top1: Double)] {
        classNames.indices.map { c in
            let members = labels.indices.filter { labels[$0] == c }
            let right = members.filter { predictions[$0] == c }.count
            return (members.count, members.isEmpty ? 0 : 100 * Double(right) / Double(members.count))
        }
    }
}

/// Index of the largest of each row of `n` values (the first on ties).
public func argmaxRows(_ values: [Float], n: Int) -> [Int] {
    stride(from: 0, to: values.count, by: n).map { start in
        var best = start
        for i in start..<(start + n) where values[i] > values[best] { best = i }
        return best - start
    }
}

extension FloatExecutor {
    /// Classifies every image of the set with this executor's model and scores it.
    public func evaluate(_ model: Model, on images: LabeledImages,
                         progress: (@Sendable (Int) -> Void)? = nil) -> Evaluation {
        let logits = predict(model.normalizedInputs(images), count: images.count, progress: progress)
        let classes = shapes[graph.output].count
        return Evaluation(predictions: argmaxRows(logits, n: classes), labels: images.labels,
                          classNames: images.classNames)
    }
}

/// A set of same-sized 8-bit images with class labels.
/// `pixels` holds `count × height × width × channels` bytes (NHWC); `labels[i]` indexes `classNames`.
public struct LabeledImages: Hashable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]
    public var labels: [Int]
    public var classNames: [String]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8], labels: [Int], classNames: [String]) {
        precondition(pixels.count == labels.count * width * height * channels, "pixels do not match the labels")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    public var count: Int { labels.count }
    var imageSize: Int { width * height * channels }

    public func image(_ i: Int) -> Image {
        Image(width: width, height: height, channels: channels,
              pixels: Array(pixels[(i * imageSize)..<((i + 1) * imageSize)]))
    }

    /// The first `n` images (all of them if there are fewer).
    public func prefix(_ n: Int) -> LabeledImages {
        let k = min(n, count)
        return LabeledImages(width: width, height: height, channels: channels,
                             pixels: Array(pixels[0..<(k * imageSize)]), labels: Array(labels[0..<k]),
                             classNames: classNames)
    }

    /// The set shuffled by `seed` and split: `count − n` images to train on, `n` held out.
    public func split(holdingOut n: Int, seed: UInt64) -> (LabeledImages, LabeledImages) {
        var generator = SplitMix(state: seed)
        let order = Array(0..<count).shuffled(using: &generator)
        func subset(_ indices: ArraySlice<Int>) -> LabeledImages {
            var pixels: [UInt8] = []
            pixels.reserveCapacity(indices.count * imageSize)
            for i in indices { pixels += self.pixels[(i * imageSize)..<((i + 1) * imageSize)] }
            return LabeledImages(width: width, height: height, channels: channels, pixels: pixels,
                                 labels: indices.map { labels[$0] }, classNames: classNames)
        }
        let held = min(max(n, 0), count)
        return (subset(order[held...]), subset(order[..<held]))
    }

    /// Builds a set from IDX arrays of images `[N, H, W]` (or `[N, H, W, C]`) and labels `[N]`.
    public static func fromIDX(images: IDXArray, labels: IDXArray, classNames: [String],
                               source: String) throws(DataError) -> LabeledImages {
        guard images.dims.count == 3 || images.dims.count == 4 else {
            throw DataError("\(source): images have shape \(images.dims), expected [N, H, W] or [N, H, W, C]")
        }
        guard images.dims[0] >= 1 else { throw DataError("\(source): holds no images (shape \(images.dims))") }
        guard images.dims[1] >= 1, images.dims[2] >= 1 else { throw DataError("\(source): images of shape \(images.dims) are empty") }
        if images.dims.count == 4, images.dims[3] != 1 && images.dims[3] != 3 {
            throw DataError("\(source): images have \(images.dims[3]) channels; 1 (gray) or 3 (RGB) are read")
        }
        guard labels.dims.count == 1, labels.dims[0] == images.dims[0] else {
            throw DataError("\(source): \(labels.dims) labels for \(images.dims[0]) images")
        }
        if let bad = labels.values.first(where: { Int($0) >= classNames.count }) {
            throw DataError("\(source): label \(bad) is not one of the \(classNames.count) classes")
        }
        return LabeledImages(width: images.dims[2], height: images.dims[1],
                             channels: images.dims.count == 4 ? images.dims[3] : 1, pixels: images.values,
                             labels: labels.values.map(Int.init), classNames: classNames)
    }
}

/// SplitMix64, for reproducible shuffles.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A labeled sample in one compact file: a gzip stream holding an IDX array of images
/// `[N, H, W]` (or `[N, H, W, C]`) followed by an IDX array of labels `[N]`. Minnow ships the first
/// 1,000 Fashion-MNIST test images this way in `Models/samples/fashion-mnist-test-1000.idx.gz`,
/// so the main job runs without the dataset installed.
public enum SampleSet {
    public static func read(path: String, classNames: [String] = FashionMNIST.classNames) throws(DataError) -> LabeledImages {
        let arrays = try IDXArray.parseAll(try Gzip.read(path: path), source: path)
        guard arrays.count == 2 else {
            throw DataError("\(path): holds \(arrays.count) IDX arrays, expected 2 (images, then labels)")
        }
        return try LabeledImages.fromIDX(images: arrays[0], labels: arrays[1], classNames: classNames, source: path)
    }

    public static func write(_ set: LabeledImages, to path: String) throws(DataError) {
        var imageDims = [set.count, set.height, set.width]
        if set.channels != 1 { imageDims.append(set.channels) }
        let images = IDXArray(dims: imageDims, values: set.pixels)
        let labels = IDXArray(dims: [set.count], values: set.labels.map { UInt8($0) })
        try Gzip.write(images.encoded + labels.encoded, to: path)
    }
}

import Foundation

/// Fashion-MNIST (Zalando, 2017): 28×28 gray images of 10 clothing classes, 60,000 for training
/// and 10,000 for testing, as the four IDX files of the original distribution (gzipped or not).
public enum FashionMNIST {
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// Where Debian's `dataset-fashion-mnist` package installs it.
    public static let systemDirectory = "/usr/share/datasets/fashion-mnist"

    public enum Split: String, Sendable {
        case train
        case test

        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// The directory holding the dataset: `directory` if given, else `$MINNOW_DATA`, else the
    /// system directory. Throws with install instructions when the files are not there.
    public static func locate(_ directory: String? = nil) throws(DataError) -> String {
        let candidate = directory ?? ProcessInfo.processInfo.environment["MINNOW_DATA"] ?? systemDirectory
        if file("t10k-images-idx3-ubyte", in: candidate) != nil { return candidate }
        throw DataError("""
            Fashion-MNIST not found in \(candidate).
            Install it with `sudo apt-get install dataset-fashion-mnist` (it goes to \(systemDirectory)),
            or pass --data DIR (or set MINNOW_DATA) for a directory holding t10k-images-idx3-ubyte(.gz) and its siblings.
            """)
    }

    /// Loads one split from a located directory.
    public static func load(_ split: Split, directory: String? = nil) throws(DataError) -> LabeledImages {
        let dir = try locate(directory)
        guard let imagesPath = file("\(split.prefix)-images-idx3-ubyte", in: dir),
              let labelsPath = file("\(split.prefix)-labels-idx1-ubyte", in: dir) else {
            throw DataError("\(dir): the \(split.rawValue) split's IDX files are missing")
        }
        let images = try IDXArray.read(path: imagesPath)
        return try LabeledImages.fromIDX(images: images, labels: try IDXArray.read(path: labelsPath),
                                         classNames: classNames, source: imagesPath)
    }

    static func file(_ name: String, in directory: String) -> String? {
        for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"]
        where FileManager.default.isReadableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }
}

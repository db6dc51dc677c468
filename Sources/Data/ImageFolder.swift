import Foundation

/// A folder of PNGs with one subfolder per class, `root/<class>/*.png`. Classes are the
/// subfolder names in sorted order; every image is fitted to the requested size (see
/// `Image.fitted`). Files not ending in `.png` are ignored; a PNG that fails to decode is an
/// error naming the file.
public enum ImageFolder {
    public static func load(_ root: String, width: Int, height: Int, channels: Int) throws(DataError) -> LabeledImages {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError("\(root): not a directory (expected one subfolder of PNGs per class)")
        }
        let classes = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter {
            var sub: ObjCBool = false
            return !$0.hasPrefix(".") && fm.fileExists(atPath: "\(root)/\($0)", isDirectory: &sub) && sub.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw DataError("\(root): has no class subfolders") }
        var pixels: [UInt8] = [], labels: [Int] = []
        for (label, name) in classes.enumerated() {
            let files = ((try? fm.contentsOfDirectory(atPath: "\(root)/\(name)")) ?? [])
                .filter { $0.lowercased().hasSuffix(".png") }.sorted()
            for file in files {
                let image = try PNG.read(path: "\(root)/\(name)/\(file)")
                pixels += image.fitted(width: width, height: height, channels: channels).pixels
                labels.append(label)
            }
        }
        guard !labels.isEmpty else { throw DataError("\(root): no PNG files in its class subfolders") }
        return LabeledImages(width: width, height: height, channels: channels, pixels: pixels,
                             labels: labels, classNames: classes)
    }
}

extension LabeledImages {
    /// These images with their classes numbered as a model's outputs: each class (a folder's
    /// name) matched to one of `labels` by name, ignoring case, spaces and `-` `_` `/` `.`
    /// (`ankle-boot`, `Ankle boot` and `ankle_boot` are the label `Ankle boot`), or, when every
    /// class name is a number, by that number (`0` … `outputs − 1`). A class that matches no
    /// label, two classes matching one label, or a label without a class (a class count other
    /// than the model's) is an error naming them.
    /// Example: folders `bag`, `t-shirt_top`, … against Fashion-MNIST's labels → `Bag` is 8.
    public func matched(toLabels labels: [String], outputs: Int) throws(DataError) -> LabeledImages {
        let numbers = classNames.map { Int($0) }
        var index: [Int] = []
        var names: [String]
        if numbers.allSatisfy({ $0 != nil }) {
            names = labels.count == outputs ? labels : (0..<outputs).map(String.init)
            for (name, number) in zip(classNames, numbers) {
                guard let number, (0..<outputs).contains(number) else {
                    throw DataError("class folder '\(name)' is not an output of the model (0…\(outputs - 1))")
                }
                index.append(number)
            }
        } else {
            guard labels.count == outputs else {
                throw DataError("the model has no class labels to match the folders \(classNames.joined(separator: ", ")) to; "
                                + "name the folders by output number (0…\(outputs - 1))")
            }
            func key(_ s: String) -> String { String(s.lowercased().unicodeScalars.filter { !" -_/.".unicodeScalars.contains($0) }) }
            let keys = labels.map(key)
            let unmatched = classNames.filter { !keys.contains(key($0)) }
            guard unmatched.isEmpty else {
                throw DataError("class folders matching no label of the model: \(unmatched.joined(separator: ", ")) "
                                + "(labels: \(labels.joined(separator: ", ")))")
            }
            index = classNames.map { keys.firstIndex(of: key($0))! }
            names = labels
        }
        if let repeated = index.first(where: { i in index.filter { $0 == i }.count > 1 }) {
            throw DataError("two class folders match class \(repeated) (\(names[repeated])): "
                            + zip(classNames, index).filter { $0.1 == repeated }.map(\.0).joined(separator: ", "))
        }
        let missing = (0..<outputs).filter { !index.contains($0) }
        guard missing.isEmpty else {
            throw DataError("\(classNames.count) class folders for a model of \(outputs) classes; none for "
                            + missing.map { names[$0] }.joined(separator: ", "))
        }
        return LabeledImages(width: width, height: height, channels: channels, pixels: pixels, labels: self.labels.map { index[$0] },
                             classNames: names)
    }
}

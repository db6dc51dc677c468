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

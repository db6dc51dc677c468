import Foundation
import Testing
@testable import Data

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite struct DatasetTests {
    @Test func shippedSampleHoldsTheFirstThousandTestImages() throws {
        let sample = try SampleSet.read(path: "\(repositoryRoot)/Models/samples/fashion-mnist-test-1000.idx.gz")
        #expect(sample.count == 1000 && sample.width == 28 && sample.height == 28 && sample.channels == 1)
        // The first ten test labels of Fashion-MNIST.
        #expect(Array(sample.labels.prefix(10)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        // Every class is present, about a hundred times each.
        #expect((0..<10).allSatisfy { c in (70...130).contains(sample.labels.filter { $0 == c }.count) })
        // The shipped PNGs are the same images.
        let png = try PNG.read(path: "\(repositoryRoot)/Models/samples/00-ankle-boot.png")
        #expect(png == sample.image(0))
    }

    @Test func missingDatasetSaysHowToInstallIt() {
        #expect {
            _ = try FashionMNIST.locate("/nonexistent/fashion")
        } throws: { error in
            "\(error)".contains("apt-get install dataset-fashion-mnist") && "\(error)".contains("/nonexistent/fashion")
        }
    }

    @Test(.enabled(if: (try? FashionMNIST.locate()) != nil, "Fashion-MNIST is not installed"))
    func installedDatasetLoads() throws {
        let test = try FashionMNIST.load(.test)
        #expect(test.count == 10_000 && test.width == 28 && test.classNames.count == 10)
        let sample = try SampleSet.read(path: "\(repositoryRoot)/Models/samples/fashion-mnist-test-1000.idx.gz")
        #expect(test.prefix(1000) == sample)
    }

    @Test func imageFolderFitsEveryImageAndNamesBadFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-folder-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for name in ["cat", "dog"] { try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true) }
        try PNG.write(Image(width: 8, height: 4, channels: 3, pixels: .init(repeating: 200, count: 96)), to: "\(root)/cat/a.png")
        try PNG.write(Image(width: 2, height: 2, channels: 1, pixels: [0, 0, 0, 0]), to: "\(root)/dog/b.png")
        try Foundation.Data("notes".utf8).write(to: URL(fileURLWithPath: "\(root)/dog/readme.txt"))
        let set = try ImageFolder.load(root, width: 4, height: 4, channels: 1)
        #expect(set.classNames == ["cat", "dog"] && set.labels == [0, 1])
        #expect(set.image(0).pixels == .init(repeating: 200, count: 16) && set.image(1).pixels == .init(repeating: 0, count: 16))
        try Foundation.Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: "\(root)/dog/broken.png"))
        #expect {
            _ = try ImageFolder.load(root, width: 4, height: 4, channels: 1)
        } throws: { error in
            "\(error)".contains("dog/broken.png")
        }
        #expect(throws: DataError.self) { try ImageFolder.load("\(root)/cat/a.png", width: 4, height: 4, channels: 1) }
    }
}

/// Class folders matched to a model's labels by name, or by number; mismatches are errors.
struct ClassMatchingTests {
    func set(_ classes: [String]) -> LabeledImages {
        LabeledImages(width: 1, height: 1, channels: 1, pixels: classes.indices.map { UInt8($0) }, labels: Array(classes.indices),
                      classNames: classes)
    }
    let labels = ["T-shirt/top", "Trouser", "Ankle boot"]

    @Test func foldersMatchLabelsByNameWhateverTheirSpelling() throws {
        // Sorted folder order (ankle…, t-shirt…, trouser) is not the model's order.
        let matched = try set(["ankle_boot", "t-shirt-top", "TROUSER"]).matched(toLabels: labels, outputs: 3)
        #expect(matched.labels == [2, 0, 1] && matched.classNames == labels)
        #expect(try set(["Ankle boot", "T-shirt/top", "trouser"]).matched(toLabels: labels, outputs: 3).labels == [2, 0, 1])
    }

    @Test func numberedFoldersAreOutputIndices() throws {
        let matched = try set(["0", "1", "2"]).matched(toLabels: [], outputs: 3)
        #expect(matched.labels == [0, 1, 2] && matched.classNames == ["0", "1", "2"])
        #expect(try set(["2", "0", "1"]).matched(toLabels: labels, outputs: 3).labels == [2, 0, 1])
        #expect(throws: DataError("class folder '3' is not an output of the model (0…2)")) {
            try set(["0", "1", "3"]).matched(toLabels: labels, outputs: 3)
        }
    }

    @Test func mismatchesAreErrorsNamingThem() {
        #expect { try set(["ankle-boot", "sandal", "trouser"]).matched(toLabels: labels, outputs: 3) } throws: { "\($0)".contains("sandal") }
        #expect { try set(["ankle-boot", "trouser"]).matched(toLabels: labels, outputs: 3) } throws: {
            "\($0)".contains("2 class folders for a model of 3 classes; none for T-shirt/top")
        }
        #expect { try set(["trouser", "Trouser", "ankle boot"]).matched(toLabels: labels, outputs: 3) } throws: { "\($0)".contains("two class folders") }
        #expect { try set(["cat", "dog", "bird"]).matched(toLabels: [], outputs: 3) } throws: { "\($0)".contains("no class labels") }
    }
}

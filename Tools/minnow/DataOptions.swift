import ArgumentParser
import Data
import Foundation

/// Where labeled images come from, shared by the commands that read them.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        'sample' (the 1,000 Fashion-MNIST test images shipped in Models/samples), 'fashion-mnist' \
        (the 10,000-image test set), 'fashion-mnist-train', or a folder with one subfolder of PNGs per class.
        """, valueName: "name-or-folder"))
    var dataset = "sample"

    @Option(help: "Directory holding Fashion-MNIST (default: $MINNOW_DATA, then \(FashionMNIST.systemDirectory)).")
    var data: String?

    @Option(help: "Use only the first N images.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// Loads the chosen set; folders are fitted to `width × height × channels`.
    func load(width: Int, height: Int, channels: Int) throws -> LabeledImages {
        let set: LabeledImages
        switch dataset {
        case "sample": set = try SampleSet.read(path: try ShippedSamples.sampleSetPath())
        case "fashion-mnist": set = try FashionMNIST.load(.test, directory: data)
        case "fashion-mnist-train": set = try FashionMNIST.load(.train, directory: data)
        default: set = try ImageFolder.load(dataset, width: width, height: height, channels: channels)
        }
        return limit.map { set.prefix($0) } ?? set
    }
}

/// The files shipped in Models/samples.
enum ShippedSamples {
    static let sampleSetName = "fashion-mnist-test-1000.idx.gz"

    /// Models/samples under the current directory, or under an ancestor of the executable's
    /// directory (so a built `minnow` finds the repository's copy from anywhere).
    static func directory() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.path)
            dir.deleteLastPathComponent()
        }
        for base in candidates where FileManager.default.fileExists(atPath: "\(base)/Models/samples/\(sampleSetName)") {
            return "\(base)/Models/samples"
        }
        throw DataError("the shipped sample Models/samples/\(sampleSetName) was not found: run minnow from the repository root")
    }

    static func sampleSetPath() throws -> String { "\(try directory())/\(sampleSetName)" }
}

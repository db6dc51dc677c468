import ArgumentParser
import Data
import Foundation
import Graph

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

    /// True when the set is a folder of class subfolders (not one of the named sets).
    var isFolder: Bool { !["sample", "fashion-mnist", "fashion-mnist-train"].contains(dataset) }

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

/// How an image's pixels become the model's input, when the model's own record is not what it was
/// trained on (an imported model records [0, 1]): per-channel mean and std of pixels scaled to
/// [0, 1], or a linear pixel range. Applied to the model before calibrating or evaluating, and
/// written into the model.q8 `quantize` makes, so `run` on PNGs uses it too.
struct NormalizationOptions: ParsableArguments {
    @Option(help: "Per-channel means of pixels scaled to [0, 1], e.g. 0.485,0.456,0.406 (x = (p / 255 − mean) / std).")
    var mean: String?

    @Option(help: "Per-channel standard deviations, e.g. 0.229,0.224,0.225 (with --mean).")
    var std: String?

    @Option(parsing: .unconditional, help: "Map pixels 0…255 linearly to this range instead (e.g. 0,1 or -1,1).")
    var pixelRange: String?

    func validate() throws {
        if pixelRange != nil && (mean != nil || std != nil) { throw ValidationError("give --pixel-range or --mean/--std, not both") }
        if (mean == nil) != (std == nil) { throw ValidationError("--mean and --std go together") }
    }

    static func numbers(_ text: String, _ flag: String) throws -> [Float] {
        let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0?.isFinite ?? false }) else {
            throw ValidationError("\(flag) must be numbers separated by commas, got '\(text)'")
        }
        return values.map { $0! }
    }

    /// The model's normalization replaced as asked (unchanged without these options).
    func apply(to model: inout Model) throws {
        let channels = model.graph.inputShape.channels
        if let pixelRange {
            let r = try Self.numbers(pixelRange, "--pixel-range")
            guard r.count == 2, r[0] < r[1] else { throw ValidationError("--pixel-range must be two numbers low,high with low < high, e.g. 0,1") }
            // x = low + (high − low) · p / 255 = (p / 255 − mean) / std
            let std = 1 / (r[1] - r[0])
            model.normalization = Normalization(mean: .init(repeating: -r[0] * std, count: channels), std: .init(repeating: std, count: channels))
        } else if let mean, let std {
            var m = try Self.numbers(mean, "--mean"), s = try Self.numbers(std, "--std")
            if m.count == 1 { m = .init(repeating: m[0], count: channels) }
            if s.count == 1 { s = .init(repeating: s[0], count: channels) }
            guard m.count == channels, s.count == channels, s.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--mean and --std need \(channels) values (or one), std positive; the model's input has \(channels) channels")
            }
            model.normalization = Normalization(mean: m, std: s)
        }
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

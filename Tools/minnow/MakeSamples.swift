import ModelIO
import ArgumentParser
import Data
import Foundation

struct MakeSamples: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-samples",
        abstract: "Rebuild Models/samples from the Fashion-MNIST test set.",
        discussion: """
            Writes the first 1,000 test images with their labels as \(ShippedSamples.sampleSetName) \
            and the first 12 as PNGs named <index>-<label>.png.
            """)

    @Option(help: "Output directory.")
    var out = "Models/samples"

    @Option(help: "Directory holding Fashion-MNIST.")
    var data: String?

    func run() throws {
        let test = try FashionMNIST.load(.test, directory: data)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try SampleSet.write(test.prefix(1000), to: "\(out)/\(ShippedSamples.sampleSetName)")
        for i in 0..<12 {
            let label = test.classNames[test.labels[i]].lowercased()
                .replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: " ", with: "-")
            try PNG.write(test.image(i), to: String(format: "%@/%02d-%@.png", out, i, label))
        }
        print("wrote \(out)/\(ShippedSamples.sampleSetName) (1,000 images) and 12 PNGs")
    }
}

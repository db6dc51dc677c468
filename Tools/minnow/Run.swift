import ArgumentParser
import Data
import Foundation
import Kernels
import Runtime

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG images with an int8 model: the top labels with probabilities.")

    @Argument(help: "An int8 model (model.q8).")
    var model: String

    @Argument(help: "PNG images (any color type; fitted to the model's input).")
    var images: [String]

    @Option(help: "How many labels to show per image.")
    var top = 5

    @Flag(help: "Print JSON.")
    var json = false

    struct Guess: Codable {
        var label: String
        var probability: Double
    }

    struct Result: Codable {
        var image: String
        var top: [Guess]
    }

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one PNG image") }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let file = try Q8File(path: model)
        defer { withExtendedLifetime(file) {} }  // q8 reads file's buffer until run returns
        let q8 = file.model
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena, kernels: .best)
        let input = q8.tensor(q8.inputTensor(0)), output = q8.tensor(q8.outputTensor(0))
        guard input.rank == 3 else {
            throw ValidationFailure("\(model): input 0 has shape \(input.shapeList), not an image [H, W, C]; PNG input needs an image model")
        }
        let labels = file.labels
        var results: [Result] = []
        for path in images {
            let image = try PNG.read(path: path).fitted(width: input.image.width, height: input.image.height,
                                                       channels: input.image.channels)
            file.quantizedInput(image.pixels, into: interpreter.input(0).baseAddress!)
            interpreter.invoke()
            let probabilities = Self.probabilities(Array(interpreter.output(0)), output)
            let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(top)
            results.append(Result(image: path, top: ranked.map {
                Guess(label: $0 < labels.count ? labels[$0] : "class \($0)", probability: probabilities[$0])
            }))
        }
        if json { return printJSON(results) }
        for r in results {
            print(r.image)
            for g in r.top { print(String(format: "  %6.2f %%  %@", 100 * g.probability, g.label)) }
        }
    }

    /// Output scores as probabilities: a softmax output (scale 1/256, zero point −128) is read
    /// directly; other outputs are dequantized and passed through a softmax.
    static func probabilities(_ q: [Int8], _ t: Q8Tensor) -> [Double] {
        let values = q.map { Double(t.scale) * Double(Int32($0) - t.zeroPoint) }
        if t.scale == 1.0 / 256 && t.zeroPoint == -128 { return values }
        let largest = values.max() ?? 0
        let exps = values.map { exp($0 - largest) }
        let total = exps.reduce(0, +)
        return exps.map { $0 / total }
    }
}

import ModelIO
import AtomicWrite
import ArgumentParser
import Data
import Foundation
import Graph
import Kernels
import Runtime

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG images with an int8 model (the top labels with probabilities), or run it on raw int8 tensors.",
        discussion: """
            With --raw-input, each file holds one input tensor's raw int8 bytes (NHWC), in input order, and \
            --raw-output names a file per output to write its raw bytes (the shared TFLM cases' format); sizes are \
            checked against the tensors. PNG inputs are scaled to the model's input with the normalization it \
            records, or mapped to --pixel-range (e.g. -1,1 for an imported MobileNet).
            """)

    @Argument(help: "An int8 model (model.q8), or with --input a float model.bin.")
    var model: String

    @Argument(help: "PNG images (any color type; fitted to the model's input).")
    var images: [String] = []

    @Option(name: .customLong("raw-input"), help: "A file of raw int8 bytes for the next model input (repeat per input).")
    var rawInputs: [String] = []

    @Option(name: .customLong("raw-output"), help: "A file to write the next model output's raw bytes to (repeat per output).")
    var rawOutputs: [String] = []

    @Option(name: .customLong("input"), help: "A NumPy .npy file for the next model input, in the model's own layout, an optional leading batch first (repeat per input).")
    var npyInputs: [String] = []

    @Option(name: .customLong("output"), help: "A .npy file to write the next model output to (float32; int8 when the inputs were int8).")
    var npyOutputs: [String] = []

    @Option(parsing: .unconditional, help: "Map pixels 0…255 linearly to this float range before quantizing (e.g. -1,1), instead of the model's normalization.")
    var pixelRange: String?

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
        let kinds = [!images.isEmpty, !rawInputs.isEmpty, !npyInputs.isEmpty].filter { $0 }.count
        if kinds == 0 { throw ValidationError("give at least one PNG image, --raw-input files or --input .npy files") }
        if kinds > 1 { throw ValidationError("give PNG images, --raw-input files or --input .npy files, one kind only") }
        if !npyOutputs.isEmpty && npyInputs.isEmpty { throw ValidationError("--output needs --input") }
        if !rawOutputs.isEmpty && rawInputs.isEmpty { throw ValidationError("--raw-output needs --raw-input") }
        if let pixelRange, parsedPixelRange(pixelRange) == nil {
            throw ValidationError("--pixel-range must be two numbers low,high with low < high, e.g. -1,1")
        }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        try checkOutputs(rawOutputs.map { ("--raw-output", $0) } + npyOutputs.map { ("--output", $0) },
                         reads: [model] + rawInputs + npyInputs + images)
        if !npyInputs.isEmpty { return try runNPY() }
        let file = try Q8File(path: model)
        defer { withExtendedLifetime(file) {} }  // q8 reads file's buffer until run returns
        let q8 = file.model
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena, kernels: .best)
        if !rawInputs.isEmpty { return try runRaw(q8, interpreter) }
        let input = q8.tensor(q8.inputTensor(0)), output = q8.tensor(q8.outputTensor(0))
        guard input.rank == 3 else {
            throw ValidationFailure("\(model): input 0 has shape \(input.shapeList), not an image [H, W, C]; PNG input needs an image model")
        }
        let labels = file.model.labels
        var results: [Result] = []
        for path in images {
            let image = try PNG.read(path: path).fitted(width: input.image.width, height: input.image.height,
                                                       channels: input.image.channels)
            let normalization = PixelNormalization(q8, pixelRange: pixelRange.flatMap(parsedPixelRange).map { (low: $0.0, high: $0.1) })
            q8.quantizedInput(image.pixels, normalization: normalization, into: interpreter.input(0).baseAddress!)
            interpreter.invoke()
            let probabilities = output.probabilities(Array(interpreter.output(0)))
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

    /// `"-1,1"` → (−1, 1); nil unless two finite numbers with low < high.
    func parsedPixelRange(_ text: String) -> (Float, Float)? {
        let parts = text.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0].isFinite, parts[1].isFinite, parts[0] < parts[1] else { return nil }
        return (parts[0], parts[1])
    }

    /// Feeds `--raw-input` files in input order and writes every output to its `--raw-output`
    /// file (or prints the bytes); each size must be its tensor's.
    func runRaw(_ q8: Q8Model, _ interpreter: Interpreter) throws {
        guard rawInputs.count == q8.inputCount else {
            throw ValidationFailure("\(model) has \(q8.inputCount) input\(q8.inputCount == 1 ? "" : "s"); --raw-input was given \(rawInputs.count) times")
        }
        guard rawOutputs.isEmpty || rawOutputs.count == q8.outputCount else {
            throw ValidationFailure("\(model) has \(q8.outputCount) output\(q8.outputCount == 1 ? "" : "s"); --raw-output was given \(rawOutputs.count) times")
        }
        for (k, path) in rawInputs.enumerated() {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationFailure("\(path): cannot read the file") }
            let view = interpreter.input(k)
            let shape = q8.tensor(q8.inputTensor(k)).shapeList.map(String.init).joined(separator: "×")
            guard data.count == view.count else {
                throw ValidationFailure("\(path): \(data.count) bytes, but input \(k) (\(shape) int8) takes \(view.count)")
            }
            data.withUnsafeBytes { _ = view.update(fromContentsOf: $0.bindMemory(to: Int8.self)) }
        }
        interpreter.invoke()
        for k in 0..<q8.outputCount {
            let y = Array(interpreter.output(k))
            if k < rawOutputs.count {
                try writeAtomically(Data(y.map { UInt8(bitPattern: $0) }), to: rawOutputs[k])
            } else {
                print("output \(k): " + y.map(String.init).joined(separator: " "))
            }
        }
    }
}

import ArgumentParser
import Foundation
import Graph
import Train

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a zoo architecture and write it as model.bin.",
        discussion: """
            Architectures: \(Zoo.names.joined(separator: ", ")).
            Only --init-only is available in this build: it writes the architecture He-initialized, \
            with batch-norm statistics measured on random images. Gradient training is not built yet.
            """)

    @Argument(help: "Architecture name.")
    var architecture: String

    @Flag(help: "Write the initialized, untrained model.")
    var initOnly = false

    @Option(help: "Random seed for the weights.")
    var seed: UInt64 = 1

    @Option(help: "Where to write the model.")
    var out = "model.bin"

    func validate() throws {
        guard Zoo.names.contains(architecture) else {
            throw ValidationError("unknown architecture '\(architecture)'; choose one of \(Zoo.names.joined(separator: ", "))")
        }
        guard initOnly else {
            throw ValidationError("gradient training is not built yet; pass --init-only to write the initialized architecture")
        }
    }

    func run() throws {
        var model = Zoo.model(architecture, seed: seed)!
        try model.calibrateBatchNormOnRandomImages(seed: seed)
        model.notes = "minnow train \(architecture) --init-only --seed \(seed): untrained, He-initialized, batch-norm statistics from 32 random images"
        try ModelFile.write(model, to: out)
        let params = model.graph.nodes.reduce(0) { $0 + $1.parameterCount }
        print("wrote \(out): \(architecture), untrained (initialized only), \(grouped(params)) parameters")
    }
}

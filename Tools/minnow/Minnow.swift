import ArgumentParser

@main
struct Minnow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minnow",
        abstract: "Minnow: train small CNNs, quantize them to int8, run them anywhere.",
        subcommands: [Train.self, QuantizeCommand.self, Eval.self, Run.self, Inspect.self, Export.self, MakeSamples.self])
}

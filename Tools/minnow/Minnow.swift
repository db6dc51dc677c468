import ArgumentParser

@main
struct Minnow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minnow",
        abstract: "Minnow: train small CNNs, quantize them to int8, run them anywhere.",
        subcommands: [Train.self, Inspect.self, Eval.self, Run.self, MakeSamples.self])
}

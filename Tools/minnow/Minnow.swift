import ArgumentParser
import Foundation

@main
struct Minnow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minnow",
        abstract: "Minnow: train small CNNs, quantize them to int8, run them anywhere.",
        subcommands: [Train.self, QuantizeCommand.self, ImportCommand.self, Eval.self, Run.self, Inspect.self, Bench.self, Export.self, MakeSamples.self])

    /// Runs the command; a file the system could not read or write is reported as
    /// `path: reason` (e.g. `out/model.q8: No such file or directory`), not as a Foundation dump.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CocoaError {
            let path = error.filePath ?? error.url?.path ?? "file"
            let why = (error.userInfo[NSUnderlyingErrorKey] as? any Error).map { reason(Int32(($0 as NSError).code)) }
                ?? error.localizedDescription
            exit(withError: ValidationFailure("\(path): \(why)"))
        } catch {
            exit(withError: error)
        }
    }
}

import ModelIO
import AtomicWrite
import ArgumentParser
import Foundation
import Graph
import Runtime

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an int8 model and test inputs for the firmware builds, with the host's outputs.",
        discussion: """
            Into --out-dir: inputs.bin (the images as int8 input tensors, back to back), outputs.bin \
            (what this host's runtime computes for them), expected.txt (one line per image as the \
            Cortex-M image prints it: CRC-32, top class, output bytes) and model_data.c (the model, \
            the inputs, the labels and a static arena sized from the model, for compiling in).
            """)

    @Argument(help: "An int8 model (model.q8) with one input and one output.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(help: "How many images to export.")
    var images = 8

    @Option(name: .customLong("raw-input"), help: "Export this file of raw int8 input bytes instead of images (repeat per case).")
    var rawInputs: [String] = []

    @Option(help: "Folder to write into, as one set (created if missing; its other plain files are kept).")
    var outDir: String

    func validate() throws {
        if images < 1 { throw ValidationError("--images must be at least 1") }
    }

    /// The files export writes into --out-dir, as one set.
    static let files = ["inputs.bin", "outputs.bin", "expected.txt", "model_data.c"]

    func run() throws {
        try requireWritableFolder(parentFolder(outDir), for: "--out-dir \(outDir)")
        try requireDistinct(Self.files.map { ("--out-dir", url($0).path) }, reads: [model] + rawInputs)
        let file = try Q8File(path: model)
        defer { withExtendedLifetime(file) {} }
        let q8 = file.model
        guard q8.inputCount == 1, q8.outputCount == 1 else { throw ValidationFailure("\(model): firmware runs models with one input and one output") }
        let input = q8.tensor(q8.inputTensor(0)), output = q8.tensor(q8.outputTensor(0))
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(q8.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        let interpreter = try Interpreter(model: q8, arena: arena)
        // Each case's input tensor, from raw files or from images quantized as `run` does.
        var cases: [[Int8]] = []
        if rawInputs.isEmpty {
            let set = try data.load(width: input.image.width, height: input.image.height, channels: input.image.channels).prefix(images)
            guard set.width == input.image.width, set.height == input.image.height, set.channels == input.image.channels else {
                throw ValidationFailure("the images are \(set.width)×\(set.height)×\(set.channels); \(model) takes \(input.image.width)×\(input.image.height)×\(input.image.channels)")
            }
            for i in 0..<set.count {
                q8.quantizedInput(set.image(i).pixels, into: interpreter.input(0).baseAddress!)
                cases.append(Array(interpreter.input(0)))
            }
        } else {
            for path in rawInputs {
                guard let data = FileManager.default.contents(atPath: path) else { throw ValidationFailure("\(path): cannot read the file") }
                guard data.count == input.count else { throw ValidationFailure("\(path): \(data.count) bytes, but the input takes \(input.count)") }
                cases.append(data.map { Int8(bitPattern: $0) })
            }
        }
        var inputs: [Int8] = [], outputs: [Int8] = [], expected = ""
        let labels = q8.labels
        for (i, x) in cases.enumerated() {
            _ = interpreter.input(0).update(fromContentsOf: x)
            inputs += x
            interpreter.invoke()
            let y = Array(interpreter.output(0))
            outputs += y
            expected += Self.line(index: i, output: y, labels: labels)
        }
        let modelBytes = [UInt8](UnsafeRawBufferPointer(q8.bytes))
        let source = Self.cSource(model: modelBytes, arenaBytes: q8.arenaBytes, inputs: inputs, count: cases.count,
                                  inputBytes: input.count, outputBytes: output.count, labels: labels)
        try writeFolderAtomically(zip(Self.files, [Data(inputs.map { UInt8(bitPattern: $0) }), Data(outputs.map { UInt8(bitPattern: $0) }),
                                                   Data(expected.utf8), Data(source.utf8)]).map { ($0, $1) }, to: outDir)
        print("wrote \(outDir): \(cases.count) inputs of \(input.count) bytes, outputs of \(output.count) bytes, "
              + "model \(grouped(modelBytes.count)) bytes, \(arenaLine(activations: q8.activationBytes, ops: q8.opCount))")
    }

    func url(_ name: String) -> URL { URL(fileURLWithPath: outDir).appendingPathComponent(name) }

    /// `output 3: crc32 1a2b3c4d top 9 (ankle boot) bytes 80 7f …` (`?` for a model without labels), as Firmware/cortex-m4/main.c prints it.
    static func line(index: Int, output: [Int8], labels: [String]) -> String {
        var best = 0
        for k in output.indices where output[k] > output[best] { best = k }
        let bytes = output.map { UInt8(bitPattern: $0) }
        let crc = bytes.withUnsafeBytes { crc32(of: $0) }
        let label = best < labels.count ? labels[best] : "?"
        return "output \(index): crc32 \(hex(crc, width: 8)) top \(best) (\(label)) bytes \(bytes.map { hex(UInt32($0), width: 2) }.joined(separator: " "))\n"
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// A C translation unit with the model (16-byte aligned, in flash), the inputs, the labels,
    /// `minnow_arena`, a zeroed static buffer of exactly the model's planned arena size, and `minnow_output`.
    static func cSource(model: [UInt8], arenaBytes: Int, inputs: [Int8], count: Int, inputBytes: Int, outputBytes: Int,
                        labels: [String]) -> String {
        func array(_ bytes: [UInt8]) -> String {
            stride(from: 0, to: bytes.count, by: 24).map { start in
                "    " + bytes[start..<min(start + 24, bytes.count)].map { "0x" + hex(UInt32($0), width: 2) }.joined(separator: ",")
            }.joined(separator: ",\n")
        }
        let escaped = labels.map { "\"" + $0.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 32 ? String($0) : "?" }.joined() + "\"" }
        return """
            /* Written by `minnow export`: a model.q8, its test inputs and labels, for compiling in. */
            #include <stdint.h>

            const unsigned char minnow_model[\(model.count)] __attribute__((aligned(16))) = {
            \(array(model))
            };
            const unsigned long minnow_model_size = \(model.count);

            const unsigned char minnow_inputs[\(inputs.count)] = {
            \(array(inputs.map { UInt8(bitPattern: $0) }))
            };
            const unsigned long minnow_input_count = \(count);
            const unsigned long minnow_input_bytes = \(inputBytes);
            const unsigned long minnow_output_bytes = \(outputBytes);

            const char *const minnow_labels[\(max(labels.count, 1))] = { \(labels.isEmpty ? "0" : escaped.joined(separator: ", ")) };
            const unsigned long minnow_label_count = \(labels.count);

            unsigned char minnow_arena[\(max(arenaBytes, 16))] __attribute__((aligned(16)));
            signed char minnow_output[\(outputBytes)];
            const unsigned long minnow_arena_size = \(max(arenaBytes, 16));

            """
    }
}

import Data
import Foundation
import Graph
import Runtime
import Testing
import TestSupport
import Train

/// The `minnow` executable, run as a user would.
@Suite struct CLITests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `minnow` beside the test bundle.
    static var binary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("minnow").path) {
            return candidate.appendingPathComponent("minnow").path
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("minnow").path
    }

    func minnow(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = Self.root
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("minnow-cli-\(getpid())-\(name)").path
    }

    @Test func runAndInspectAnInt8ModelBuiltHere() throws {
        let q8 = temporary("chain.q8")
        defer { try? FileManager.default.removeItem(atPath: q8) }
        let plan = try chainProgram().write(to: q8)
        let inspected = try minnow(["inspect", q8])
        #expect(inspected.status == 0 && inspected.out.contains("20 ops") && inspected.out.contains("transpose_conv2d"))
        #expect(inspected.out.contains("arena ") && inspected.out.contains("op records") && inspected.out.contains("lower bound"))
        #expect(inspected.out.contains("kernel_h=3 kernel_w=3 stride_h=1") && inspected.out.contains("activation_max="))
        let json = try minnow(["inspect", q8, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(report?["arena_bytes"] as? Int == plan.peak + 20 * Q8Format.preparedOpBytes && (report?["ops"] as? [Any])?.count == 20)

        let run = try minnow(["run", q8, "Models/samples/00-ankle-boot.png", "Models/samples/01-pullover.png", "--json"])
        #expect(run.status == 0, "\(run.err)")
        let results = try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [[String: Any]]
        #expect(results?.count == 2)
        for r in results ?? [] {
            let top = r["top"] as? [[String: Any]] ?? []
            let p = top.compactMap { $0["probability"] as? Double }
            #expect(top.count == 5 && p == p.sorted(by: >) && p.reduce(0, +) <= 1.02)
        }
        let plain = try minnow(["run", q8, "Models/samples/02-trouser.png", "--top", "2"])
        #expect(plain.status == 0 && plain.out.split(separator: "\n").count == 3)

        let bench = try minnow(["bench", q8, "--runs", "3", "--warmup", "0", "--reference", "--json"])
        #expect(bench.status == 0, "\(bench.err)")
        let timing = try JSONSerialization.jsonObject(with: Data(bench.out.utf8)) as? [String: Any]
        #expect(timing?["kernels"] as? String == "reference" && (timing?["layers"] as? [Any])?.count == 20)
        #expect(["latency_ms_median", "latency_ms_min", "latency_ms_max", "arena_bytes", "macs"].allSatisfy { timing?[$0] != nil })
        let unknown = try minnow(["bench", q8, "--kernels", "sse9"])
        #expect(unknown.status != 0 && unknown.err.contains("--kernels sse9"))
    }

    /// The flow from an ONNX export: import (NCHW), float run in the model's layout, quantize
    /// with .npy calibration, int8 run with the same layout; outputs never replace inputs.
    @Test func onnxModelImportsRunsAndQuantizesWithNPYTensors() throws {
        let folder = "Tests/ImportTests/ONNXCases/squeeze-excitation-hardswish-parts"
        let bin = temporary("se.bin"), q8 = temporary("se.q8"), y = temporary("se-y.npy"), calib = temporary("se-calib.npy")
        defer { for p in [bin, q8, y, calib] { try? FileManager.default.removeItem(atPath: p) } }
        let imported = try minnow(["import", "\(folder)/model.onnx", "-o", bin])
        #expect(imported.status == 0 && imported.out.contains("input 1×8×12×12"), "\(imported.err)")
        let wrongExtension = try minnow(["import", "\(folder)/model.onnx", "-o", q8])
        #expect(wrongExtension.status != 0 && wrongExtension.err.contains("imports to a .bin file"))
        let float = try minnow(["run", bin, "--input", "\(folder)/input.npy", "--output", y])
        #expect(float.status == 0, "\(float.err)")
        let got = try NPYArray.read(path: y), want = try NPYArray.read(path: "\(Self.root.path)/\(folder)/output.npy")
        #expect(got.dims == [1, 8, 12, 12] && zip(got.values, want.values).allSatisfy { abs($0 - $1) <= 1e-5 })
        var random = SeededRandom(seed: 3)
        try Data(NPYArray(dims: [16, 8, 12, 12], values: (0..<(16 * 8 * 144)).map { _ in random.normal() }).encoded()).write(to: URL(fileURLWithPath: calib))
        let badCalibration = try minnow(["quantize", bin, "--calibration", "\(folder)/model.onnx", "-o", q8])
        #expect(badCalibration.status != 0 && badCalibration.err.contains("model.onnx"))
        let quantized = try minnow(["quantize", bin, "--calibration", calib, "-o", q8, "--report", bin])
        #expect(quantized.status != 0 && quantized.err.contains("same file"))
        let quantized2 = try minnow(["quantize", bin, "--calibration", calib, "-o", q8])
        #expect(quantized2.status == 0 && quantized2.out.contains("calibrated on 16 samples"), "\(quantized2.err)")
        let int8 = try minnow(["run", q8, "--input", "\(folder)/input.npy", "--output", y])
        #expect(int8.status == 0, "\(int8.err)")
        #expect(try NPYArray.read(path: y).dims == [1, 8, 12, 12])
        let overwrite = try minnow(["run", q8, "--input", "\(folder)/input.npy", "--output", q8])
        #expect(overwrite.status != 0 && overwrite.err.contains("same file"))
    }

    @Test func badInputsGiveClearErrors() throws {
        let q8 = temporary("bad.q8"), png = temporary("bad.png")
        defer { for p in [q8, png] { try? FileManager.default.removeItem(atPath: p) } }
        var bytes = chainProgram().encode().bytes
        bytes[bytes.count - 5] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: q8))
        let corrupt = try minnow(["run", q8, "Models/samples/00-ankle-boot.png"])
        #expect(corrupt.status != 0 && corrupt.err.contains("CRC-32 mismatch") && corrupt.err.contains(q8))
        _ = try chainProgram().write(to: q8)
        let pngBytes = try Data(contentsOf: Self.root.appendingPathComponent("Models/samples/00-ankle-boot.png"))
        try pngBytes.prefix(pngBytes.count / 2).write(to: URL(fileURLWithPath: png))
        let truncated = try minnow(["run", q8, png])
        #expect(truncated.status != 0 && truncated.err.contains(png) && truncated.err.contains("PNG decode failed"))
        let missing = try minnow(["inspect", "/no/such/model.q8"])
        #expect(missing.status != 0 && missing.err.contains("/no/such/model.q8"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")
                   || ProcessInfo.processInfo.environment["MINNOW_DATA"] != nil, "Fashion-MNIST is not installed"))
    func trainRecordsHowTheModelWasMade() throws {
        let bin = temporary("tiny.bin")
        defer { for s in ["", ".ckpt.bin", ".ckpt.json"] { try? FileManager.default.removeItem(atPath: bin + s) } }
        let train = try minnow(["train", "fm_shuffle", "--epochs", "1", "--limit", "256", "--batch", "64", "--out", bin])
        #expect(train.status == 0, "\(train.err)")
        #expect(train.out.contains("epoch 1/1:") && FileManager.default.fileExists(atPath: bin + ".ckpt.json"))
        let inspected = try minnow(["inspect", bin, "--json"])
        let notes = (try JSONSerialization.jsonObject(with: Data(inspected.out.utf8)) as? [String: Any])?["notes"] as? String
        #expect(notes?.contains("minnow train fm_shuffle --epochs 1 --batch 64") == true, "\(notes ?? "no notes")")
    }

    @Test func floatModelInspectAndEval() throws {
        let bin = temporary("fm.bin")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let train = try minnow(["train", "fm_dsconv", "--init-only", "--out", bin])
        #expect(train.status == 0 && train.out.contains("untrained"))
        let inspected = try minnow(["inspect", bin])
        #expect(inspected.status == 0 && inspected.out.contains("3,795,840 MACs"))
        let eval = try minnow(["eval", bin, "--limit", "64", "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(eval.out.utf8)) as? [String: Any]
        #expect(eval.status == 0 && report?["images"] as? Int == 64 && report?["float_top1"] is Double)
        let refused = try minnow(["train", "fm_nothing", "--out", bin])
        #expect(refused.status != 0 && refused.err.contains("unknown architecture 'fm_nothing'"))
    }

    @Test func quantizeWritesReportAndChart() throws {
        let bin = temporary("q.bin"), q8 = temporary("q.q8"), report = temporary("q.json"), chart = temporary("q.png")
        defer { for p in [bin, q8, report, chart] { try? FileManager.default.removeItem(atPath: p) } }
        #expect(try minnow(["train", "fm_dsconv", "--init-only", "--out", bin]).status == 0)
        let run = try minnow(["quantize", bin, "--samples", "32", "--report-images", "8", "--equalize",
                              "--report", report, "--plot", chart, "-o", q8])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("9 pairs equalized"), "\(run.out)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let layers = json?["layers"] as? [[String: Any]] ?? [], stages = json?["stages"] as? [[String: Any]] ?? []
        #expect(layers.count == 13 && layers.allSatisfy { $0["sqnrDB"] is Double })
        #expect(stages.map { $0["name"] as? String } == ["equalize", "calibrate", "choose ranges", "search ranges", "input moments",
                                                          "quantize weights", "correct biases"])
        #expect(stages.allSatisfy { ($0["seconds"] as? Double ?? -1) >= 0 })
        // One 22-pixel row per layer between a 32-pixel title band and a 28-pixel axis band.
        let image = try PNG.read(path: chart)
        #expect(image.channels == 3 && image.height == 32 + 22 * layers.count + 28)
        let refused = try minnow(["quantize", bin, "-o", bin])
        #expect(refused.status != 0 && refused.err.contains("same file"))
    }

    /// Every file a command writes is checked before any work against what it reads and against
    /// each other, its folder with the system's reason; export lands its four files as one set,
    /// keeping what else the folder holds.
    @Test func outputsNeverDestroyInputsAndExportLandsWhole() throws {
        let q8 = temporary("set.q8"), raw = temporary("set-in.bin"), fw = temporary("fw")
        defer { for p in [q8, raw, fw] { try? FileManager.default.removeItem(atPath: p) } }
        try? FileManager.default.removeItem(atPath: fw)
        _ = try chainProgram().write(to: q8)
        let model = try Data(contentsOf: URL(fileURLWithPath: q8))
        try Data(repeating: 3, count: 10 * 10 * 3).write(to: URL(fileURLWithPath: raw))  // chainProgram takes 10 × 10 × 3
        func refused(_ arguments: [String], _ text: String) throws {
            let r = try minnow(arguments)
            #expect(r.status != 0 && r.err.contains(text), "\(arguments): \(r.err)")
        }
        try refused(["run", q8, "--raw-input", raw, "--raw-output", raw], "same file as")
        try refused(["run", q8, "--raw-input", raw, "--raw-output", "/no/such/folder/y.bin"], "No such file or directory")
        try refused(["run", q8, "--raw-input", raw, "--raw-input", raw, "--raw-output", temporary("y"), "--raw-output", temporary("y")],
                    "are the same file")
        try refused(["quantize", "Models/fm_dsconv/model.bin", "-o", temporary("x.q8"), "--report", temporary("x.q8")], "are the same file")
        try refused(["quantize", "Models/fm_dsconv/model.bin", "-o", "/no/such/folder/x.q8"], "folder /no/such/folder: No such file or directory")
        try refused(["train", "fm_dsconv", "--epochs", "1", "--out", "/no/such/folder/x.bin"], "folder /no/such/folder: No such file or directory")
        try refused(["export", q8, "--raw-input", raw, "--out-dir", "/no/such/folder/fw"], "No such file or directory")
        #expect(try Data(contentsOf: URL(fileURLWithPath: q8)) == model)

        // A first export, and a file of the user's beside it.
        #expect(try minnow(["export", q8, "--raw-input", raw, "--out-dir", fw]).status == 0)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: "\(fw)/notes.txt"))
        func contents() throws -> [String: Data] {
            try Dictionary(uniqueKeysWithValues: FileManager.default.contentsOfDirectory(atPath: fw).filter { $0 != "sub" }.map {
                ($0, try Data(contentsOf: URL(fileURLWithPath: "\(fw)/\($0)")))
            })
        }
        let first = try contents()
        #expect(first.keys.sorted() == ["expected.txt", "inputs.bin", "model_data.c", "notes.txt", "outputs.bin"])
        // Inputs inside the folder under an export file's name: refused, nothing touched.
        try refused(["export", q8, "--raw-input", "\(fw)/outputs.bin", "--out-dir", fw], "same file as")
        try refused(["export", "\(fw)/model_data.c", "--out-dir", fw], "same file as")
        #expect(try contents() == first)
        // A write that fails half-way (a 4 KiB file-size limit: the small files fit, model_data.c
        // does not): the folder keeps the first export whole, no staging folder is left.
        let limited = Process()
        limited.executableURL = URL(fileURLWithPath: "/bin/sh")
        limited.arguments = ["-c", "trap '' XFSZ; ulimit -f 4; exec \"$0\" export \"$1\" --raw-input \"$2\" --raw-input \"$2\" --out-dir \"$3\"",
                             Self.binary, q8, raw, fw]
        let err = Pipe()
        limited.standardError = err
        try limited.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        limited.waitUntilExit()
        #expect(limited.terminationStatus != 0 && message.contains("File too large"), "\(message)")
        #expect(try contents() == first)
        let parent = (fw as NSString).deletingLastPathComponent, name = (fw as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".\(name).minnow-") }.isEmpty)
        // Two inputs now: the set is replaced whole, the user's file kept.
        #expect(try minnow(["export", q8, "--raw-input", raw, "--raw-input", raw, "--out-dir", fw]).status == 0)
        let second = try contents()
        #expect(second["notes.txt"] == first["notes.txt"] && second["inputs.bin"]?.count == 2 * 300)
        // A subfolder of the user's is carried over with what it holds.
        try FileManager.default.createDirectory(atPath: "\(fw)/sub", withIntermediateDirectories: false)
        try Data("deep".utf8).write(to: URL(fileURLWithPath: "\(fw)/sub/inner.txt"))
        #expect(try minnow(["export", q8, "--raw-input", raw, "--out-dir", fw]).status == 0)
        #expect(try contents()["inputs.bin"]?.count == 300 && contents()["notes.txt"] == first["notes.txt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(fw)/sub/inner.txt")) == Data("deep".utf8))
    }

    /// A sample of Tools/bad-input-sweep.py (truncated, mutated and odd files through every
    /// subcommand): no trap, hang, silent acceptance or data loss.
    @Test func badInputSweepSample() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.root.appendingPathComponent("Tools/bad-input-sweep.py").path, "--sample", "--minnow", Self.binary]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(text.split(separator: "\n").last.map(String.init) ?? "")
        #expect(process.terminationStatus == 0, "\(text)")
    }

    /// The classes found by hand: each a clear error naming the file, nothing overwritten.
    @Test func badInputClassesGiveClearErrors() throws {
        let folder = temporary("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let inspected = try minnow(["inspect", folder])
        #expect(inspected.status == 1 && inspected.err.contains("is a directory"))
        // Quantizing a link to the output: refused, the output untouched.
        let victim = temporary("victim.bin"), link = temporary("link.bin")
        try? FileManager.default.removeItem(atPath: link)
        try? FileManager.default.removeItem(atPath: victim)
        try FileManager.default.copyItem(atPath: Self.root.appendingPathComponent("Models/fm_dsconv/model.bin").path, toPath: victim)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let before = try Data(contentsOf: URL(fileURLWithPath: victim))
        let overwrite = try minnow(["quantize", link, "-o", victim, "--samples", "8"])
        #expect(overwrite.status == 1 && overwrite.err.contains("same file"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before)
    }
}

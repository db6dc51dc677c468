import Foundation
import Import
import Q8Build
import Runtime
import TFLiteFile
import Testing

/// Truncated and mutated copies of the shared .tflite models: each is refused with a
/// `TFLiteError`, or imports to a program that is then validated as model.q8 (and refused there,
/// or run). A trap anywhere fails the whole test run. libFuzzer does the same over the reader
/// under AddressSanitizer (Tools/fuzz/run.sh).
struct CorruptTFLiteTests {
    static let models = ["hello_world_int8", "micro_speech_quantized", "fm_dsconv_int8", "person_detect"]

    /// What became of one input: refused by the reader or importer, refused by the model.q8
    /// validator, or imported and run.
    enum Outcome { case refused, invalidQ8, ran }

    static func outcome(_ bytes: [UInt8]) -> Outcome {
        guard let model = try? TFLiteModel(bytes: bytes), let program = try? importTFLite(model) else { return .refused }
        let encoded = program.encode().bytes
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: encoded.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: encoded)
        guard let q8 = try? Q8Model(bytes: UnsafeRawBufferPointer(buffer)), q8.arenaBytes <= 64 << 20 else { return .invalidQ8 }
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: q8.arenaBytes, alignment: 16)
        defer { arena.deallocate() }
        guard let interpreter = try? Interpreter(model: q8, arena: arena) else { return .invalidQ8 }
        interpreter.invoke()
        return .ran
    }

    @Test(arguments: models)
    func truncatedAndMutatedFilesNeverTrap(name: String) throws {
        let path = SharedModelTests.folder.appendingPathComponent("\(name)/model.tflite")
        let good = [UInt8](try Data(contentsOf: path))
        #expect(Self.outcome(good) == .ran)
        var counts: [String: Int] = [:]
        for length in stride(from: 0, to: good.count, by: max(1, good.count / 300)) {
            #expect(Self.outcome(Array(good[0..<length])) != .ran || length == good.count)
        }
        let environment = ProcessInfo.processInfo.environment
        let mutations = environment["MINNOW_MUTATIONS"].flatMap(Int.init) ?? 1500
        var state: UInt64 = (environment["MINNOW_MUTATION_SEED"].flatMap(UInt64.init) ?? 0x5EED) &+ UInt64(good.count)
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        // The structure (root, vtables, offsets, vectors) sits before the weights: mutate there mostly.
        let structure = min(good.count, 4096)
        for _ in 0..<mutations {
            var bytes = good
            for _ in 0..<(1 + next() % 3) {
                let at = next() % 4 == 0 ? next() % good.count : (next() % 2 == 0 ? next() % structure : good.count - 1 - next() % structure)
                switch next() % 3 {
                case 0: bytes[at] ^= UInt8(1 << (next() % 8))
                case 1: bytes[at] = UInt8(truncatingIfNeeded: next())
                default:
                    let word: [UInt32] = [0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF, 4, 8, UInt32(good.count)]
                    let v = word[next() % word.count]
                    for k in 0..<4 where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
                }
            }
            if let dump = environment["MINNOW_DUMP_DIR"] {
                try Data(bytes).write(to: URL(fileURLWithPath: "\(dump)/\(name).tflite"))
            }
            counts["\(Self.outcome(bytes))", default: 0] += 1
        }
        print("\(name): \(mutations) mutations: \(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))")
        #expect((counts["refused"] ?? 0) > 100)
    }

    /// Every golden case's operator options set, one field at a time, to extreme values, present
    /// in the case or absent from it (most convolutions omit dilation): refused or run, never a
    /// trap. A DEPTHWISE_CONV_2D with SAME padding and a dilation of 2^30 once trapped the
    /// importer (its explicit padding past Int32) before the model.q8 validator saw it.
    @Test func extremeOptionFieldsNeverTrap() throws {
        let extremes: [Int32] = [0, -1, 2, 1 << 16, 1 << 16 + 1, 1 << 30, .max, .min]
        var counts: [String: Int] = [:]
        for path in GoldenTFLiteTests.cases {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: GoldenTFLiteTests.golden.appendingPathComponent(path))) as! [String: Any]
            for field in 0..<7 {
                for value in extremes {
                    // An int32 field and, for the one-byte fields (padding, activation), a byte.
                    for flat in [FlatValue.int32(value), .int8(Int8(truncatingIfNeeded: value))] {
                        let bytes = GoldenTFLiteTests.tflite(json, optionOverrides: [field: flat]).bytes
                        counts["\(Self.outcome(bytes))", default: 0] += 1
                    }
                }
            }
        }
        print("extreme option fields: \(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))")
        #expect((counts["refused"] ?? 0) > 1000 && (counts["ran"] ?? 0) > 100)
    }
}

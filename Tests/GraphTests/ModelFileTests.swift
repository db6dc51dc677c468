import Foundation
import Runtime
import Testing
@testable import Graph

@Suite struct ModelFileTests {
    /// A model using every op and attribute kind the format encodes.
    static func everyOpModel() -> Model {
        var b = GraphBuilder(input: Shape([12, 12, 3]), seed: 5)
        var x = b.conv(b.input, Conv2D(outChannels: 8, kernel: (3, 3), stride: (2, 1), dilation: (1, 2),
                                       padding: .explicit(top: 1, left: 2, bottom: 0, right: 1)))
        x = b.activation(b.batchNorm(x), .leakyRelu(alpha: 0.1))
        x = b.depthwise(x, multiplier: 2, padding: .same)
        x = b.activation(x, .hardSwish)
        let y = b.add(.channelShuffle(groups: 4), [x])
        x = b.add(.add, [x, y])
        x = b.add(.concat, [x, b.activation(y, .sigmoid)])
        x = b.add(.maxPool(Pool(kernel: (2, 2), stride: (2, 2), padding: .valid)), [x])
        x = b.add(.averagePool(Pool(kernel: (3, 3), stride: (1, 1), padding: .same)), [x])
        x = b.add(.zeroPad(top: 1, left: 0, bottom: 0, right: 1), [x])
        x = b.transposedConv(x, TransposedConv2D(outChannels: 4, kernel: (3, 3), stride: (2, 2), outputPadding: (1, 1)))
        x = b.add(.upsampleNearest(scaleH: 1, scaleW: 2), [b.activation(x, .tanh)])
        x = b.add(.globalAveragePool, [b.activation(x, .relu6)])
        x = b.add(.reshape(Shape([2, 2, 1])), [x])
        x = b.add(.dropout(rate: 0.25), [b.flatten(b.activation(x, .relu))])
        b.add(.softmax, [b.dense(x, 3)])
        return Model(graph: b.graph, labels: ["a", "b", "ç"], normalization: Normalization(mean: [0.1, 0.2, 0.3], std: [1, 2, 3]),
                     notes: "test model")
    }

    @Test func roundTripIsExact() throws {
        let model = Self.everyOpModel()
        let bytes = ModelFile.encode(model)
        #expect(try ModelFile.decode(bytes) == model)
        #expect(Array(bytes[0..<4]) == Array("MNWF".utf8))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(getpid()).bin").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelFile.write(model, to: path)
        #expect(try ModelFile.read(path: path) == model)
        // The executor runs what was read.
        let out = try FloatExecutor(try ModelFile.read(path: path).graph).run([Float](repeating: 0.5, count: 432), batch: 1)
        #expect(out.count == 3 && abs(out.reduce(0, +) - 1) < 1e-5)
    }

    func rejection(_ bytes: [UInt8]) -> String? {
        do { _ = try ModelFile.decode(bytes); return nil } catch { return error.description }
    }

    /// Rewrites the header's CRC so that a deliberately inconsistent payload reaches the parser.
    func withValidCRC(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let crc = b[32...].withUnsafeBytes { crc32(of: $0) }
        for i in 0..<4 { b[12 + i] = UInt8(crc >> (8 * UInt32(i)) & 0xFF) }
        return b
    }

    @Test func namedErrorsForBadFiles() {
        let good = ModelFile.encode(Self.everyOpModel())
        #expect(rejection([])?.contains("shorter than the 32-byte header") == true)
        #expect(rejection(Array("GARBAGE GARBAGE GARBAGE GARBAGE!!".utf8))?.contains("not a Minnow float model") == true)
        #expect(rejection(Array(good.dropLast(10)))?.contains("truncated or padded") == true)
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        #expect(rejection(flipped)?.contains("CRC-32 mismatch") == true)
        var version = good
        version[4] = 9
        #expect(rejection(version)?.contains("format version 9 is not supported") == true)
        // Node 1's op code sits after the GRPH header (node count, output), node 0
        // (name "input", op 0, rank 3 shape, no inputs, no parameters) and node 1's name "conv2d_1".
        let graphOffset = good[64..<72].reversed().reduce(0) { $0 << 8 | Int($1) }
        var opcode = good
        opcode[graphOffset + 4 + 4 + (4 + 5) + 1 + 1 + 12 + 4 + 4 + (4 + 8)] = 99
        #expect(rejection(withValidCRC(opcode)) == "GRPH node 1 'conv2d_1': unknown op code 99 at byte \(graphOffset + 51)")
        do { _ = try ModelFile.read(path: "/nonexistent/model.bin"); Issue.record("read a missing file") } catch {
            #expect(error.description.contains("/nonexistent/model.bin"))
        }
    }

    @Test func inconsistentGraphsAreRejectedWithTheNodeNamed() {
        var model = Self.everyOpModel()
        model.graph.nodes[1].parameters[0] = Tensor(zeros: [8, 3, 3, 2])
        let message = rejection(ModelFile.encode(model))
        #expect(message?.contains("node 1 'conv2d_1' (conv2d): parameter 0 has shape [8, 3, 3, 2], expected [8, 3, 3, 3]") == true)
        model = Self.everyOpModel()
        model.labels = ["only one"]
        #expect(rejection(ModelFile.encode(model))?.contains("1 labels for 3 outputs") == true)
        model = Self.everyOpModel()
        model.graph.nodes[1].parameters[1].data[0] = .nan
        #expect(rejection(ModelFile.encode(model))?.contains("is nan") == true)
    }

    /// Every truncation and thousands of random corruptions, with the CRC recomputed so the
    /// parser itself sees the damage: each must decode or be rejected, never trap.
    @Test func corruptionNeverCrashes() {
        let good = ModelFile.encode(Self.everyOpModel())
        for length in stride(from: 0, to: good.count, by: 7) {
            #expect(rejection(Array(good[0..<length])) != nil)
        }
        var rng = SeededRandom(seed: 11)
        var rejected = 0
        for _ in 0..<3000 {
            var bad = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 32..<bad.count, using: &rng)
                bad[i] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bad[i] ^ (1 << UInt8.random(in: 0...7, using: &rng))
            }
            if let model = try? ModelFile.decode(withValidCRC(bad)) {
                _ = try? FloatExecutor(model.graph)
            } else {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }
}

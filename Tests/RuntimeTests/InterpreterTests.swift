import Foundation
import MallocCounter
import Q8Build
import Testing
import TestSupport
@testable import Graph
@testable import Runtime

/// Loads `bytes`, runs the model on `input` and returns output 0.
func runQ8(_ bytes: [UInt8], input: [Int8]) throws -> [Int8] {
    try withAlignedBytes(bytes) { buffer in
        let model = try Q8Model(bytes: buffer)
        let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.arenaBytes, 16), alignment: 16)
        defer { arena.deallocate() }
        arena.initializeMemory(as: UInt8.self, repeating: 0xA5)
        let interpreter = try Interpreter(model: model, arena: arena)
        _ = interpreter.input(0).update(fromContentsOf: input)
        interpreter.invoke()
        return Array(interpreter.output(0))
    }
}

@Suite struct InterpreterTests {
    @Test func plannedArenaComputesWhatSeparateBuffersCompute() throws {
        for seed in UInt64(1)...20 {
            let prog = chainProgram(seed: seed)
            var rng = SeededRandom(seed: seed &+ 100)
            let input = (0..<300).map { _ in Int8.random(in: -128...127, using: &rng) }
            let (planned, plan) = prog.encode()
            let (separate, separatePlan) = prog.encode(shareArena: false)
            #expect(plan.peak < separatePlan.peak)
            let out = try runQ8(planned, input: input)
            #expect(out == (try runQ8(separate, input: input)))
            // Probabilities in units of 1/256 from −128: they sum to about 256.
            #expect(abs(out.reduce(0) { $0 + Int($1) + 128 } - 256) <= 5)
        }
    }

    /// A one-channel image plus (and times) a one-value second input: every part of the op reads
    /// that one value (a part once read past it), on one thread's parts and on two.
    @Test func oneValueBroadcastStaysInsideTheSecondInput() throws {
        func q(_ scale: Float, _ zp: Int) -> AffineQuantization { AffineQuantization(scale: scale, zeroPoint: zp) }
        var prog = Q8Program()
        let a = prog.activation([4, 4, 1], q(0.05, -3)), b = prog.activation([1], q(0.1, 4))
        let sum = prog.activation([4, 4, 1], q(0.08, 1)), product = prog.activation([4, 4, 1], q(0.02, -2))
        prog.inputs = [a, b]
        let addP = addParams(input1: q(0.05, -3), input2: q(0.1, 4), output: q(0.08, 1), activation: .none)
        let mulP = mulParams(input1: q(0.08, 1), input2: q(0.1, 4), output: q(0.02, -2), clamp: (-128, 127))
        prog.add(a, b, addP, output: sum)
        prog.mul(sum, b, mulP, output: product)
        prog.outputs = [product]
        let x = (0..<16).map { Int8(truncatingIfNeeded: $0 * 17 - 100) }, y: [Int8] = [9]
        var wantSum = [Int8](repeating: 0, count: 16), want = [Int8](repeating: 0, count: 16)
        add_s8(addP, input1: x, input2: y, input2Count: 1, count: 16, output: &wantSum)
        mul_s8(mulP, input1: wantSum, input2: y, input2Count: 1, count: 16, output: &want)
        try withAlignedBytes(prog.encode().bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            arena.initializeMemory(as: UInt8.self, repeating: 0x77)
            let interpreter = try Interpreter(model: model, arena: arena)
            _ = interpreter.input(0).update(fromContentsOf: x)
            _ = interpreter.input(1).update(fromContentsOf: y)
            for parts in [1, 2, 3] {
                for i in 0..<model.opCount { for part in 0..<parts { interpreter.run(i, part: part, of: parts, scratch: nil) } }
                #expect(Array(interpreter.output(0)) == want, "\(parts) parts")
            }
        }
    }

    @Test func modelMetadataReadsBack() throws {
        let (bytes, plan) = chainProgram().encode()
        try withAlignedBytes(bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            #expect(model.opCount == 20 && model.arenaBytes == plan.peak + 20 * Q8Format.preparedOpBytes
                    && model.activationBytes == plan.peak && model.arenaLowerBound == plan.lowerBound)
            #expect(model.labelCount == 5 && String(decoding: model.label(4), as: UTF8.self) == "e")
            #expect(model.normalizationChannels == 3 && model.normalizationStd(2) == 0.25)
            #expect(model.tensor(model.inputTensor(0)).image == ImageShape(height: 10, width: 10, channels: 3))
            // The arena is too small by one byte: refused.
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes - 1, alignment: 16)
            defer { arena.deallocate() }
            #expect(throws: Q8Error.self) { try Interpreter(model: model, arena: arena) }
        }
    }

    @Test(.enabled(if: minnow_allocation_counting_available() == 1, "a sanitizer owns malloc"))
    func invokeNeverAllocates() throws {
        let (bytes, _) = chainProgram().encode()
        try withAlignedBytes(bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
            defer { arena.deallocate() }
            let interpreter = try Interpreter(model: model, arena: arena)
            interpreter.invoke()
            // The counter works: an array allocation is seen.
            minnow_allocations_begin()
            let probe = [Int](repeating: 1, count: Int.random(in: 100...200))
            #expect(minnow_allocations_end() >= 1 && probe.count >= 100)
            minnow_allocations_begin()
            for i in 0..<200 {
                interpreter.input(0)[i % 300] = Int8(truncatingIfNeeded: i)
                interpreter.invoke()
            }
            let allocations = minnow_allocations_end()
            #expect(allocations == 0, "invoke allocated \(allocations) times in 200 runs")
        }
    }

    /// Truncations and thousands of random corruptions with the CRC fixed up: each must be
    /// rejected by `Q8Model` or load and run to completion.
    @Test func corruptModelsAreRejectedOrRunCleanly() throws {
        let (good, _) = chainProgram().encode()
        for length in stride(from: 0, to: good.count, by: 13) {
            #expect(throws: Q8Error.self) { try withAlignedBytes(Array(good[0..<length])) { try Q8Model(bytes: $0) } }
        }
        var bad = good
        bad[good.count / 2] ^= 1
        #expect(throws: Q8Error.self) { try withAlignedBytes(bad) { try Q8Model(bytes: $0) } }
        var rng = SeededRandom(seed: 77)
        var rejected = 0, ran = 0
        for _ in 0..<4000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let i = Int.random(in: 16..<min(bytes.count, 2048), using: &rng)  // the tables and ops, mostly
                bytes[i] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[i] ^ (1 << UInt8.random(in: 0...7, using: &rng))
            }
            Q8Program.sealChecksum(&bytes)
            do {
                _ = try runQ8(bytes, input: [Int8](repeating: 3, count: 300))
                ran += 1
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 100 && ran > 100, "rejected \(rejected), ran \(ran)")
    }
}

@Suite struct HeaderTests {
    /// `bytes` with `edit` applied and the checksum sealed again, through `Q8Model`.
    func load(_ bytes: [UInt8], sealed: Bool = true, _ edit: (inout [UInt8]) -> Void) -> Q8Error? {
        var b = bytes
        edit(&b)
        if sealed { Q8Program.sealChecksum(&b) }
        do {
            _ = try withAlignedBytes(b) { try Q8Model(bytes: $0) }
            return nil
        } catch { return error as? Q8Error }
    }

    @Test func everyHeaderByteIsCheckedOrCovered() throws {
        let (good, _) = chainProgram().encode()
        #expect(load(good) { _ in } == nil)
        // Any one flipped header byte but the CRC's own, without resealing: refused.
        for i in 0..<Q8Format.headerSize where !(12..<16).contains(i) {
            #expect(load(good, sealed: false) { $0[i] ^= 0x10 } != nil, "header byte \(i) flipped was accepted")
        }
        // With the CRC resealed: the arena size must be the plan's, reserved bytes zero, version 2.
        let arena = good.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 20, as: UInt32.self) }
        for wrong in [arena + 16, arena - 16, arena ^ 0x0100_0000, UInt32.max, 0] {
            let error = load(good) { b in withUnsafeBytes(of: wrong.littleEndian) { b.replaceSubrange(20..<24, with: $0) } }
            #expect(error?.place == .byte(20) || error?.place == .byte(24), "arena \(wrong): \(String(describing: error))")
        }
        for i in Q8Format.reservedRange {
            #expect(load(good) { $0[i] = 1 } == Q8Error(.byte(i), "reserved header byte is not zero"))
        }
        #expect(load(good) { $0[4] = 1 }?.place == .byte(4))
    }

    @Test func preparedOpsFitTheirRecords() {
        // The record size is the largest op's call (`PreparedOp`), on this target; the format's
        // `preparedOpBytes` is the largest over targets (64-bit ones).
        print("PreparedOp: stride \(MemoryLayout<PreparedOp>.stride), alignment \(MemoryLayout<PreparedOp>.alignment); "
              + "conv \(MemoryLayout<ConvolutionCall>.stride), dense \(MemoryLayout<DenseCall>.stride), add \(MemoryLayout<BinaryCall<AddParams>>.stride), "
              + "pad \(MemoryLayout<PadCall>.stride), resize \(MemoryLayout<ResizeCall>.stride), transpose \(MemoryLayout<TransposeCall>.stride), "
              + "mean \(MemoryLayout<MeanCall>.stride), pool \(MemoryLayout<PoolCall>.stride)")
        #expect(MemoryLayout<PreparedOp>.stride <= Q8Format.preparedOpBytes && MemoryLayout<PreparedOp>.alignment <= 16)
    }
}

@Suite struct ArenaPlannerTests {
    @Test func workedExample() {
        // Three 100-byte buffers alive during ops [0, 1], [1, 2], [2, 3]: the first and third share
        // offset 0, the second sits above (aligned to 112): 224 bytes; the lower bound is 2 × 112.
        let plan = planArena([ArenaBuffer(size: 100, firstUse: 0, lastUse: 1), ArenaBuffer(size: 100, firstUse: 1, lastUse: 2),
                              ArenaBuffer(size: 100, firstUse: 2, lastUse: 3)])
        #expect(plan.peak == 224 && plan.lowerBound == 224 && plan.offsets[0] == plan.offsets[2])
    }

    @Test func overlapWorkedExample() {
        // The second buffer (a convolution's output) may start 32 bytes below the first (its dying
        // input) and overlap it: 0 and 32, 144 bytes instead of 224; the lower bound counts the pair as 144.
        let buffers = [ArenaBuffer(size: 100, firstUse: 0, lastUse: 1), ArenaBuffer(size: 100, firstUse: 1, lastUse: 2)]
        #expect(planArena(buffers).peak == 224)
        let plan = planArena(buffers, overlaps: [ArenaOverlap(lower: 1, upper: 0, gap: 32)])
        #expect(plan.peak == 144 && plan.offsets == [32, 0] && plan.lowerBound == 144)
    }

    /// Random buffers and overlaps between buffers born and dying at the same op: every pair alive
    /// together lies apart or as an overlap allows (the upper at least its gap above the lower),
    /// and the peak is never above the plan without overlaps.
    @Test func randomPlansWithOverlapsAreValid() {
        var rng = SeededRandom(seed: 6)
        for _ in 0..<200 {
            let buffers = (0..<Int.random(in: 2...24, using: &rng)).map { _ -> ArenaBuffer in
                let first = Int.random(in: 0...12, using: &rng)
                return ArenaBuffer(size: Int.random(in: 1...3000, using: &rng), firstUse: first, lastUse: first + Int.random(in: 0...4, using: &rng))
            }
            var overlaps: [ArenaOverlap] = []
            for e in buffers.indices {
                for l in buffers.indices where l != e && buffers[l].lastUse == buffers[e].firstUse && Int.random(in: 0...2, using: &rng) == 0 {
                    overlaps.append(ArenaOverlap(lower: e, upper: l, gap: 16 * Int.random(in: 0...20, using: &rng)))
                }
            }
            let plan = planArena(buffers, overlaps: overlaps)
            #expect(plan.lowerBound <= plan.peak && plan.peak <= planArena(buffers).peak)
            for i in buffers.indices {
                #expect(plan.offsets[i] % 16 == 0 && plan.offsets[i] + buffers[i].size <= plan.peak)
                for j in buffers.indices where j != i && buffers[i].overlapsInTime(buffers[j]) {
                    let apart = plan.offsets[i] + buffers[i].size <= plan.offsets[j] || plan.offsets[j] + buffers[j].size <= plan.offsets[i]
                    let allowed = overlaps.contains { $0.lower == i && $0.upper == j && plan.offsets[j] - plan.offsets[i] >= $0.gap }
                    #expect(apart || allowed || overlaps.contains { $0.lower == j && $0.upper == i && plan.offsets[i] - plan.offsets[j] >= $0.gap },
                            "buffers \(i) and \(j) overlap while both alive")
                }
            }
        }
    }

    @Test func randomPlansAreValidAndNoWorseThanGreedyBySize() {
        var rng = SeededRandom(seed: 5)
        for _ in 0..<300 {
            let buffers = (0..<Int.random(in: 1...30, using: &rng)).map { _ -> ArenaBuffer in
                let first = Int.random(in: 0...20, using: &rng)
                return ArenaBuffer(size: Int.random(in: 1...5000, using: &rng), firstUse: first, lastUse: first + Int.random(in: 0...6, using: &rng))
            }
            let plan = planArena(buffers)
            #expect(plan.lowerBound <= plan.peak)
            for i in buffers.indices {
                #expect(plan.offsets[i] % 16 == 0 && plan.offsets[i] + buffers[i].size <= plan.peak)
                for j in buffers.indices where j > i && buffers[i].overlapsInTime(buffers[j]) {
                    let apart = plan.offsets[i] + buffers[i].size <= plan.offsets[j] || plan.offsets[j] + buffers[j].size <= plan.offsets[i]
                    #expect(apart, "buffers \(i) and \(j) overlap while both alive")
                }
            }
            // Greedy by size alone, as TFLite Micro places.
            #expect(plan.peak <= greedyBySize(buffers))
        }
    }

    func greedyBySize(_ buffers: [ArenaBuffer]) -> Int {
        var offsets = [Int](repeating: 0, count: buffers.count), placed: [Int] = []
        func aligned(_ n: Int) -> Int { (n + 15) / 16 * 16 }
        for i in buffers.indices.sorted(by: { buffers[$0].size != buffers[$1].size ? buffers[$0].size > buffers[$1].size : buffers[$0].firstUse < buffers[$1].firstUse }) {
            var candidate = 0
            for j in placed.filter({ buffers[$0].overlapsInTime(buffers[i]) }).sorted(by: { offsets[$0] < offsets[$1] }) {
                if candidate + aligned(buffers[i].size) <= offsets[j] { break }
                candidate = max(candidate, offsets[j] + aligned(buffers[j].size))
            }
            offsets[i] = candidate
            placed.append(i)
        }
        return buffers.indices.map { offsets[$0] + aligned(buffers[$0].size) }.max() ?? 0
    }
}

/// Every parameter word, requantization constant and bias of every op of a 16-op model set to
/// values on and past the bounds: each model is refused with an error naming the op, or loads
/// and runs to completion (a trap here fails the whole test run). Then the fuzzer's committed
/// regression inputs, the same way.
@Suite struct HostileFieldTests {
    static let values: [UInt32] = [0, 1, 2, 15, 16, 30, 31, 32, 127, 128, 0xFFFF, 0x1_0000, 0x1_0001, 0x3FFF_FFFF, 0x4000_0000,
                                   0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FF80, 0xFFFF_FFE1, 0xFFFF_FFE0, 0xFFFF_FFFF]

    /// Loads and runs `bytes` on the reference kernels; true when it ran, false when refused.
    func refusedOrRuns(_ bytes: [UInt8]) -> Bool {
        (try? runQ8(bytes, input: [Int8](repeating: -7, count: 300))) != nil
    }

    /// Each op's code, the byte offsets of its parameter words, and of the first and last value of
    /// its multipliers, shifts and bias (for ops with per-channel requantization).
    func fieldOffsets(_ bytes: [UInt8]) throws -> [(code: Q8OpCode, words: [Int], constants: [Int])] {
        try withAlignedBytes(bytes) { buffer in
            let model = try Q8Model(bytes: buffer)
            return (0..<model.opCount).map { i in
                let o = model.op(i)
                let words = (0..<o.parameterCount).map { model.sections.parameters + 4 + 4 * (o.firstParameter + $0) }
                var constants: [Int] = []
                if [.conv2d, .depthwiseConv2d, .fullyConnected, .transposeConv2d].contains(o.code) {
                    for slot in 2...4 {
                        guard let id = model.input(slot, of: o) else { continue }
                        let t = model.tensor(id)
                        constants += [model.sections.data + t.offset, model.sections.data + t.offset + 4 * (t.count - 1)]
                    }
                }
                return (o.code, words, constants)
            }
        }
    }

    @Test func everyWordAndConstantOnItsBounds() throws {
        let (good, _) = chainProgram().encode()
        var ran = 0, refused = 0
        func sweep(_ at: Int) {
            for v in Self.values {
                var bytes = good
                withUnsafeBytes(of: v.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
                Q8Program.sealChecksum(&bytes)
                if refusedOrRuns(bytes) { ran += 1 } else { refused += 1 }
            }
        }
        for op in try fieldOffsets(good) {
            for at in op.words + op.constants { sweep(at) }
        }
        #expect(ran > 100 && refused > 100, "ran \(ran), refused \(refused)")
    }

    /// The classes found by hand before the validator bounded them: each is refused with its
    /// op, field and value named, or (where TFLite wraps) runs.
    @Test func knownClasses() throws {
        let (good, _) = chainProgram().encode()
        let ops = try fieldOffsets(good)
        func edited(op i: Int, word k: Int, _ v: Int32) -> [UInt8] {
            var bytes = good
            let at = ops[i].words[k]
            withUnsafeBytes(of: v.littleEndian) { bytes.replaceSubrange(at..<(at + 4), with: $0) }
            Q8Program.sealChecksum(&bytes)
            return bytes
        }
        func error(_ bytes: [UInt8]) -> Q8Error? {
            do { _ = try withAlignedBytes(bytes) { try Q8Model(bytes: $0) }; return nil } catch { return error as? Q8Error }
        }
        let conv = ops.firstIndex { $0.code == .conv2d }!
        let transposed = ops.firstIndex { $0.code == .transposeConv2d }!
        let add = ops.firstIndex { $0.code == .add }!
        // Filter counts that overflowed the validator's own arithmetic.
        #expect(error(edited(op: conv, word: Conv2DOp.Word.kernelH, 65536))?.place == .op(conv))
        #expect(error(edited(op: transposed, word: TransposeConv2DOp.Word.kernelW, 65536))?.place == .op(transposed))
        // A shift past 30 and a multiplier below 2^30: refused, the value named.
        let shift = error(edited(op: add, word: AddOp.Word.outputShift, 31))
        #expect(shift?.place == .op(add) && shift?.value == 31 && "\(shift!)".contains("shift"))
        #expect(error(edited(op: add, word: AddOp.Word.input1Multiplier, 5))?.value == 5)
        // The largest multiplier with the largest left shift: accepted, and the add wraps as TFLite's does.
        let extreme = edited(op: add, word: AddOp.Word.input1Shift, 30)
        #expect(error(extreme) == nil && refusedOrRuns(extreme))
    }

    /// A packed conv filter must be exactly the plain filter's convQuads8 copy with no −128 (what
    /// lets `conv2d_s8_packed_neon` add two products in int16): a filter holding −128 is written
    /// unpacked, and a file whose packed copy differs in one byte, or holds −128, is refused.
    @Test func packedFiltersAreExactCopiesWithoutMinus128() throws {
        func program(_ weights: [Int8], packed: [Int8]? = nil) -> (Q8Program, Int?) {
            var prog = Q8Program()
            let q = AffineQuantization(scale: 0.05, zeroPoint: 3)
            let x = prog.activation([3, 3, 5], q), y = prog.activation([3, 3, 2], q)
            prog.inputs = [x]
            let f = prog.constant(weights, shape: [2, 1, 1, 5])
            let m = prog.constant([Int32](repeating: 1 << 30, count: 2), shape: [2])
            let s = prog.constant([Int32](repeating: -3, count: 2), shape: [2])
            let p = packed.map { prog.constant($0, shape: [1, 1, 2, 32], layout: .convQuads8) }
                ?? prog.packedCopy(ofConvFilter: f, groups: 1)
            prog.conv2d(x, filter: f, multipliers: m, shifts: s, bias: nil, packedFilter: p, window: ConvWindow(), output: y)
            prog.outputs = [y]
            return (prog, p)
        }
        func validates(_ prog: Q8Program) -> Bool {
            (try? withAlignedBytes(prog.encode().bytes) { try Q8Model(bytes: $0) }) != nil
        }
        let weights: [Int8] = [1, -2, 3, -4, 5, 127, -127, 0, 9, -9]
        let (good, packedIndex) = program(weights)
        #expect(packedIndex != nil && validates(good))
        var copy = [Int8](repeating: 0, count: 64)
        packConvQuads8(weights, outChannels: 2, kernelH: 1, kernelW: 1, inputsPerGroup: 5, groups: 1, into: &copy)
        #expect(validates(program(weights, packed: copy).0))
        var changed = copy
        changed[1] = changed[1] &+ 1
        #expect(!validates(program(weights, packed: changed).0))
        var minus128 = weights
        minus128[3] = -128
        #expect(program(minus128).1 == nil && validates(program(minus128).0))
        var packedMinus128 = [Int8](repeating: 0, count: 64)
        packConvQuads8(minus128, outChannels: 2, kernelH: 1, kernelW: 1, inputsPerGroup: 5, groups: 1, into: &packedMinus128)
        #expect(!validates(program(minus128, packed: packedMinus128).0))
    }

    @Test func fuzzRegressionsAreRefusedOrRun() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tools/fuzz/regressions")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") && $0 != "README.md" }
        for name in files {
            let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
            _ = refusedOrRuns(bytes)
        }
    }
}

// libFuzzer target over model.q8: `Q8Model(bytes:)`, then `Interpreter.invoke()` on every kernel
// set this CPU has (reference, AVX2, AVX-VNNI). Built and run by Tools/fuzz/run.sh with
// AddressSanitizer; every crash it finds becomes a file in Tools/fuzz/regressions/, which
// RuntimeTests replays.
//
// The structure-aware mutator (`LLVMFuzzerCustomMutator`) edits the model's sections (tensor
// records, op records, input indices, parameter words, constants, header fields) with values
// chosen to hit bounds, then writes back the file size and the CRC: without it nearly every
// input would die at the checksum and never reach a kernel.
import Kernels
import Runtime

/// How much work one input may ask for before the harness skips running it (it is still
/// validated): a valid model can legitimately ask for billions of MACs, which is a timeout, not a bug.
let workLimit = 20_000_000

/// A rough upper bound of a validated model's multiply-adds and byte moves: each op's MACs
/// (`Q8Model.macs(ofOp:)`) plus its output's bytes.
func work(_ m: Q8Model) -> Int {
    var total = 0
    for i in 0..<m.opCount {
        total += min(m.macs(ofOp: i), workLimit) + m.tensor(m.op(i).output).count
        if total > workLimit { return total }
    }
    return total
}

let kernelSets: [KernelSet] = ["reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot"].compactMap { KernelSet.named($0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
    defer { buffer.deallocate() }
    buffer.copyMemory(from: UnsafeRawBufferPointer(start: data, count: size))
    guard let model = try? Q8Model(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<size])) else { return 0 }
    guard model.arenaBytes <= 64 << 20, work(model) <= workLimit else { return 0 }
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: model.arenaBytes, alignment: 16)
    defer { arena.deallocate() }
    for kernels in kernelSets {
        arena.initializeMemory(as: UInt8.self, repeating: 0x5A)
        guard let interpreter = try? Interpreter(model: model, arena: arena, kernels: kernels) else { continue }
        for k in 0..<model.inputCount {
            let x = interpreter.input(k)
            for i in x.indices { x[i] = Int8(truncatingIfNeeded: i &* 37 &+ k) }
        }
        interpreter.invoke()
    }
    return 0
}

@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

/// A small deterministic generator seeded by libFuzzer.
struct Mix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 17
    }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}

/// Values that sit on the bounds the validator and the kernels care about.
let interesting: [UInt32] = [0, 1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 127, 128, 255, 256, 0xFFFF, 0x1_0000, 0x1_0001,
                             0x3FFF_FFFF, 0x4000_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FF80, 0xFFFF_FFE1, 0xFFFF_FFFF,
                             0xFFFF_FFFE, 0x1000_0000]

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    var mix = Mix(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
    var size = size
    func u32(_ at: Int) -> UInt32 {
        at + 4 <= size ? UnsafeRawPointer(data + at).loadUnaligned(as: UInt32.self) : 0
    }
    func setU32(_ at: Int, _ v: UInt32) {
        if at >= 0, at + 4 <= size { UnsafeMutableRawPointer(data + at).storeBytes(of: v.littleEndian, as: UInt32.self) }
    }
    // The sections as the table lists them (when the header is intact enough to say).
    var sections: [(offset: Int, size: Int)] = []
    if size >= 64, u32(0) == Q8Format.magic {
        for i in 0..<min(Int(u32(16)), 16) {
            let entry = 64 + 16 * i, offset = Int(u32(entry + 4)), length = Int(u32(entry + 8))
            if offset < size, length <= size - offset, length > 0 { sections.append((offset, length)) }
        }
    }
    let mutations = 1 + mix.below(3)
    for _ in 0..<mutations {
        switch mix.below(10) {
        case 0, 1:
            size = LLVMFuzzerMutate(data, size, maxSize)
        case 2, 3, 4, 5:
            // A word of a section (tensor dims, offsets, op fields, indices, parameters) set to a bound.
            guard let s = sections.isEmpty ? nil : sections[mix.below(sections.count)], s.size >= 4 else { continue }
            let at = s.offset + 4 * mix.below(s.size / 4)
            let v = interesting[mix.below(interesting.count)]
            setU32(at, mix.below(4) == 0 ? u32(at) &+ UInt32(truncatingIfNeeded: mix.below(5) - 2) : v)
        case 6, 7:
            // A byte of a section flipped or replaced (types, storage, rank, layout, op codes).
            guard let s = sections.isEmpty ? nil : sections[mix.below(sections.count)] else { continue }
            let at = s.offset + mix.below(s.size)
            data[at] = mix.below(2) == 0 ? data[at] ^ UInt8(1 << mix.below(8)) : UInt8(truncatingIfNeeded: mix.next())
        case 8:
            // A header field: section count, arena size, lower bound, a reserved byte, a table entry.
            let fields = [16, 20, 24, 28, 64 + 16 * mix.below(8) + 4 * mix.below(3)]
            let at = fields[mix.below(fields.count)]
            setU32(at, mix.below(2) == 0 ? interesting[mix.below(interesting.count)] : u32(at) &+ 16 &* UInt32(truncatingIfNeeded: mix.below(5) - 2))
        default:
            // Truncation or growth by a few bytes.
            let newSize = max(64, min(maxSize, size + mix.below(33) - 16))
            if newSize > size { (data + size).initialize(repeating: 0, count: newSize - size) }
            size = newSize
        }
    }
    // Reseal: file size, then the CRC of every byte but its own four.
    if size >= 64 {
        setU32(8, UInt32(size))
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(start: data, count: 12))
        crc.update(UnsafeRawBufferPointer(start: data + 16, count: size - 16))
        setU32(12, crc.value)
    }
    return size
}

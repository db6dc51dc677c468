// The C entry points of include/minnow.h, compiled with Embedded Swift as module Minnow with
// include/minnow.h as the bridging header: on AArch64 over modules Runtime (Sources/Runtime) and
// KernelsNEONDot; elsewhere together with the Runtime sources in one module, which lets the
// optimizer keep the Cortex-M4 image small. Errors cross as a static message and a place.
#if canImport(Runtime)
import Runtime
#endif
#if arch(arm64)
import KernelsNEONDot
#endif

/// The kernels the firmware runs: on AArch64 NEON, with the SDOT packed convolution where the
/// platform reports the dot-product extension (`minnow_cpu_has_dotprod`); elsewhere
/// `KernelSet.reference`, which is the DSP twins in the Cortex-M4 build (-D MINNOW_DSP).
var firmwareKernels: KernelSet {
#if arch(arm64)
    return minnow_cpu_has_dotprod() != 0 ? .neonDot : .neon
#else
    return .reference
#endif
}

func report(_ e: Q8Error, into error: UnsafeMutablePointer<minnow_error>) -> Int {
    let message = UnsafeRawPointer(e.message.utf8Start).assumingMemoryBound(to: CChar.self)
    switch e.place {
    case .file: error.pointee = minnow_error(message: message, place: 0, index: 0)
    case let .byte(b): error.pointee = minnow_error(message: message, place: 1, index: b)
    case let .section(tag): error.pointee = minnow_error(message: message, place: 2, index: Int(tag))
    case let .tensor(t): error.pointee = minnow_error(message: message, place: 3, index: t)
    case let .op(o): error.pointee = minnow_error(message: message, place: 4, index: o)
    }
    return -1
}

/// Validates a one-input, one-output model in `bytes`.
func openModel(_ bytes: UnsafeRawPointer, _ size: Int) throws(Q8Error) -> Q8Model {
    let model = try Q8Model(bytes: UnsafeRawBufferPointer(start: bytes, count: size))
    guard model.inputCount == 1, model.outputCount == 1 else { throw Q8Error(.file, "firmware runs models with one input and one output") }
    return model
}

@_cdecl("minnow_open")
public func minnowOpen(_ handle: UnsafeMutablePointer<minnow_handle>, _ bytes: UnsafeRawPointer, _ size: Int,
                       _ arena: UnsafeMutableRawPointer, _ arenaSize: Int, _ info: UnsafeMutablePointer<minnow_info>,
                       _ error: UnsafeMutablePointer<minnow_error>) -> Int {
    guard MemoryLayout<Interpreter>.size <= MemoryLayout<minnow_handle>.size, MemoryLayout<Interpreter>.alignment <= 16 else {
        return report(Q8Error(.file, "the interpreter does not fit minnow_handle on this target"), into: error)
    }
    do {
        let model = try openModel(bytes, size)
        let interpreter = try Interpreter(model: model, arena: UnsafeMutableRawBufferPointer(start: arena, count: arenaSize),
                                          kernels: firmwareKernels)
        UnsafeMutableRawPointer(handle).initializeMemory(as: Interpreter.self, to: interpreter)
        info.pointee = minnow_info(input_bytes: model.tensor(model.inputTensor(0)).count,
                                   output_bytes: model.tensor(model.outputTensor(0)).count, arena_bytes: model.arenaBytes)
        return 0
    } catch let e { return report(e, into: error) }
}

@_cdecl("minnow_invoke")
public func minnowInvoke(_ handle: UnsafePointer<minnow_handle>, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>) {
    invoke(handle, input, output, between: nil)
}

/// Copies `input` into the opened model's arena, runs every op (calling `between(i)` before op i
/// and `between(op count)` after the last, where given) and copies the output to `output`.
func invoke(_ handle: UnsafePointer<minnow_handle>, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>,
            between: (@convention(c) (Int) -> Void)?) {
    let interpreter = UnsafeRawPointer(handle).assumingMemoryBound(to: Interpreter.self)
    let x = interpreter.pointee.input(0)
    UnsafeMutableRawPointer(x.baseAddress!).copyMemory(from: input, byteCount: x.count)
    if let between {
        for i in 0..<interpreter.pointee.model.opCount {
            between(i)
            interpreter.pointee.run(i)
        }
        between(interpreter.pointee.model.opCount)
    } else {
        interpreter.pointee.invoke()
    }
    let y = interpreter.pointee.output(0)
    UnsafeMutableRawPointer(output).copyMemory(from: y.baseAddress!, byteCount: y.count)
}

@_cdecl("minnow_op_count")
public func minnowOpCount(_ handle: UnsafePointer<minnow_handle>) -> Int {
    UnsafeRawPointer(handle).assumingMemoryBound(to: Interpreter.self).pointee.model.opCount
}

@_cdecl("minnow_op_describe")
public func minnowOpDescribe(_ handle: UnsafePointer<minnow_handle>, _ op: Int, _ name: UnsafeMutablePointer<CChar>,
                             _ capacity: Int) -> Int {
    let interpreter = UnsafeRawPointer(handle).assumingMemoryBound(to: Interpreter.self)
    guard op >= 0, op < interpreter.pointee.model.opCount, capacity > 0 else { return -1 }
    let kernel = interpreter.pointee.model.kernelName(ofOp: op, interpreter.pointee.kernels)
    var at = append(kernel.base, to: name, at: 0, capacity: capacity)
    if kernel.tile.utf8CodeUnitCount > 0 { at = append(kernel.tile, to: name, at: append("_", to: name, at: at, capacity: capacity), capacity: capacity) }
    if kernel.suffix.utf8CodeUnitCount > 0 { at = append(kernel.suffix, to: name, at: append("_", to: name, at: at, capacity: capacity), capacity: capacity) }
    name[at] = 0
    return interpreter.pointee.model.macs(ofOp: op)
}

/// `text`'s bytes copied to `name` from `at` on, leaving room for the NUL within `capacity`; the new end.
func append(_ text: StaticString, to name: UnsafeMutablePointer<CChar>, at start: Int, capacity: Int) -> Int {
    var at = start
    for i in 0..<text.utf8CodeUnitCount where at < capacity - 1 {
        name[at] = CChar(bitPattern: text.utf8Start[i])
        at += 1
    }
    return at
}

@_cdecl("minnow_invoke_observed")
public func minnowInvokeObserved(_ handle: UnsafePointer<minnow_handle>, _ input: UnsafePointer<Int8>, _ output: UnsafeMutablePointer<Int8>,
                                 _ between: @convention(c) (Int) -> Void) {
    invoke(handle, input, output, between: between)
}

/// CRC-32 (IEEE) of `count` bytes, the checksum the firmware prints for each output.
@_cdecl("minnow_crc32")
public func minnowCRC32(_ bytes: UnsafeRawPointer, _ count: Int) -> UInt32 {
    crc32(of: UnsafeRawBufferPointer(start: bytes, count: count))
}

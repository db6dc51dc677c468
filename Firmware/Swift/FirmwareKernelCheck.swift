// The firmware's kernel check: `checkKernels` (Sources/KernelCheck/KernelCheck.swift, compiled into
// this module) run on the target against `firmwareKernels`. Compiled with Entry.swift as module Minnow.
#if canImport(Runtime)
import Runtime
#endif

/// The name of the kernel checked as `kind` (0 conv, 1 depthwise, 2 dense, 3 add, 4 max pool,
/// 5 average pool, 6 mean, 7 packed conv).
@_cdecl("minnow_kernel_name")
public func minnowKernelName(_ kind: Int) -> UnsafePointer<UInt8> {
    let name: StaticString
    if kind == 7 {
#if arch(arm64)
        name = minnow_cpu_has_dotprod() != 0 ? "conv2d_s8_packed_neondot" : "conv2d_s8_packed_neon"
#else
        name = "conv2d_s8_packed (no packed kernel on this target)"
#endif
        return name.utf8Start
    }
#if arch(arm64)
    switch kind {
    case 0: name = "conv2d_s8_neon"
    case 1: name = "dwconv2d_s8_neon"
    case 2: name = minnow_cpu_has_dotprod() != 0 ? "fully_connected_s8_neondot" : "fully_connected_s8_neon"
    case 3: name = "add_s8_neon"
    case 4: name = "max_pool2d_s8_neon"
    case 5: name = "avg_pool2d_s8_neon"
    default: name = "mean_s8_neon"
    }
#else
    switch kind {
    case 0: name = "conv2d_s8_dsp"
    case 1: name = "dwconv2d_s8_dsp"
    case 2: name = "fully_connected_s8_dsp"
    case 3: name = "add_s8 (no DSP twin)"
    case 4: name = "max_pool2d_s8 (no DSP twin)"
    case 5: name = "avg_pool2d_s8 (no DSP twin)"
    default: name = "mean_s8 (no DSP twin)"
    }
#endif
    return name.utf8Start
}

/// Whether kernel `kind` (as in `minnowKernelName`) has an optimized twin on this target: all of
/// them with NEON (the packed conv and dense with SDOT where the CPU has it); conv, depthwise and
/// dense with DSP.
func hasTwin(_ kind: Int) -> Bool {
#if arch(arm64)
    return true
#else
    return kind < 3
#endif
}

/// Runs `cases` random cases of each optimized kernel of this target against its reference
/// (`checkKernels`); failures per kernel in `failures[0...7]`, −1 where there is no twin.
@_cdecl("minnow_kernel_check")
public func minnowKernelCheck(_ scratch: UnsafeMutableRawPointer, _ size: Int, _ cases: Int, _ seed: UInt32,
                              _ failures: UnsafeMutablePointer<Int>) {
    checkKernels(firmwareKernels, hasTwin: hasTwin, scratch: scratch, size: size, cases: cases, seed: seed, failures: failures)
}

// The firmware's kernel check: `checkKernels` (Sources/KernelCheck/KernelCheck.swift, compiled into
// this module) run on the target against `firmwareKernels`. Compiled with Entry.swift as module Minnow.
#if canImport(Runtime)
import Runtime
#endif

/// The name of the kernel checked as `kind` (`CheckedKernel`: 0 conv, 1 depthwise, 2 dense,
/// 3 add, 4 max pool, 5 average pool, 6 mean, 7 packed conv, 8 mul, 9 lookup).
@_cdecl("minnow_kernel_name")
public func minnowKernelName(_ kind: Int) -> UnsafePointer<UInt8> {
    let name: StaticString
#if arch(arm64)
    let dot = minnow_cpu_has_dotprod() != 0
    switch CheckedKernel(rawValue: kind) ?? .conv2dPacked {
    case .conv2d: name = "conv2d_s8_neon"
    case .depthwiseConv2d: name = "dwconv2d_s8_neon"
    case .fullyConnected: name = dot ? "fully_connected_s8_neondot" : "fully_connected_s8_neon"
    case .add: name = "add_s8_neon"
    case .maxPool2d: name = "max_pool2d_s8_neon"
    case .averagePool2d: name = "avg_pool2d_s8_neon"
    case .mean: name = "mean_s8_neon"
    case .conv2dPacked: name = dot ? "conv2d_s8_packed_neondot" : "conv2d_s8_packed_neon"
    case .mul: name = "mul_s8_neon"
    case .lookup: name = "lut_s8_neon"
    }
#else
    switch CheckedKernel(rawValue: kind) ?? .conv2dPacked {
    case .conv2d: name = "conv2d_s8_dsp"
    case .depthwiseConv2d: name = "dwconv2d_s8_dsp"
    case .fullyConnected: name = "fully_connected_s8_dsp"
    case .add: name = "add_s8 (no DSP twin)"
    case .maxPool2d: name = "max_pool2d_s8 (no DSP twin)"
    case .averagePool2d: name = "avg_pool2d_s8 (no DSP twin)"
    case .mean: name = "mean_s8 (no DSP twin)"
    case .conv2dPacked: name = "conv2d_s8_packed (no packed kernel on this target)"
    case .mul: name = "mul_s8 (no DSP twin)"
    case .lookup: name = "lut_s8 (no DSP twin)"
    }
#endif
    return name.utf8Start
}

/// Runs `cases` random cases of each optimized kernel of this target against its reference
/// (`checkKernels`); failures per kernel in `failures[0...9]` (`CheckedKernel`), −1 where the
/// set keeps the reference: with NEON none (the packed conv and dense with SDOT where the CPU
/// has it); with DSP add, pools, mean, the packed conv, mul and lookup.
@_cdecl("minnow_kernel_check")
public func minnowKernelCheck(_ scratch: UnsafeMutableRawPointer, _ size: Int, _ cases: Int, _ seed: UInt32,
                              _ failures: UnsafeMutablePointer<Int>) {
    checkKernels(firmwareKernels, scratch: scratch, size: size, cases: cases, seed: seed, failures: failures)
}

import CPUFeatures
import Runtime
#if arch(x86_64)
import KernelsAVX2
#endif

extension KernelSet {
    /// The fastest kernels this CPU can run: AVX2 where CPUID reports it, else the reference.
    /// Compiled without -mavx2, so choosing is safe on any x86-64.
    public static var best: KernelSet {
#if arch(x86_64)
        if minnow_cpu_has_avx2() != 0 { return .avx2 }
#endif
        return .reference
    }
}

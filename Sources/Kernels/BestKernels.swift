import CPUFeatures
import Runtime
#if arch(x86_64)
import KernelsAVX2
import KernelsAVXVNNI
import KernelsAVX512VNNI
#endif
#if arch(arm64)
import KernelsNEONDot
#endif

extension KernelSet {
    /// The fastest kernels this CPU can run: AVX-VNNI or AVX2 where CPUID reports them; NEON on
    /// AArch64, with SDOT where the CPU has it; else the reference. Compiled without -mavx2 or
    /// +dotprod, so choosing is safe on any CPU.
    public static var best: KernelSet {
#if arch(x86_64)
        if minnow_cpu_has_avxvnni() != 0 { return .avxvnni }
        if minnow_cpu_has_avx512vnni() != 0 { return .avx512vnni }
        if minnow_cpu_has_avx2() != 0 { return .avx2 }
#elseif arch(arm64)
        return minnow_cpu_has_dotprod() != 0 ? .neonDot : .neon
#endif
        return .reference
    }
}

extension KernelSet {
    /// Names `KernelSet.named` knows.
    public static let names = ["reference", "avx2", "avxvnni", "avx512vnni", "neon", "neondot"]

    /// The set with this name if this CPU can run it: "reference", "avx2" (CPUID AVX2),
    /// "avxvnni" (AVX2 and AVX-VNNI), "neon" (AArch64), "neondot" (with SDOT), or "best"; nil
    /// otherwise.
    public static func named(_ name: String) -> KernelSet? {
        switch name {
        case "best": return .best
        case "reference": return .reference
#if arch(x86_64)
        case "avx2": return minnow_cpu_has_avx2() != 0 ? .avx2 : nil
        case "avxvnni": return minnow_cpu_has_avxvnni() != 0 ? .avxvnni : nil
        case "avx512vnni": return minnow_cpu_has_avx512vnni() != 0 ? .avx512vnni : nil
#elseif arch(arm64)
        case "neon": return .neon
        case "neondot": return minnow_cpu_has_dotprod() != 0 ? .neonDot : nil
#endif
        default: return nil
        }
    }
}

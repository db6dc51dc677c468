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
    /// The fastest kernels this CPU can run (`bestX86Name` on x86-64; NEON on AArch64, with SDOT
    /// where the CPU has it; else the reference). Compiled without -mavx2 or +dotprod, so
    /// choosing is safe on any CPU.
    public static var best: KernelSet {
#if arch(x86_64)
        let name = bestX86Name(avx2: minnow_cpu_has_avx2() != 0, avxvnni: minnow_cpu_has_avxvnni() != 0,
                               avx512vnni: minnow_cpu_has_avx512vnni() != 0)
        return named(name) ?? .reference
#elseif arch(arm64)
        return minnow_cpu_has_dotprod() != 0 ? .neonDot : .neon
#else
        return .reference
#endif
    }

    /// The x86-64 set to run given what CPUID reports: AVX-512 VNNI first (its 4 × 32 packed
    /// tiles, sixteen-lane requantization and 512-bit depthwise kernels; Intel Sapphire Rapids and
    /// later have AVX-VNNI too), then AVX-VNNI, then AVX2, else the reference.
    public static func bestX86Name(avx2: Bool, avxvnni: Bool, avx512vnni: Bool) -> String {
        guard avx2 else { return "reference" }
        return avx512vnni ? "avx512vnni" : avxvnni ? "avxvnni" : "avx2"
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

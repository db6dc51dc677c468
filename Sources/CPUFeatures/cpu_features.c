#include "cpu_features.h"
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

int minnow_cpu_has_avx2(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int minnow_cpu_has_avx2_fma(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return minnow_cpu_has_avx2() && __builtin_cpu_supports("fma") ? 1 : 0;
#else
    return 0;
#endif
}

int minnow_cpu_has_avxvnni(void) {
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!minnow_cpu_has_avx2()) return 0;   /* also means the OS saves the YMM registers */
    if (!__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return 0;
    return (eax >> 4) & 1;                  /* CPUID.(EAX=7,ECX=1):EAX[4] AVX-VNNI */
#else
    return 0;
#endif
}

int minnow_cpu_has_avx512vnni(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();                   /* these checks include the OS saving the AVX-512 state */
    return minnow_cpu_has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vnni") ? 1 : 0;
#else
    return 0;
#endif
}

int minnow_cpu_has_dotprod(void) {
#if defined(__aarch64__) && defined(__linux__)
    return (getauxval(AT_HWCAP) & (1UL << 20)) != 0; /* HWCAP_ASIMDDP */
#elif defined(__aarch64__) && defined(__APPLE__)
    return 1;                                         /* every Apple arm64 CPU has it (A11 and later) */
#else
    return 0;
#endif
}

#ifndef MINNOW_AVX512VNNI_DOT_H
#define MINNOW_AVX512VNNI_DOT_H
#if defined(__x86_64__)
#include <immintrin.h>
/* AVX-512 VNNI's vpdpbusd (EVEX) on eight 32-bit lanes: acc + the four u8 × s8 products of each
   lane, without saturation. Clang defines _mm256_dpbusd_epi32 as a macro, which Swift cannot
   import; this inline function is what Swift calls (KernelsAVX512VNNI). */
static inline __attribute__((always_inline, target("avx2,avx512f,avx512vl,avx512vnni")))
__m256i minnow_dpbusd256(__m256i acc, __m256i u, __m256i s) {
    return _mm256_dpbusd_epi32(acc, u, s);
}
#endif
#endif

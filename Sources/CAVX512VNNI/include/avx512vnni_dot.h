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

/* AVX-512 VNNI's vpdpbusd on sixteen 32-bit lanes (512-bit registers). */
static inline __attribute__((always_inline, target("avx2,avx512f,avx512bw,avx512vl,avx512vnni")))
__m512i minnow_dpbusd512(__m512i acc, __m512i u, __m512i s) {
    return _mm512_dpbusd_epi32(acc, u, s);
}

/* AVX-512 VNNI's vpdpwssd on sixteen 32-bit lanes: acc + the two s16 × s16 products of each lane,
   without saturation (a macro in clang as well). */
static inline __attribute__((always_inline, target("avx2,avx512f,avx512bw,avx512vl,avx512vnni")))
__m512i minnow_dpwssd512(__m512i acc, __m512i a, __m512i b) {
    return _mm512_dpwssd_epi32(acc, a, b);
}
#endif
#endif

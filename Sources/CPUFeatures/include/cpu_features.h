#ifndef MINNOW_CPU_FEATURES_H
#define MINNOW_CPU_FEATURES_H
/* 1 when this x86-64 CPU (and its OS) supports AVX2, else 0; 0 on other architectures. */
int minnow_cpu_has_avx2(void);
/* 1 when it has AVX2 and FMA3 (the float kernels' set), else 0. */
int minnow_cpu_has_avx2_fma(void);
/* 1 when it also has AVX-VNNI (VEX-encoded vpdpbusd on 256-bit registers), else 0. */
int minnow_cpu_has_avxvnni(void);
/* 1 when it has AVX-512 F, VL, BW, DQ and VNNI (EVEX vpdpbusd, vpdpwssd, 64-bit shifts), else 0. */
int minnow_cpu_has_avx512vnni(void);
/* 1 on AArch64 CPUs with the dot-product extension (SDOT), else 0. */
int minnow_cpu_has_dotprod(void);
#endif

#ifndef MINNOW_CPU_FEATURES_H
#define MINNOW_CPU_FEATURES_H
/* 1 when this x86-64 CPU (and its OS) supports AVX2, else 0; 0 on other architectures. */
int minnow_cpu_has_avx2(void);
#endif

/* The kernel check: runs minnow_kernel_check (Swift/KernelCheck.swift) on the target (the
 * Cortex-M4 image: the DSP kernels; the AArch64 executable: the NEON kernels) and prints how many
 * random cases of each optimized kernel differed from the reference. */
#include "board.h"

void minnow_kernel_check(void *scratch, long size, long cases, unsigned seed, long failures[5]);
const char *minnow_kernel_name(long kind);

#ifndef CASES
#define CASES 3000
#endif

static unsigned char scratch[256 * 1024] __attribute__((aligned(16)));

static char *put_decimal(char *p, unsigned long v) {
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *p++ = digits[--n];
    return p;
}

int main(void) {
    long failures[5];
    minnow_kernel_check(scratch, sizeof scratch, CASES, 20261122u, failures);
    int bad = 0;
    for (int k = 0; k < 5; k++) {
        char line[128], *p = line;
        for (const char *s = minnow_kernel_name(k); *s; s++) *p++ = *s;
        *p++ = ':';
        *p++ = ' ';
        p = put_decimal(p, (unsigned long)failures[k]);
        const char *rest = " of ";
        while (*rest) *p++ = *rest++;
        p = put_decimal(p, CASES);
        rest = " random cases differ from the reference\n";
        while (*rest) *p++ = *rest++;
        *p = 0;
        board_print(line);
        bad |= failures[k] != 0;
    }
    return bad;
}

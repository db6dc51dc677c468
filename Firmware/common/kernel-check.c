/* The kernel check: runs minnow_kernel_check (Swift/FirmwareKernelCheck.swift, the shared
 * ../Sources/KernelCheck/KernelCheck.swift) on the target (the
 * Cortex-M4 image: the DSP kernels; the AArch64 executable: the NEON kernels, SDOT where the CPU
 * has it) and prints how many random cases of each optimized kernel differed from the reference. */
#include "board.h"
#include "text.h"

void minnow_kernel_check(void *scratch, long size, long cases, unsigned seed, long failures[10]);
const char *minnow_kernel_name(long kind);

#ifndef CASES
#define CASES 3000
#endif

static unsigned char scratch[256 * 1024] __attribute__((aligned(16)));

int main(void) {
    long failures[10];
    minnow_kernel_check(scratch, sizeof scratch, CASES, 20261122u, failures);
    int bad = 0;
    for (int k = 0; k < 10; k++) {
        char line[128], *p = line;
        p = put(p, minnow_kernel_name(k));
        p = put(p, ": ");
        if (failures[k] < 0) {
            p = put(p, "skipped\n");
        } else {
            p = put_decimal(p, (unsigned long)failures[k]);
            p = put(p, " of ");
            p = put_decimal(p, CASES);
            p = put(p, " random cases differ from the reference\n");
        }
        *p = 0;
        board_print(line);
        bad |= failures[k] > 0;
    }
    return bad;
}

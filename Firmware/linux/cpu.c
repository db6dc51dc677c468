/* minnow_cpu_has_dotprod for Linux: the kernel's hardware capabilities in the auxiliary vector. */
#include <sys/auxv.h>
#include "minnow.h"

int minnow_cpu_has_dotprod(void) {
#if defined(__aarch64__)
    return (getauxval(AT_HWCAP) & (1UL << 20)) != 0; /* HWCAP_ASIMDDP */
#else
    return 0;
#endif
}

/* board.h for Linux user space: output on standard output (the kernel-check executable). */
#include <stdio.h>
#include <stdlib.h>
#include "board.h"

void board_print(const char *s) { fputs(s, stdout); }

void board_exit(int code) {
    fflush(stdout);
    exit(code);
}

unsigned long stack_high_water(void) { return 0; }

/* Tiny text formatting for the firmware's output lines, without printf: each function writes at
 * p and returns the position after what it wrote (no terminating NUL). */
#ifndef MINNOW_TEXT_H
#define MINNOW_TEXT_H
#include <stdint.h>

char *put(char *p, const char *s);
/* v as `digits` lower-case hex digits, e.g. put_hex(p, 0x1a, 4) writes "001a". */
char *put_hex(char *p, uint32_t v, int digits);
char *put_decimal(char *p, unsigned long v);
#endif

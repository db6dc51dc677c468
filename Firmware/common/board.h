#ifndef BOARD_H
#define BOARD_H
void board_print(const char *s);
void board_exit(int code) __attribute__((noreturn));
unsigned long stack_high_water(void);
#endif

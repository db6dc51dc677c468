/* Reset and fault handling, the vector table, the UART and semihosting exit for the MPS2 AN386
 * board (Cortex-M4). Output goes to CMSDK UART0, which QEMU shows on its serial console. */
#include <stdint.h>
#include "board.h"

extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_limit, __stack_top;
int main(void);

#define STACK_PAINT 0xA5A5A5A5u

void Reset_Handler(void) {
    uint32_t *src = &__data_load, *dst = &__data_start;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end; ) *dst++ = 0;
    /* Paint the stack below the current frame so stack_high_water() can find the deepest use. */
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_limit; p < sp - 16; ) *p++ = STACK_PAINT;
    board_exit(main());
}

unsigned long stack_high_water(void) {
    uint32_t *p = &__stack_limit;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (unsigned long)((char *)&__stack_top - (char *)p);
}

static void Fault_Handler(void) {
    board_print("fault: hard fault or unhandled exception\n");
    board_exit(3);
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler, Fault_Handler,
};

/* CMSDK APB UART0. */
#define UART0_DATA (*(volatile uint32_t *)0x40004000)
#define UART0_STATE (*(volatile uint32_t *)0x40004004)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010)

void board_print(const char *s) {
    UART0_BAUDDIV = 16;
    UART0_CTRL = 1; /* transmit enable */
    for (; *s; s++) {
        while (UART0_STATE & 1) {} /* transmit buffer full */
        UART0_DATA = (uint8_t)*s;
    }
}

/* Semihosting SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit: ends QEMU with `code`.
 * On a board without a debugger this traps; there, main's return is the end. */
void board_exit(int code) {
    uint32_t block[2] = {0x20026, (uint32_t)code};
    register uint32_t r0 __asm__("r0") = 0x20;
    register uint32_t r1 __asm__("r1") = (uint32_t)block;
    __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
    for (;;) {}
}

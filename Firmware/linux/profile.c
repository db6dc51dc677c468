/* minnow-profile: runs an int8 model.q8 once on one raw int8 input tensor, calling
 * getpriority(PRIO_PROCESS, 0x4d494e) before each op and after the last: the snapshot marker of
 * ../shared/armcount's instruction-count plugin, so that a count under qemu-aarch64 splits per op
 * (Tools/armcount_ops.py). Prints one line per op: index, kernel, multiply-accumulates.
 *
 *   minnow-profile model.q8 input.bin */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "minnow.h"

#define MODEL_CAPACITY (32L << 20)
#define ARENA_CAPACITY (32L << 20)
#define TENSOR_CAPACITY (8L << 20)

static unsigned char model[MODEL_CAPACITY] __attribute__((aligned(16)));
static unsigned char arena[ARENA_CAPACITY] __attribute__((aligned(16)));
static int8_t input[TENSOR_CAPACITY], output[TENSOR_CAPACITY];

static void marker(long op) {
    (void)op;
    (void)getpriority(PRIO_PROCESS, 0x4d494e);  /* fails with ESRCH: only the plugin sees it */
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: minnow-profile model.q8 input.bin\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { fprintf(stderr, "minnow-profile: %s: %s\n", argv[1], strerror(errno)); return 1; }
    size_t model_size = fread(model, 1, MODEL_CAPACITY, f);
    fclose(f);
    static minnow_handle handle;
    minnow_info info;
    minnow_error error;
    if (minnow_open(&handle, model, model_size, arena, ARENA_CAPACITY, &info, &error) != 0) {
        fprintf(stderr, "minnow-profile: %s: %s\n", argv[1], error.message);
        return 1;
    }
    f = fopen(argv[2], "rb");
    if (!f || info.input_bytes > TENSOR_CAPACITY || fread(input, 1, (size_t)info.input_bytes, f) != (size_t)info.input_bytes) {
        fprintf(stderr, "minnow-profile: %s: cannot read one input tensor of %ld bytes\n", argv[2], info.input_bytes);
        return 1;
    }
    fclose(f);
    minnow_invoke_observed(&handle, input, output, marker);
    char name[96];
    for (long i = 0; i < minnow_op_count(&handle); i++) {
        long macs = minnow_op_describe(&handle, i, name, sizeof name);
        printf("%ld\t%s\t%ld\n", i, name, macs);
    }
    return 0;
}

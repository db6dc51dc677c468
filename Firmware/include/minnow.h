/* The C face of Minnow's Embedded Swift runtime (Firmware/Swift/Entry.swift): what the
 * platform code (Linux main, Cortex-M startup) calls. No function allocates; the model buffer
 * and the arena must be 16-byte aligned. */
#ifndef MINNOW_H
#define MINNOW_H
#include <stddef.h>
#include <stdint.h>

/* Where a model was found wrong: place is one of the MINNOW_PLACE_* values, index the byte,
 * section tag, tensor or op number, message a static NUL-terminated sentence. */
#define MINNOW_PLACE_FILE 0
#define MINNOW_PLACE_BYTE 1
#define MINNOW_PLACE_SECTION 2
#define MINNOW_PLACE_TENSOR 3
#define MINNOW_PLACE_OP 4
typedef struct {
    const char *message;
    long place;
    long index;
} minnow_error;

/* Sizes of a validated one-input, one-output model, in bytes. */
typedef struct {
    long input_bytes;
    long output_bytes;
    long arena_bytes;
} minnow_info;

/* A model opened in an arena: validated once (CRC-32 included) and every op prepared into the
 * arena, then invoked any number of times without checking again (TFLM's AllocateTensors, then
 * Invoke). Opaque: it holds the runtime's interpreter, which fits in these bytes on every target
 * (minnow_open refuses otherwise). The model buffer and the arena must stay unchanged while it is used. */
#define MINNOW_MODEL_BYTES 1024
typedef struct {
    _Alignas(16) unsigned char opaque[MINNOW_MODEL_BYTES];
} minnow_handle;

/* Validates the one-input, one-output model in `model` (16-byte aligned), checks that `arena`
 * (16-byte aligned, `arena_size` bytes) holds its planned arena, prepares every op into it and
 * fills `handle` and `info`. Returns 0, or -1 with `error` filled (a bad model, an arena too small
 * or misaligned); then `handle` must not be invoked. */
long minnow_open(minnow_handle *handle, const void *model, size_t model_size, void *arena, size_t arena_size,
                 minnow_info *info, minnow_error *error);

/* Runs an opened model: copies `input` (info.input_bytes int8 values) into the arena, runs every
 * op and copies the output (info.output_bytes int8 values) to `output`. Cannot fail. */
void minnow_invoke(const minnow_handle *handle, const int8_t *input, int8_t *output);

/* For measurements (Tools/armcount_ops.py): the number of ops of an opened model; op `op`'s
 * kernel as `minnow bench` names it ("conv2d_s8_packed_4x16c4_neondot"), written NUL-terminated
 * into `name` (cut at `capacity` bytes), returning its multiply-accumulates (-1 for no such op);
 * and minnow_invoke calling `between(i)` before each op i and `between(op count)` after the last. */
long minnow_op_count(const minnow_handle *handle);
long minnow_op_describe(const minnow_handle *handle, long op, char *name, size_t capacity);
void minnow_invoke_observed(const minnow_handle *handle, const int8_t *input, int8_t *output, void (*between)(long op));

/* Provided by the platform on AArch64 (on Linux by Sources/CPUFeatures/cpu_features.c): 1 when
 * the CPU has the dot-product extension (SDOT), else 0. The runtime then runs packed
 * convolutions with SDOT. */
int minnow_cpu_has_dotprod(void);

#endif

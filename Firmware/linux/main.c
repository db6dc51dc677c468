/* minnow-infer: runs an int8 model.q8 on raw int8 input tensors, as a fully static Linux
 * executable around the Embedded Swift runtime.
 *
 *   minnow-infer model.q8 inputs.bin outputs.bin
 *
 * inputs.bin holds N input tensors back to back (int8, NHWC, the model's input quantization);
 * outputs.bin receives the N output tensors, written to a temporary file and renamed into place
 * only when every input has run. The model and the arena live in static buffers; the model is
 * validated and prepared once (minnow_open), then invoked per tensor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "minnow.h"

#define MODEL_CAPACITY (32L << 20)
#define ARENA_CAPACITY (32L << 20)
#define TENSOR_CAPACITY (8L << 20)

static unsigned char model[MODEL_CAPACITY] __attribute__((aligned(16)));
static unsigned char arena[ARENA_CAPACITY] __attribute__((aligned(16)));
static int8_t input[TENSOR_CAPACITY], output[TENSOR_CAPACITY];

static int fail(const char *path, const char *what) {
    fprintf(stderr, "minnow-infer: %s: %s\n", path, what);
    return 1;
}

static int model_error(const char *path, const minnow_error *e) {
    char place[32];
    switch (e->place) {
    case MINNOW_PLACE_BYTE: snprintf(place, sizeof place, "byte %ld: ", e->index); break;
    case MINNOW_PLACE_SECTION: {
        unsigned long t = (unsigned long)e->index;
        snprintf(place, sizeof place, "section %c%c%c%c: ", (int)(t & 255), (int)(t >> 8 & 255), (int)(t >> 16 & 255), (int)(t >> 24 & 255));
        break;
    }
    case MINNOW_PLACE_TENSOR: snprintf(place, sizeof place, "tensor %ld: ", e->index); break;
    case MINNOW_PLACE_OP: snprintf(place, sizeof place, "op %ld: ", e->index); break;
    default: place[0] = 0;
    }
    fprintf(stderr, "minnow-infer: %s: %s%s\n", path, place, e->message);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: minnow-infer model.q8 inputs.bin outputs.bin\n"
                        "Runs the model on each int8 input tensor in inputs.bin and writes the int8 outputs.\n");
        return 2;
    }
    const char *model_path = argv[1], *input_path = argv[2], *output_path = argv[3];

    FILE *f = fopen(model_path, "rb");
    if (!f) return fail(model_path, strerror(errno));
    size_t model_size = fread(model, 1, MODEL_CAPACITY, f);
    int too_big = model_size == MODEL_CAPACITY && fgetc(f) != EOF;
    fclose(f);
    if (too_big) return fail(model_path, "larger than the 32 MiB this build holds");

    static minnow_handle handle;
    minnow_info info;
    minnow_error error;
    if (minnow_open(&handle, model, model_size, arena, ARENA_CAPACITY, &info, &error) != 0) return model_error(model_path, &error);
    if (info.input_bytes > TENSOR_CAPACITY || info.output_bytes > TENSOR_CAPACITY) return fail(model_path, "tensors larger than 8 MiB");

    FILE *in = fopen(input_path, "rb");
    if (!in) return fail(input_path, strerror(errno));
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp-%d", output_path, (int)getpid()) >= (int)sizeof temporary)
        return fail(output_path, "path too long");
    FILE *out = fopen(temporary, "wb");
    if (!out) { fclose(in); return fail(output_path, strerror(errno)); }

    long count = 0;
    int status = 0;
    for (;;) {
        size_t got = fread(input, 1, (size_t)info.input_bytes, in);
        if (got == 0) break;
        if (got != (size_t)info.input_bytes) {
            fprintf(stderr, "minnow-infer: %s: ends inside tensor %ld (%zu of %ld bytes); the size must be a multiple of the model's input size\n",
                    input_path, count, got, info.input_bytes);
            status = 1;
            break;
        }
        minnow_invoke(&handle, input, output);
        if (fwrite(output, 1, (size_t)info.output_bytes, out) != (size_t)info.output_bytes) { status = fail(output_path, strerror(errno)); break; }
        count++;
    }
    if (status == 0 && count == 0) status = fail(input_path, "holds no input tensor");
    fclose(in);
    if (fclose(out) != 0 && status == 0) status = fail(output_path, strerror(errno));
    if (status != 0) { remove(temporary); return status; }
    if (rename(temporary, output_path) != 0) { remove(temporary); return fail(output_path, strerror(errno)); }
    printf("%ld tensors: %ld input bytes, %ld output bytes each; arena %ld bytes\n", count, info.input_bytes, info.output_bytes, info.arena_bytes);
    return 0;
}

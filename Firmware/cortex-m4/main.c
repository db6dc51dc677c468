/* Runs the compiled-in model (model_data.c, written by `minnow export`) on each compiled-in
 * input and prints, per input, the line `minnow export` wrote to expected.txt:
 *   output 0: crc32 17bd5300 top 9 (Ankle boot) bytes b5 c1 …
 * then the stack high-water mark. The arena is minnow_arena, a static buffer of the model's
 * planned size, and the output lands in minnow_output, both from model_data.c. */
#include <stdint.h>
#include "board.h"
#include "text.h"
#include "minnow.h"

extern const unsigned char minnow_model[], minnow_inputs[];
extern const unsigned long minnow_model_size, minnow_input_count, minnow_input_bytes, minnow_output_bytes, minnow_label_count,
    minnow_arena_size;
extern const char *const minnow_labels[];
extern unsigned char minnow_arena[];
extern signed char minnow_output[];
uint32_t minnow_crc32(const void *bytes, long count);

static char line[64];

int main(void) {
    static minnow_handle handle;
    minnow_info info;
    minnow_error error;
    if (minnow_open(&handle, minnow_model, minnow_model_size, minnow_arena, minnow_arena_size, &info, &error) != 0
        || (unsigned long)info.input_bytes != minnow_input_bytes || (unsigned long)info.output_bytes != minnow_output_bytes) {
        board_print("error: the compiled-in model is invalid or does not match its inputs\n");
        return 1;
    }
    for (unsigned long i = 0; i < minnow_input_count; i++) {
        minnow_invoke(&handle, (const int8_t *)minnow_inputs + i * minnow_input_bytes, minnow_output);
        const signed char *y = minnow_output;
        long best = 0;
        for (long k = 1; k < info.output_bytes; k++) if (y[k] > y[best]) best = k;
        char *p = put(line, "output ");
        p = put_decimal(p, i);
        p = put(p, ": crc32 ");
        p = put_hex(p, minnow_crc32(y, info.output_bytes), 8);
        p = put(p, " top ");
        p = put_decimal(p, (unsigned long)best);
        p = put(p, " (");
        *p = 0;
        board_print(line);
        board_print((unsigned long)best < minnow_label_count ? minnow_labels[best] : "?");
        board_print(") bytes");
        for (long k = 0; k < info.output_bytes; k++) {
            p = put(line, " ");
            p = put_hex(p, (uint8_t)y[k], 2);
            *p = 0;
            board_print(line);
        }
        board_print("\n");
    }
    char *p = put(line, "stack high-water mark: ");
    p = put_decimal(p, stack_high_water());
    p = put(p, " bytes\n");
    *p = 0;
    board_print(line);
    return 0;
}

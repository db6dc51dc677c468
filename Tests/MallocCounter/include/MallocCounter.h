#ifndef MINNOW_MALLOC_COUNTER_H
#define MINNOW_MALLOC_COUNTER_H

/// Starts counting heap allocations made by the calling thread.
void minnow_allocations_begin(void);
/// Stops counting and returns how many malloc, calloc, realloc, memalign, posix_memalign and
/// aligned_alloc calls the calling thread made since minnow_allocations_begin.
long minnow_allocations_end(void);

/// 1 when the allocator is interposed and counting works; 0 under a sanitizer, which owns malloc.
int minnow_allocation_counting_available(void);

#endif

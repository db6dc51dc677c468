// Counts heap allocations by interposing the C allocator: these definitions override glibc's
// for the whole test process (ELF symbol interposition) and forward to glibc's own entry points.
// Counting is per thread and off unless a test turns it on, so other tests are unaffected.
#include <stddef.h>
#include <errno.h>
#include "MallocCounter.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MINNOW_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MINNOW_SANITIZED 1
#endif

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static __thread int counting;
static __thread long allocations;

static inline void count(void) {
  if (counting) allocations++;
}

void minnow_allocations_begin(void) {
  allocations = 0;
  counting = 1;
}

long minnow_allocations_end(void) {
  counting = 0;
  return allocations;
}

#ifdef MINNOW_SANITIZED
int minnow_allocation_counting_available(void) { return 0; }
#else
int minnow_allocation_counting_available(void) { return 1; }

void *malloc(size_t size) {
  count();
  return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size) {
  count();
  return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size) {
  count();
  return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  count();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  count();
  void *p = __libc_memalign(alignment, size);
  if (p == NULL) return ENOMEM;
  *result = p;
  return 0;
}

void free(void *pointer) {
  __libc_free(pointer);
}
#endif

/* Reference counting for the Embedded Swift objects, which never allocate (-no-allocations).
 *
 * The runtime stores its kernels as Swift closures (KernelSet); copying and destroying a closure
 * retains and releases its context. Every closure in the runtime captures nothing, and
 * -no-allocations rejects any code that would allocate a context or object, so every context is
 * null and there is nothing to count: these are the Embedded runtime's entry points with no
 * objects to manage. */
void *swift_retain(void *object) { return object; }
void swift_release(void *object) { (void)object; }

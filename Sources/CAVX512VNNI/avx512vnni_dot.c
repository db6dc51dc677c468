/* The shim is header-only (an inline function); SwiftPM wants one source file per C target. */
#include "avx512vnni_dot.h"

/* Minimal libc: <limits.h>. The numbers come from the compiler's own limits.h. A hosted
 * GCC (Debian's native gcc) chains from it to the C library's limits.h unless
 * _LIBC_LIMITS_H_ says that one is already in, and under -nostdinc there is none. */
#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_
#include_next <limits.h>
#endif

/* Compiler helpers shared by all kernel code. */
#ifndef COMPILER_H
#define COMPILER_H

#include <stddef.h>

#define ARRAY_SIZE(a)		      (sizeof(a) / sizeof((a)[0]))
#define container_of(p, type, member) ((type *)((char *)(p)-offsetof(type, member)))

#define __noreturn     __attribute__((noreturn))
#define __printf(f, a) __attribute__((format(printf, f, a)))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define CONCAT_(a, b) a##b
#define CONCAT(a, b)  CONCAT_(a, b)
#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

#define ALIGN_UP(x, a)	 (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

/* Keep the compiler from merging, caching or tearing an access to shared memory. */
#define READ_ONCE(x)	 (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif

/* Minimal libc: printf format macros for <stdint.h> types (C11 7.8.1) on LP64. */
#ifndef _INTTYPES_H
#define _INTTYPES_H

#include <stdint.h>

#define PRId64	"ld"
#define PRIi64	"li"
#define PRIu64	"lu"
#define PRIx64	"lx"
#define PRIX64	"lX"
#define PRId32	"d"
#define PRIu32	"u"
#define PRIx32	"x"
#define PRIuPTR "lu"
#define PRIxPTR "lx"

#endif

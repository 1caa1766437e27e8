/* Minimal libc: formatted output into buffers (C11 7.21.6 subset). No streams: the
 * kernel writes to its console through console_printf(). */
#ifndef _STDIO_H
#define _STDIO_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 3, 4))) int snprintf(char *restrict buf, size_t size,
						   const char *restrict fmt, ...);
__attribute__((format(printf, 3, 0))) int vsnprintf(char *restrict buf, size_t size,
						    const char *restrict fmt, va_list ap);

#endif

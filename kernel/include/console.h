/* The system console: the UART that the boot protocol names (before that, the target's
 * early UART), for kernel messages, the shell and KTAP output. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdarg.h>
#include "compiler.h"

struct boot_console;

/* Switch from the early UART to the one the boot information describes. Returns 0 or
 * -E_NODEV for an unsupported kind (the early UART stays then). */
int console_init(const struct boot_console *bc);

void console_putc(char c);
void console_write(const char *s, size_t len);
void console_puts(const char *s);
__printf(1, 2) int console_printf(const char *fmt, ...);
int console_vprintf(const char *fmt, va_list ap);

/* Next input byte, or -1 when none is waiting. */
int console_getc(void);

/* Name of the driver in use, e.g. "ns16550". */
const char *console_name(void);

#endif

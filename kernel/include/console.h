/* The system console: the UART that the boot protocol names (before that, the target's
 * early UART), for kernel messages, the shell and KTAP output. */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Next input byte, waiting for it (asleep, when receive interrupts are on). */
int console_getc_wait(void);

/* A panic started: from now on output ignores the locks that order it between CPUs
 * (another CPU may have stopped holding one). */
void console_emergency(void);
bool console_in_emergency(void);

/* Take received bytes from interrupt `line` into the receive buffer from now on.
 * 0, or a negative E_* code (polling goes on then). */
int console_rx_interrupts(int line);

struct console_rx_stats {
	uint64_t received;    /* bytes put in the buffer */
	uint64_t overflows;   /* bytes dropped because the buffer was full */
	uint64_t interrupts;  /* receive interrupts taken */
	unsigned int waiting; /* bytes in the buffer now */
	unsigned int capacity;
	bool interrupt_driven;
};
void console_rx_stats(struct console_rx_stats *out);

/* Name of the driver in use, e.g. "ns16550". */
const char *console_name(void);

#endif

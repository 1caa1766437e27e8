/* printk: format a message, store it in the log ring buffer, echo it to the console if
 * its level is important enough. */
#include <stdio.h>

#include "arch.h"
#include "console.h"
#include "printk.h"

static char log_storage[1u << CONFIG_LOG_BUF_SHIFT];
struct logbuf printk_log = {.buf = log_storage, .size = sizeof(log_storage)};
int console_loglevel = CONFIG_CONSOLE_LOGLEVEL;

int vprintk(const char *fmt, va_list ap)
{
	char line[512];
	int level = LOGLEVEL_DEFAULT;
	unsigned long flags;
	int n;

	if (fmt[0] == KERN_SOH[0] && fmt[1] >= '0' && fmt[1] <= '7') {
		level = fmt[1] - '0';
		fmt += 2;
	}
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1; /* truncated; the record says so by its length */

	flags = arch_irq_save();
	logbuf_append(&printk_log, level, line, (size_t)n);
	if (level < console_loglevel)
		console_write(line, (size_t)n);
	arch_irq_restore(flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

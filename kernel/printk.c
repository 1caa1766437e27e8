/* printk: format a message, store it in the log ring buffer, echo it to the console if
 * its level is important enough. */
#include <stdio.h>

#include "arch.h"
#include "console.h"
#include "printk.h"
#include "spinlock.h"

static char log_storage[1u << CONFIG_LOG_BUF_SHIFT];
struct logbuf printk_log = {.buf = log_storage, .size = sizeof(log_storage)};
int console_loglevel = CONFIG_CONSOLE_LOGLEVEL;
/* The ring, and the order lines reach the console in. Skipped once a panic started (see
 * console_emergency): a stopped CPU may hold it. */
static struct spinlock printk_lock = SPINLOCK_INIT;

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
	if (!console_in_emergency())
		spin_lock(&printk_lock);
	logbuf_append(&printk_log, level, line, (size_t)n);
	if (level < console_loglevel)
		console_write(line, (size_t)n);
	if (!console_in_emergency())
		spin_unlock(&printk_lock);
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

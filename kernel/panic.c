/* panic(): the kernel cannot go on. Say where and why, then power off with EXIT_PANIC
 * so that the host (and tools/ktest) sees a crash, never a hang. */
#include <stdio.h>

#include "arch.h"
#include "console.h"
#include "kernel.h"
#include "printk.h"

static int panicking;

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	arch_irq_save();
	if (panicking++) {
		/* A panic while panicking: print the least possible and stop. */
		console_puts("\nKernel panic: nested panic\n");
		arch_poweroff(EXIT_PANIC);
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Always reach the console, whatever the log level. */
	console_loglevel = 8;
	pr_emerg("\nKernel panic: %s\n", msg);
	pr_emerg("  at %s:%d on CPU %llu\n", file, line, (unsigned long long)arch_cpu_id());
	arch_poweroff(EXIT_PANIC);
}

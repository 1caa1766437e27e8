/* panic(): the kernel cannot go on. Say where and why (with a backtrace), then power off
 * with EXIT_PANIC so that the host (and tools/ktest) sees a crash, never a hang. */
#include <stdio.h>

#include "arch.h"
#include "console.h"
#include "kernel.h"
#include "printk.h"
#include "smp.h"
#include "trap.h"

static int panic_cpu = -1; /* the CPU that is panicking */

/* Everything but the message: interrupts off, one panic at a time, the other CPUs
 * stopped, loud console. */
static void panic_begin(void)
{
	int self, none = -1;

	arch_irq_save();
	self = (int)arch_cpu_index();
	if (!__atomic_compare_exchange_n(&panic_cpu, &none, self, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (none == self) {
			/* A panic while panicking: print the least possible and stop. */
			console_puts("\nKernel panic: nested panic\n");
			arch_poweroff(EXIT_PANIC);
		}
		/* Another CPU panics at the same time: let it report, and stop here. */
		for (;;)
			arch_wait_for_interrupt();
	}
	console_loglevel = 8;
	smp_stop_others();
	console_emergency();
}

static __noreturn void panic_end(const char *msg)
{
	pr_emerg("Kernel panic: %s\n", msg);
	arch_poweroff(EXIT_PANIC);
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t pc = 0;
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	pr_emerg("\nPanic at %s:%d on CPU %llu: %s\n", file, line,
		 (unsigned long long)arch_cpu_id(), msg);
	/* Start the backtrace at panic()'s caller. */
	if (arch_unwind_frame(&fp, &pc, NULL))
		backtrace_print(pc, fp, NULL);
	panic_end(msg);
}

void panic_quiet(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic_end(msg);
}

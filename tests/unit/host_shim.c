/*
 * What the portable kernel code under test calls outside itself, for a host process:
 * panic() and printk(). A panic prints the kernel's "Kernel panic:" line (tools/ktap.py
 * reports it as a crash at the running case) and aborts, unless a test is inside
 * unit_expect_panic(), which catches it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel.h"
#include "printk.h"
#include "unit.h"

static jmp_buf *catcher;
static char *caught_msg;
static size_t caught_size;

static __noreturn void host_panic(const char *where, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (catcher) {
		jmp_buf *j = catcher;

		catcher = NULL;
		snprintf(caught_msg, caught_size, "%s", msg);
		longjmp(*j, 1);
	}
	fflush(stdout);
	printf("Kernel panic: %s%s\n", msg, where);
	fflush(stdout);
	abort();
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
	char where[300];
	va_list ap;

	snprintf(where, sizeof(where), " (at %s:%d)", file, line);
	va_start(ap, fmt);
	host_panic(where, fmt, ap);
}

void panic_quiet(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_panic("", fmt, ap);
}

bool unit_expect_panic(void (*fn)(void *arg), void *arg, char *msg, size_t size)
{
	jmp_buf j;

	caught_msg = msg;
	caught_size = size;
	if (setjmp(j)) {
		catcher = NULL;
		return true;
	}
	catcher = &j;
	fn(arg);
	catcher = NULL;
	return false;
}

/* Kernel messages become KTAP diagnostics. */
int vprintk(const char *fmt, va_list ap)
{
	int n;

	fputs("    # printk: ", stdout);
	n = vprintf(fmt, ap);
	fflush(stdout);
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

/* Kernel-wide declarations: panic, exit statuses, the command line. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include "compiler.h"

/* Exit statuses the host sees through arch_poweroff(). tools/ktest decodes them. */
enum exit_status {
	EXIT_OK = 0,	       /* clean poweroff; all tests passed */
	EXIT_TESTS_FAILED = 1, /* the test image ran and something failed */
	EXIT_PANIC = 2,	       /* panic() */
};

/* Stop the kernel: print where and why, then power off with EXIT_PANIC. For broken
 * invariants only; expected failures are returned as negative E_* codes. */
#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
__noreturn __printf(3, 4) void panic_at(const char *file, int line, const char *fmt, ...);

/* panic() for callers that have already printed where and a backtrace (the trap report):
 * just the "Kernel panic:" line and the poweroff. */
__noreturn __printf(1, 2) void panic_quiet(const char *fmt, ...);

/* Kernel command line: value of `key=value`, copied into buf. Returns true if present
 * (a bare `key` gives ""). */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);

/* Copy the TLS template for the boot CPU (C libraries with __thread state). */
void tls_init(void);

/* Run every compiled-in test suite, print KTAP; returns the number of failures. */
int ktest_run_all(const char *cmdline);

extern const char kernel_version[];
extern const char kernel_toolchain[];

#endif

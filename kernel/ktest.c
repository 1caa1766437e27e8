/*
 * ktest runner: walks the suites the linker gathered in .ktest_suites and prints KTAP
 * version 1 on the console: one top-level test per suite, its cases as a subtest
 * indented by four spaces (as KUnit does), diagnostics as "# " lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "kernel.h"
#include "ktest.h"
#include "sync.h"
#include "thread.h"

extern const struct ktest_suite *const __ktest_suites_start[];
extern const struct ktest_suite *const __ktest_suites_end[];

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	const char *base = file;
	va_list ap;

	for (const char *p = file; *p; p++)
		if (*p == '/')
			base = p + 1;
	t->failures++;
	console_printf("    # %s: %s:%d: ", t->name, base, line);
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	console_putc('\n');
}

uint64_t ktest_random(void)
{
	static uint64_t state = 0x9e3779b97f4a7c15ull;

	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* Runs the suite; returns the number of failed cases. */
static int run_suite(const struct ktest_suite *s, size_t number)
{
	int failed = 0, skipped = 0;

	console_printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, s->count);
	if (s->one_cpu && thread_set_cpu(thread_current(), 0))
		panic("ktest: cannot bind to CPU 0 for suite %s", s->name);
	for (size_t i = 0; i < s->count; i++) {
		struct ktest t = {.name = s->cases[i].name};

		s->cases[i].run(&t);
		if (t.failures) {
			failed++;
			console_printf("    not ok %zu %s\n", i + 1, t.name);
		} else if (t.skip_reason) {
			skipped++;
			console_printf("    ok %zu %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
		} else {
			console_printf("    ok %zu %s\n", i + 1, t.name);
		}
	}
	console_printf("%s %zu %s\n", failed ? "not ok" : "ok", number, s->name);
	if (s->one_cpu)
		thread_set_cpu(thread_current(), THREAD_ANY_CPU);
	return failed;
}

/* ktest.suite=NAME runs only that suite, ktest.repeat=N runs the selection N times
 * (a stress loop: a flaky case shows up as one failed round). */
int ktest_run_all(const char *cmdline)
{
	size_t count = (size_t)(__ktest_suites_end - __ktest_suites_start);
	size_t selected = 0, number = 0;
	char only[32] = "", value[16];
	long repeat = 1;
	int failed = 0;

	cmdline_get(cmdline, "ktest.suite", only, sizeof(only));
	if (cmdline_get(cmdline, "ktest.repeat", value, sizeof(value))) {
		repeat = strtol(value, NULL, 10);
		if (repeat < 1 || repeat > 10000)
			panic("ktest: ktest.repeat=%s is not a count from 1 to 10000", value);
	}
	for (size_t i = 0; i < count; i++)
		selected += !only[0] || strcmp(__ktest_suites_start[i]->name, only) == 0;
	if (selected == 0)
		panic("ktest: no suite named \"%s\" (ktest.suite=)", only);

	console_printf("KTAP version 1\n1..%zu\n", selected * (size_t)repeat);
	for (long r = 0; r < repeat; r++)
		for (size_t i = 0; i < count; i++)
			if (!only[0] || strcmp(__ktest_suites_start[i]->name, only) == 0)
				failed += run_suite(__ktest_suites_start[i], ++number);
	console_printf("# ktest: %s\n", failed ? "FAIL" : "PASS");
	return failed;
}

static int wait_to_go(void *arg)
{
	return event_wait(arg);
}

void ktest_warm_up_threads(struct ktest *t, int count)
{
	struct thread *th[64];
	struct event go;

	if (count > 64)
		count = 64;
	event_init(&go, false);
	for (int i = 0; i < count; i++)
		th[i] = thread_create("warm-up", wait_to_go, &go, THREAD_PRIO_DEFAULT, 0);
	event_signal(&go);
	for (int i = 0; i < count; i++)
		if (KTEST_EXPECT_TRUE(t, th[i] != NULL))
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, 30 * NSEC_PER_SEC), 0);
}

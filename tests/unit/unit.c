/*
 * Runner of the host-side unit tests: every suite as a KTAP version 1 subtest, as the
 * kernel's ktest runner prints them.
 *
 *   unit [-d DATADIR] [SUITE...]
 *
 * Runs the named suites (default: all). Exit status 0 when no case failed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"

extern const struct unit_suite fdt_suite, logbuf_suite, lineedit_suite, cmdline_suite, format_suite,
	strtol_suite, string_suite, kallsyms_suite, time_math_suite;

static const struct unit_suite *const suites[] = {
	&fdt_suite,    &logbuf_suite, &lineedit_suite, &cmdline_suite,	 &format_suite,
	&strtol_suite, &string_suite, &kallsyms_suite, &time_math_suite,
};

static const char *data_dir = ".";

const char *unit_data_dir(void)
{
	return data_dir;
}

void unit_fail(struct unit *t, const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	va_list ap;

	if (++t->failures > UNIT_MAX_REPORTS)
		return;
	printf("    # %s: %s:%d: ", t->name, base ? base + 1 : file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void unit_note(const char *fmt, ...)
{
	va_list ap;

	fputs("    # ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void *unit_memdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	if (!q) {
		perror("unit: malloc");
		exit(2);
	}
	if (n)
		memcpy(q, p, n);
	return q;
}

void *unit_read_file(struct unit *t, const char *name, size_t *size)
{
	char path[4096];
	FILE *f;
	long n;
	void *buf;

	snprintf(path, sizeof(path), "%s/%s", data_dir, name);
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		unit_fail(t, __FILE__, __LINE__,
			  "cannot read %s (run through "
			  "tests/host/test_unit.py, which makes it)",
			  path);
		if (f)
			fclose(f);
		return NULL;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		unit_fail(t, __FILE__, __LINE__, "cannot read %s", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

uint64_t unit_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t unit_below(uint64_t *state, uint64_t n)
{
	return unit_rand(state) % n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs the suite; returns the number of failed cases. */
static int run_suite(const struct unit_suite *s, size_t number)
{
	int failed = 0;

	printf("    KTAP version 1\n    # Subtest: %s\n    1..%zu\n", s->name, s->count);
	for (size_t i = 0; i < s->count; i++) {
		struct unit t = {.name = s->cases[i].name};
		double start = now();

		s->cases[i].run(&t);
		if (t.failures > UNIT_MAX_REPORTS)
			unit_note("%s: %lu more failures not shown", t.name,
				  t.failures - UNIT_MAX_REPORTS);
		unit_note("%s: %.3f s", t.name, now() - start);
		if (t.todo_reason)
			printf("    %s %zu %s # TODO %s\n", t.failures ? "not ok" : "ok", i + 1,
			       t.name, t.todo_reason);
		else if (t.failures)
			printf("    not ok %zu %s\n", i + 1, t.name);
		else if (t.skip_reason)
			printf("    ok %zu %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
		else
			printf("    ok %zu %s\n", i + 1, t.name);
		if (t.failures && !t.todo_reason)
			failed++;
	}
	printf("%s %zu %s\n", failed ? "not ok" : "ok", number, s->name);
	return failed;
}

static bool wanted(const struct unit_suite *s, int argc, char **argv)
{
	if (argc == 0)
		return true;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], s->name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct unit_suite *run[sizeof(suites) / sizeof(suites[0])];
	size_t count = 0;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	argc--, argv++;
	if (argc >= 2 && strcmp(argv[0], "-d") == 0) {
		data_dir = argv[1];
		argc -= 2, argv += 2;
	}
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (wanted(suites[i], argc, argv))
			run[count++] = suites[i];
	if (count == 0) {
		fprintf(stderr, "usage: unit [-d DATADIR] [SUITE...]: no such suite\n");
		return 2;
	}
	printf("KTAP version 1\n1..%zu\n", count);
	for (size_t i = 0; i < count; i++)
		failed += run_suite(run[i], i + 1);
	printf("# unit: %s\n", failed ? "FAIL" : "PASS");
	return failed ? 1 : 0;
}

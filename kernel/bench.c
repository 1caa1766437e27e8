/*
 * The shell's `bench` command: what the allocators, a context switch and an IPI round
 * trip cost, in counter ticks and nanoseconds. A benchmark, not a test: it asserts
 * nothing about speed, but refuses to print a figure it knows to be wrong (yields that
 * did not switch, an IPI that ran on the calling CPU).
 *
 * Every measurement runs one untimed warm-up batch (under QEMU's TCG the first run of
 * any code pays for translating it), then BENCH_BATCHES timed batches of the same
 * size, and prints one line:
 *
 *   bench <name> ops=<per batch> batches=<n> hz=<counter Hz> ticks=<min>/<median>/<mean>
 *         ns=<min>/<median>/<mean> [key=value ...]
 *
 * (on one line), the figures per operation with two decimals, min and median over the
 * batches, mean over all of them. tools/bench-alloc and tools/bench-sched parse these
 * lines: change them together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "console.h"
#include "errors.h"
#include "heap.h"
#include "kernel.h"
#include "ktime.h"
#include "pmm.h"
#include "shell.h"
#include "smp.h"
#include "thread.h"

#define BENCH_BATCHES 16
#define BENCH_MAX_OPS 100000000ul

struct bench_run {
	unsigned long ops;	       /* per batch */
	unsigned int per_op;	       /* units (e.g. switches) in one operation */
	uint64_t ticks[BENCH_BATCHES]; /* counter ticks per batch */
};

/* One batch of ops operations; its cost in counter ticks in *ticks. 0 or -E_*. */
typedef int (*bench_batch_fn)(void *ctx, unsigned long ops, uint64_t *ticks);

static int bench_measure(struct bench_run *r, unsigned long n, bench_batch_fn fn, void *ctx)
{
	uint64_t warm;
	int err;

	r->ops = n / BENCH_BATCHES ? n / BENCH_BATCHES : 1;
	if (!r->per_op)
		r->per_op = 1;
	err = fn(ctx, r->ops, &warm);
	for (unsigned int b = 0; !err && b < BENCH_BATCHES; b++)
		err = fn(ctx, r->ops, &r->ticks[b]);
	return err;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

/* value / 100 with two decimals. */
static void print_hundredths(uint64_t v, const char *after)
{
	console_printf("%llu.%02llu%s", (unsigned long long)(v / 100),
		       (unsigned long long)(v % 100), after);
}

static void bench_report(const char *name, struct bench_run *r, const char *extra)
{
	uint64_t units = (uint64_t)r->ops * r->per_op, sum = 0;
	uint64_t sorted[BENCH_BATCHES];

	memcpy(sorted, r->ticks, sizeof(sorted));
	sort_u64(sorted, BENCH_BATCHES);
	for (unsigned int b = 0; b < BENCH_BATCHES; b++)
		sum += r->ticks[b];
	console_printf("bench %s ops=%lu batches=%u hz=%llu ticks=", name, r->ops, BENCH_BATCHES,
		       (unsigned long long)arch_counter_hz());
	print_hundredths(sorted[0] * 100 / units, "/");
	print_hundredths(sorted[BENCH_BATCHES / 2] * 100 / units, "/");
	print_hundredths(sum * 100 / (units * BENCH_BATCHES), " ns=");
	/* Converted from the totals, not from the rounded per-op ticks. */
	print_hundredths(time_ticks_to_ns(sorted[0] * 100) / units, "/");
	print_hundredths(time_ticks_to_ns(sorted[BENCH_BATCHES / 2] * 100) / units, "/");
	print_hundredths(time_ticks_to_ns(sum * 100) / (units * BENCH_BATCHES), "");
	console_printf("%s%s\n", extra && *extra ? " " : "", extra ? extra : "");
}

/* ---- page allocator -------------------------------------------------------------- */

static int pages_batch(void *ctx, unsigned long ops, uint64_t *ticks)
{
	unsigned int order = *(const unsigned int *)ctx;
	uint64_t t0 = arch_counter();

	for (unsigned long i = 0; i < ops; i++) {
		uint64_t pa = pmm_alloc(order, ZONE_NORMAL);

		if (!pa)
			return -E_NOSPC;
		pmm_free(pa, order);
	}
	*ticks = arch_counter() - t0;
	return 0;
}

static int bench_pages(unsigned long n)
{
	static const unsigned int orders[] = {0, 3};

	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		struct bench_run r = {0};
		char name[24];
		int err = bench_measure(&r, n, pages_batch, (void *)&orders[i]);

		if (err) {
			console_printf("bench: pmm_alloc(order %u) failed: out of pages\n",
				       orders[i]);
			return err;
		}
		snprintf(name, sizeof(name), "pages-order%u", orders[i]);
		bench_report(name, &r, "op=alloc+free");
	}
	return 0;
}

/* ---- kmalloc ----------------------------------------------------------------------- */

static int kmalloc_batch(void *ctx, unsigned long ops, uint64_t *ticks)
{
	size_t size = *(const size_t *)ctx;
	uint64_t t0 = arch_counter();

	for (unsigned long i = 0; i < ops; i++) {
		void *p = kmalloc(size);

		if (!p)
			return -E_NOSPC;
		kfree(p);
	}
	*ticks = arch_counter() - t0;
	return 0;
}

/* Each size twice: as is (when nothing else of that size class is live, every pair
 * makes a slab page and gives it back), then with one object of the class held so that
 * its slab stays (the steady state of a busy heap). */
static int bench_kmalloc(unsigned long n)
{
	static const size_t sizes[] = {16, 64, 256};

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (int held = 0; held < 2; held++) {
			struct bench_run r = {0};
			void *keep = held ? kmalloc(sizes[i]) : NULL;
			char name[24];
			int err;

			if (held && !keep)
				err = -E_NOSPC;
			else
				err = bench_measure(&r, n, kmalloc_batch, (void *)&sizes[i]);
			kfree(keep);
			if (err) {
				console_printf("bench: kmalloc(%zu) failed: out of memory\n",
					       sizes[i]);
				return err;
			}
			snprintf(name, sizeof(name), "kmalloc-%zu%s", sizes[i],
				 held ? "-held" : "");
			bench_report(name, &r, "op=kmalloc+kfree");
		}
	}
	return 0;
}

/* ---- context switch ---------------------------------------------------------------- */

/* Two threads of one priority on one CPU, each yielding to the other: one yield of the
 * lead is a round trip, lead -> partner -> lead, two context switches. */
struct pingpong {
	unsigned long n;
	bool stop;
	int err;
	struct bench_run run;
	uint64_t yields, switched_in; /* the lead's, to check that every yield switched */
	unsigned int lead_cpu, partner_cpu;
};

static int pingpong_batch(void *ctx, unsigned long ops, uint64_t *ticks)
{
	struct pingpong *p = ctx;
	uint64_t t0 = arch_counter();

	for (unsigned long i = 0; i < ops; i++)
		thread_yield();
	*ticks = arch_counter() - t0;
	p->yields += ops;
	return 0;
}

static int pingpong_lead(void *arg)
{
	struct pingpong *p = arg;
	uint64_t before = thread_current()->switches;

	p->run.per_op = 2;
	p->err = bench_measure(&p->run, p->n, pingpong_batch, p);
	p->switched_in = thread_current()->switches - before;
	p->lead_cpu = thread_current()->cpu;
	WRITE_ONCE(p->stop, true);
	return 0;
}

static int pingpong_partner(void *arg)
{
	struct pingpong *p = arg;

	while (!READ_ONCE(p->stop))
		thread_yield();
	p->partner_cpu = thread_current()->cpu;
	return 0;
}

static int bench_switch(unsigned long n)
{
	struct pingpong *p = kcalloc(1, sizeof(*p));
	int prio = thread_current()->prio - 1;
	struct thread *lead, *partner;
	char extra[96];
	int err, cpu;

	if (!p)
		return -E_NOSPC;
	if (prio < 1) {
		console_printf("bench: switch needs a caller above priority 1\n");
		kfree(p);
		return -E_INVAL;
	}
	p->n = n;
	/* Both on the caller's CPU, below the caller: neither runs until it blocks in the
	 * join, then only they do (with several CPUs, unbound, each could take a CPU of
	 * its own and every yield would find nothing else to run). */
	cpu = (int)thread_current()->cpu;
	lead = thread_create_on("bench-lead", pingpong_lead, p, prio, 0, cpu);
	partner =
		lead ? thread_create_on("bench-partner", pingpong_partner, p, prio, 0, cpu) : NULL;
	if (!partner) {
		console_printf("bench: cannot create the threads\n");
		if (lead) {
			WRITE_ONCE(p->stop, true);
			thread_join(lead, NULL, WAIT_FOREVER);
		}
		kfree(p);
		return -E_NOSPC;
	}
	thread_join(lead, NULL, WAIT_FOREVER);
	thread_join(partner, NULL, WAIT_FOREVER);
	err = p->err;
	if (!err && p->switched_in < p->yields) {
		console_printf("bench: switch: the lead was switched in %llu times for %llu "
			       "yields: the two threads did not alternate on one CPU (lead on "
			       "CPU %u, partner on CPU %u, %u CPUs online)\n",
			       (unsigned long long)p->switched_in, (unsigned long long)p->yields,
			       p->lead_cpu, p->partner_cpu, smp_cpus_online());
		err = -E_NOTSUP;
	}
	if (!err) {
		snprintf(extra, sizeof(extra), "op=switch yields=%llu switched_in=%llu cpu=%u",
			 (unsigned long long)p->yields, (unsigned long long)p->switched_in,
			 p->lead_cpu);
		bench_report("switch", &p->run, extra);
	}
	kfree(p);
	return err;
}

/* ---- IPI round trip ---------------------------------------------------------------- */

struct ipi_ctx {
	unsigned int from, to;
};

static void ipi_nothing(void *arg)
{
	(void)arg;
}

static int ipi_batch(void *ctx, unsigned long ops, uint64_t *ticks)
{
	struct ipi_ctx *c = ctx;
	uint64_t t0 = arch_counter();

	for (unsigned long i = 0; i < ops; i++) {
		int err = smp_call_on(c->to, ipi_nothing, NULL);

		if (err)
			return err;
	}
	*ticks = arch_counter() - t0;
	/* smp_call_on runs fn directly on the calling CPU: a batch on the target CPU
	 * (the caller migrated) measured no IPI at all. */
	return arch_cpu_index() == c->from ? 0 : -E_BUSY;
}

static int bench_ipi(unsigned long n)
{
	struct bench_run r = {0};
	struct thread *self;
	struct ipi_ctx c;
	char extra[48];
	int err, bound;

	if (smp_cpus_online() < 2 || !smp_cpu_online(1)) {
		console_printf("bench: ipi needs 2 CPUs online (%u online)\n", smp_cpus_online());
		return -E_NOTSUP;
	}
	/* From CPU 0 to CPU 1: the caller is bound to CPU 0 for the run. */
	self = thread_current();
	bound = self->bound_cpu;
	err = thread_set_cpu(self, 0);
	if (err)
		return err;
	c.from = 0;
	c.to = 1;
	err = bench_measure(&r, n, ipi_batch, &c);
	thread_set_cpu(self, bound);
	if (err == -E_BUSY)
		console_printf("bench: ipi: the calling thread moved from CPU %u during the run\n",
			       c.from);
	if (err)
		return err;
	snprintf(extra, sizeof(extra), "op=call from=%u to=%u", c.from, c.to);
	bench_report("ipi", &r, extra);
	return 0;
}

/* ---- counter check ------------------------------------------------------------------ */

/* A loop of exactly BENCH_LOOP_INSNS instructions per iteration, for the host to check
 * under `-icount shift=0` (one nanosecond of virtual time per instruction) that the
 * counter follows QEMU's virtual clock: then ns per iteration is BENCH_LOOP_INSNS. The
 * loop is written out per compiler target because its instruction count must not be up
 * to the optimiser. */
#define BENCH_LOOP_INSNS 2

static bool count_down(unsigned long n)
{
	if (n == 0)
		return true;
#if defined(__riscv)
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
#elif defined(__aarch64__)
	__asm__ volatile("1: subs %0, %0, #1\n\tb.ne 1b" : "+r"(n) : : "cc");
#elif defined(__x86_64__)
	__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n) : : "cc");
#else
	return false;
#endif
	return true;
}

static int loop_batch(void *ctx, unsigned long ops, uint64_t *ticks)
{
	uint64_t t0 = arch_counter();

	(void)ctx;
	if (!count_down(ops))
		return -E_NOTSUP;
	*ticks = arch_counter() - t0;
	return 0;
}

static int bench_loop(unsigned long n)
{
	struct bench_run r = {0};
	int err = bench_measure(&r, n, loop_batch, NULL);

	if (err) {
		console_printf("bench: loop: no counted loop for this compiler target\n");
		return err;
	}
	bench_report("loop", &r, "op=iteration insns=" STRINGIFY(BENCH_LOOP_INSNS));
	return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned long default_n;
	int (*run)(unsigned long n);
} benches[] = {
	{"pages", 16000, bench_pages},	{"kmalloc", 16000, bench_kmalloc},
	{"switch", 4000, bench_switch}, {"ipi", 800, bench_ipi},
	{"loop", 16000000, bench_loop},
};

int cmd_bench(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && argc <= 3 && i < ARRAY_SIZE(benches); i++) {
		unsigned long n = benches[i].default_n;
		char *end;

		if (strcmp(argv[1], benches[i].name) != 0)
			continue;
		if (argc == 3) {
			n = strtoul(argv[2], &end, 0);
			if (*end || n == 0 || n > BENCH_MAX_OPS) {
				console_printf("bench: n must be 1..%lu\n", BENCH_MAX_OPS);
				return -E_INVAL;
			}
		}
		return benches[i].run(n);
	}
	console_printf("usage: bench pages|kmalloc|switch|ipi|loop [n]   (n operations, "
		       "in %u timed batches after a warm-up batch)\n",
		       BENCH_BATCHES);
	return -E_INVAL;
}

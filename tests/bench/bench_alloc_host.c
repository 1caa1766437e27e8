/*
 * The kernel's allocators on the host (make bench-alloc): kernel/pmm.c (buddy pages)
 * and kernel/heap.c (kmalloc), compiled unchanged for this machine over an arena from
 * the C library, timed on the same workloads as the kernel's `bench pages` and
 * `bench kmalloc` (alloc + free pairs), next to glibc: malloc/free for kmalloc,
 * posix_memalign(4 KiB)/free for pages. A benchmark, not a test: it fails only when an
 * allocation fails.
 *
 *   bench_alloc_host [-n PAIRS] [-m ARENA_MIB]
 *
 * Prints one line per workload: ns per pair (median of BATCHES batches after a warm-up
 * batch) and pairs per second for each, and the kernel's speed as a ratio of glibc's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "boot_info.h"
#include "heap.h"
#include "pmm.h"

#define BATCHES 16

/* ---- what pmm.c and heap.c need from the kernel around them ---- */

/* One thread and no interrupts: the interrupt "lock" is nothing. */
unsigned long arch_irq_save(void)
{
	return 0;
}

void arch_irq_restore(unsigned long flags)
{
	(void)flags;
}

/* Spinlocks spin only while another CPU holds the lock; one thread never does. */
void arch_cpu_relax(void)
{
	fprintf(stderr, "bench_alloc_host: a spinlock was found held: a lock left locked\n");
	abort();
}

/* The arena is the "physical" memory, at its host address. */
uint64_t arch_phys_limit(void)
{
	return UINT64_MAX;
}

/* pmm cuts the kernel image out of RAM; here it lies outside the arena. */
char __image_start[1], __image_end[1];

/* ---- timing ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keep the compiler from pairing up an allocation and its free and dropping both. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

struct workload {
	const char *name;
	unsigned int order; /* pages */
	size_t size;	    /* bytes */
	int held;	    /* one object of the size kept live during the run */
};

typedef int (*pair_fn)(const struct workload *w, unsigned long n);

static int kernel_pages(const struct workload *w, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		uint64_t pa = pmm_alloc(w->order, ZONE_NORMAL);

		if (!pa)
			return -1;
		escape((void *)(uintptr_t)pa);
		pmm_free(pa, w->order);
	}
	return 0;
}

static int glibc_pages(const struct workload *w, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p;

		if (posix_memalign(&p, PAGE_SIZE, PAGE_SIZE << w->order))
			return -1;
		escape(p);
		free(p);
	}
	return 0;
}

static int kernel_kmalloc(const struct workload *w, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = kmalloc(w->size);

		if (!p)
			return -1;
		escape(p);
		kfree(p);
	}
	return 0;
}

static int glibc_malloc(const struct workload *w, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		void *p = malloc(w->size);

		if (!p)
			return -1;
		escape(p);
		free(p);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median ns per pair over BATCHES batches of n / BATCHES pairs, after a warm-up. */
static double measure(pair_fn fn, const struct workload *w, unsigned long n, int kernel)
{
	unsigned long per = n / BATCHES ? n / BATCHES : 1;
	uint64_t t[BATCHES];
	void *keep = NULL;

	if (w->held)
		keep = kernel ? kmalloc(w->size) : malloc(w->size);
	if ((w->held && !keep) || fn(w, per)) {
		fprintf(stderr, "bench_alloc_host: %s: %s allocation failed\n", w->name,
			kernel ? "kernel" : "glibc");
		exit(1);
	}
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = now_ns();

		if (fn(w, per)) {
			fprintf(stderr, "bench_alloc_host: %s: %s allocation failed\n", w->name,
				kernel ? "kernel" : "glibc");
			exit(1);
		}
		t[b] = now_ns() - t0;
	}
	if (kernel)
		kfree(keep);
	else
		free(keep);
	qsort(t, BATCHES, sizeof(t[0]), cmp_u64);
	return (double)t[BATCHES / 2] / (double)per;
}

static __noreturn void usage(void)
{
	fprintf(stderr, "usage: bench_alloc_host [-n PAIRS] [-m ARENA_MIB]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct workload works[] = {
		{"pages-order0", 0, 0, 0},  {"pages-order3", 3, 0, 0},
		{"kmalloc-16", 0, 16, 0},   {"kmalloc-16-held", 0, 16, 1},
		{"kmalloc-64", 0, 64, 0},   {"kmalloc-64-held", 0, 64, 1},
		{"kmalloc-256", 0, 256, 0}, {"kmalloc-256-held", 0, 256, 1},
	};
	unsigned long n = 1600000, arena_mib = 64;
	struct boot_info bi = BOOT_INFO_INIT;
	size_t arena_size;
	void *arena;
	int opt;

	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		char *end;

		if (opt == 'n')
			n = strtoul(optarg, &end, 0);
		else if (opt == 'm')
			arena_mib = strtoul(optarg, &end, 0);
		else
			usage();
		if (*end || n == 0 || arena_mib < 8 || arena_mib > 4096)
			usage();
	}
	if (optind != argc)
		usage();

	/* The arena aligned to the largest block, so that it splits into whole ones. */
	arena_size = arena_mib << 20;
	arena = aligned_alloc(PAGE_SIZE << PMM_MAX_ORDER, arena_size);
	if (!arena) {
		fprintf(stderr, "bench_alloc_host: no %lu MiB arena: %s\n", arena_mib,
			strerror(errno));
		return 1;
	}
	bi.mem[0].base = (uintptr_t)arena;
	bi.mem[0].size = arena_size;
	bi.mem_count = 1;
	pmm_init(&bi);

	printf("%-18s %12s %12s %14s %14s %7s\n", "workload (pairs)", "kernel ns", "glibc ns",
	       "kernel pairs/s", "glibc pairs/s", "ratio");
	for (size_t i = 0; i < sizeof(works) / sizeof(works[0]); i++) {
		const struct workload *w = &works[i];
		int pages = strncmp(w->name, "pages", 5) == 0;
		double k = measure(pages ? kernel_pages : kernel_kmalloc, w, n, 1);
		double g = measure(pages ? glibc_pages : glibc_malloc, w, n, 0);

		/* ratio: the kernel allocator's speed over glibc's (above 1: faster). */
		printf("%-18s %12.1f %12.1f %14.0f %14.0f %7.2f\n", w->name, k, g, 1e9 / k, 1e9 / g,
		       g / k);
	}
	printf("ns per pair: median of %d batches of %lu; glibc: posix_memalign(4096) for "
	       "pages, malloc for kmalloc; ratio: kernel pairs/s over glibc's\n",
	       BATCHES, n / BATCHES);
	return 0;
}

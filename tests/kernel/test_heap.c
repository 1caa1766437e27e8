/* The kernel heap: sizes, alignment, contents, realloc, and a random stress run after
 * which every page is back with the page allocator. With CONFIG_DEBUG_HEAP (the test
 * image selects it), an overrun and a write after free are caught. */
#include <stdint.h>
#include <string.h>

#include "heap.h"
#include "ktest.h"
#include "pmm.h"

/* An object that kmalloc and pmm did not hand out. */
static uint64_t not_allocated = 0x2545f4914f6cdd1dull;

static void sizes_and_alignment(struct ktest *t)
{
	static const size_t sizes[] = {1,    15,   16,	 17,   100,   512,
				       2047, 2048, 2049, 5000, 65536, 1 << 20};
	void *p[sizeof(sizes) / sizeof(sizes[0])];

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		KTEST_ASSERT_TRUE(t, p[i] != NULL);
		KTEST_EXPECT_EQ(t, (uintptr_t)p[i] % KMALLOC_ALIGN, 0ul);
		KTEST_EXPECT_GE(t, ksize(p[i]), sizes[i]);
		memset(p[i], (int)i, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		KTEST_EXPECT_EQ(t, ((uint8_t *)p[i])[sizes[i] - 1], (uint8_t)i);
		kfree(p[i]);
	}
	kfree(NULL);
}

static void calloc_and_realloc(struct ktest *t)
{
	uint8_t *p = kcalloc(100, 3);
	uint8_t *q;
	int nonzero = 0;

	KTEST_ASSERT_TRUE(t, p != NULL);
	for (int i = 0; i < 300; i++)
		nonzero += p[i] != 0;
	KTEST_EXPECT_EQ(t, nonzero, 0);
	KTEST_EXPECT_TRUE(t, kcalloc(SIZE_MAX / 2, 3) == NULL); /* overflow */
	for (int i = 0; i < 300; i++)
		p[i] = (uint8_t)i;
	q = krealloc(p, 10000); /* grows into pages */
	KTEST_ASSERT_TRUE(t, q != NULL);
	for (int i = 0; i < 300; i++)
		nonzero += q[i] != (uint8_t)i;
	KTEST_EXPECT_EQ(t, nonzero, 0);
	p = krealloc(q, 20); /* shrinks */
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, p[19], 19);
	kfree(p);
	p = krealloc(NULL, 8);
	KTEST_EXPECT_TRUE(t, p != NULL);
	kfree(p);
}

#define LIVE 256

static void random_stress_returns_every_page(struct ktest *t)
{
	static struct {
		uint8_t *p;
		size_t size;
		uint8_t fill;
	} live[LIVE];
	struct heap_stats hs, before;
	uint64_t pages_before = pmm_free_pages();
	int bad = 0;

	/* What the rest of the kernel holds (the idle thread...) stays as it was. */
	heap_stats(&before);
	memset(live, 0, sizeof(live));
	for (int step = 0; step < 5000; step++) {
		int i = (int)(ktest_random() % LIVE);

		if (live[i].p) {
			for (size_t k = 0; k < live[i].size; k += 7)
				bad += live[i].p[k] != live[i].fill;
			kfree(live[i].p);
			live[i].p = NULL;
		} else {
			/* Mostly small, sometimes a few pages. */
			live[i].size = (ktest_random() & 15) ? 1 + ktest_random() % 700
							     : 3000 + ktest_random() % 20000;
			live[i].p = kmalloc(live[i].size);
			KTEST_ASSERT_TRUE(t, live[i].p != NULL);
			live[i].fill = (uint8_t)ktest_random();
			memset(live[i].p, live[i].fill, live[i].size);
		}
	}
	for (int i = 0; i < LIVE; i++)
		kfree(live[i].p);
	heap_stats(&hs);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, hs.problems, before.problems);
	KTEST_EXPECT_EQ(t, hs.allocations, before.allocations);
	KTEST_EXPECT_EQ(t, hs.slab_pages, before.slab_pages);
	KTEST_EXPECT_EQ(t, hs.large_pages, before.large_pages);
	KTEST_EXPECT_EQ(t, pmm_free_pages(), pages_before);
}

static uint64_t problems(void)
{
	struct heap_stats hs;

	heap_stats(&hs);
	return hs.problems;
}

static void catches_overruns_and_bad_frees(struct ktest *t)
{
	uint64_t before = problems();
	uint8_t *p;

	kfree((void *)((uintptr_t)&not_allocated)); /* not from kmalloc */
	KTEST_EXPECT_EQ(t, problems(), before + 1);
#ifndef CONFIG_DEBUG_HEAP
	KTEST_SKIP(t, "red zones need CONFIG_DEBUG_HEAP");
#else
	p = kmalloc(32);
	KTEST_ASSERT_TRUE(t, p != NULL);
	p[32] = 0; /* one byte past the end */
	kfree(p);  /* reported, not reused */
	KTEST_EXPECT_EQ(t, problems(), before + 2);
#endif
}

static void catches_write_after_free(struct ktest *t)
{
#ifndef CONFIG_DEBUG_HEAP
	KTEST_SKIP(t, "poisoning needs CONFIG_DEBUG_HEAP");
#else
	uint64_t before = problems();
	uint8_t *keep = kmalloc(64); /* keeps the slab alive while p is free */
	uint8_t *p = kmalloc(64), *q;

	KTEST_ASSERT_TRUE(t, p != NULL && keep != NULL);
	kfree(p);
	p[40] = 1;	 /* write after free: the poison is damaged */
	q = kmalloc(64); /* the same slot comes back first */
	KTEST_EXPECT_TRUE(t, q == p);
	KTEST_EXPECT_EQ(t, problems(), before + 1);
	kfree(q);
	kfree(keep);
#endif
}

KTEST_SUITE(heap, KTEST_CASE(sizes_and_alignment), KTEST_CASE(calloc_and_realloc),
	    KTEST_CASE(random_stress_returns_every_page),
	    KTEST_CASE(catches_overruns_and_bad_frees), KTEST_CASE(catches_write_after_free));

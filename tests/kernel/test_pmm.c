/* The page allocator: alignment, contiguity, coalescing back to the start state after
 * fragmentation, zones, and refusal of bad frees. */
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "ktest.h"
#include "pmm.h"

/* An object that kmalloc and pmm did not hand out. */
static uint64_t not_allocated = 0x9e3779b97f4a7c15ull;

static void allocates_aligned_blocks(struct ktest *t)
{
	uint64_t before = pmm_free_pages();

	for (unsigned int order = 0; order <= PMM_MAX_ORDER; order++) {
		uint64_t pa = pmm_alloc(order, ZONE_NORMAL);

		KTEST_ASSERT_NE(t, pa, 0ull);
		KTEST_EXPECT_EQ(t, pa & ((PAGE_SIZE << order) - 1), 0ull);
		KTEST_EXPECT_EQ(t, pmm_free_pages(), before - (1ull << order));
		/* Contiguous and ours: write the whole block, read it back. */
		memset((void *)(uintptr_t)pa, (int)order, PAGE_SIZE << order);
		KTEST_EXPECT_EQ(t, ((uint8_t *)(uintptr_t)pa)[(PAGE_SIZE << order) - 1],
				(uint8_t)order);
		KTEST_EXPECT_EQ(t, pmm_free(pa, order), 0);
		KTEST_EXPECT_EQ(t, pmm_free_pages(), before);
	}
	KTEST_EXPECT_EQ(t, pmm_alloc(PMM_MAX_ORDER + 1, ZONE_NORMAL), 0ull);
}

static void refuses_bad_frees(struct ktest *t)
{
	uint64_t pa = pmm_alloc(2, ZONE_NORMAL);
	uint64_t before;

	KTEST_ASSERT_NE(t, pa, 0ull);
	before = pmm_free_pages();
	KTEST_EXPECT_EQ(t, pmm_free(pa, 1), -E_INVAL);		   /* wrong order */
	KTEST_EXPECT_EQ(t, pmm_free(pa + PAGE_SIZE, 0), -E_INVAL); /* inside it */
	KTEST_EXPECT_EQ(t, pmm_free(pa + 8, 0), -E_INVAL);	   /* misaligned */
	KTEST_EXPECT_EQ(t, pmm_free((uintptr_t)&not_allocated & ~(PAGE_SIZE - 1), 0), -E_INVAL);
	KTEST_EXPECT_EQ(t, pmm_free_pages(), before); /* nothing freed */
	KTEST_EXPECT_EQ(t, pmm_free(pa, 2), 0);
	KTEST_EXPECT_EQ(t, pmm_free(pa, 2), -E_INVAL); /* double free */
	KTEST_EXPECT_EQ(t, pmm_free_pages(), before + 4);
}

#define FRAG_PAGES 512

static void coalesces_after_fragmentation(struct ktest *t)
{
	static uint64_t pages[FRAG_PAGES];
	struct pmm_stats start, end;

	pmm_stats(&start);
	for (int i = 0; i < FRAG_PAGES; i++) {
		pages[i] = pmm_alloc_page();
		KTEST_ASSERT_NE(t, pages[i], 0ull);
	}
	/* Free in a shuffled order: buddies come back in no particular sequence. */
	for (int i = FRAG_PAGES - 1; i > 0; i--) {
		int j = (int)(ktest_random() % (uint64_t)(i + 1));
		uint64_t x = pages[i];

		pages[i] = pages[j];
		pages[j] = x;
	}
	for (int i = 0; i < FRAG_PAGES; i++)
		KTEST_ASSERT_EQ(t, pmm_free(pages[i], 0), 0);
	pmm_stats(&end);
	KTEST_EXPECT_EQ(t, end.free_pages, start.free_pages);
	/* Not just the count: the blocks merged back to the same sizes. */
	for (int o = 0; o <= PMM_MAX_ORDER; o++)
		KTEST_EXPECT_EQ(t, end.free_blocks[o], start.free_blocks[o]);
}

struct live {
	uint64_t pa;
	unsigned int order;
	uint8_t fill;
};

static void random_stress_keeps_contents(struct ktest *t)
{
	static struct live live[64];
	uint64_t before = pmm_free_pages();
	int bad = 0;

	memset(live, 0, sizeof(live));
	for (int step = 0; step < 3000; step++) {
		struct live *l = &live[ktest_random() % 64];

		if (l->pa) {
			/* Someone else's writes would show here. */
			const uint8_t *p = (const uint8_t *)(uintptr_t)l->pa;

			for (uint64_t i = 0; i < (PAGE_SIZE << l->order); i += 61)
				bad += p[i] != l->fill;
			KTEST_ASSERT_EQ(t, pmm_free(l->pa, l->order), 0);
			l->pa = 0;
		} else {
			l->order = (unsigned int)(ktest_random() % 5);
			l->pa = pmm_alloc(l->order,
					  (ktest_random() & 1) ? ZONE_NORMAL : ZONE_DMA32);
			KTEST_ASSERT_NE(t, l->pa, 0ull);
			l->fill = (uint8_t)ktest_random();
			memset((void *)(uintptr_t)l->pa, l->fill, PAGE_SIZE << l->order);
		}
	}
	for (int i = 0; i < 64; i++)
		if (live[i].pa)
			KTEST_ASSERT_EQ(t, pmm_free(live[i].pa, live[i].order), 0);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, pmm_free_pages(), before);
}

static void dma32_zone_stays_below_4gib(struct ktest *t)
{
	uint64_t pa = pmm_alloc(3, ZONE_DMA32);

	KTEST_ASSERT_NE(t, pa, 0ull);
	KTEST_EXPECT_LT(t, pa + (PAGE_SIZE << 3), 4ull << 30);
	KTEST_EXPECT_EQ(t, pmm_free(pa, 3), 0);
}

static void map_excludes_the_kernel(struct ktest *t)
{
	extern char __image_start[], __image_end[];
	uint64_t base, size;

	for (unsigned int i = 0; pmm_usable_range(i, &base, &size); i++) {
		KTEST_EXPECT_TRUE(t, base + size <= (uintptr_t)__image_start ||
					     base >= (uintptr_t)__image_end);
		KTEST_EXPECT_EQ(t, base & (PAGE_SIZE - 1), 0ull);
	}
}

KTEST_SUITE(pmm, KTEST_CASE(allocates_aligned_blocks), KTEST_CASE(refuses_bad_frees),
	    KTEST_CASE(coalesces_after_fragmentation), KTEST_CASE(random_stress_keeps_contents),
	    KTEST_CASE(dma32_zone_stays_below_4gib), KTEST_CASE(map_excludes_the_kernel));

/*
 * Physical memory: the usable map and a buddy allocator.
 *
 * The map is boot_info's RAM with every reserved range cut out (page-aligned outwards)
 * and clipped to what the kernel can address today (arch_phys_limit()). One byte of state
 * per page, in an array carved from the map itself, says what each page is: the head of
 * a free or allocated block of some order, a tail page of a block, or not managed. Free
 * blocks sit on per-zone, per-order doubly linked lists kept inside the free pages
 * themselves (the kernel reaches all of RAM at its physical address). With the state a
 * free can be checked: a double free, a wrong order or a stray address is refused.
 *
 * Everything runs with interrupts off; that is the lock while there is one CPU.
 */
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "spinlock.h"

#define MAX_RANGES     64
#define ZONE_DMA32_END (4ull << 30)

/* Page state bytes. */
#define PS_UNMANAGED  0xff
#define PS_TAIL	      0xfe
#define PS_FREE	      0x80 /* | order: head of a free block */
#define PS_ALLOCATED  0x40 /* | order: head of an allocated block */
#define PS_ORDER_MASK 0x1f

struct range {
	uint64_t base, end;
	const char *why; /* for reserved ranges */
};

struct free_block {
	struct free_block *next, *prev;
};

static struct range usable[MAX_RANGES];
static unsigned int usable_count;
static struct range reserved[MAX_RANGES];
static unsigned int reserved_count;

static uint8_t *state;		      /* one byte per page in [first_page, end_page) */
static uint64_t first_page, end_page; /* page frame numbers */
static struct free_block *free_lists[ZONE_COUNT][PMM_MAX_ORDER + 1];
static struct pmm_stats stats;
static struct spinlock pmm_lock = SPINLOCK_INIT; /* free lists, page states, stats */

extern char __image_start[], __image_end[];

/* ---- building the map ------------------------------------------------------------ */

static void note_reserved(uint64_t base, uint64_t end, const char *why)
{
	if (reserved_count < MAX_RANGES)
		reserved[reserved_count++] = (struct range){base, end, why};
}

/* Remove [base, end) from the usable ranges, splitting one where needed. */
static void cut(uint64_t base, uint64_t end, const char *why)
{
	base = base & ~(PAGE_SIZE - 1);
	end = ALIGN_UP(end, PAGE_SIZE);
	note_reserved(base, end, why);
	for (unsigned int i = 0; i < usable_count; i++) {
		struct range *u = &usable[i];

		if (end <= u->base || base >= u->end)
			continue;
		if (base > u->base && end < u->end && usable_count < MAX_RANGES) {
			/* A hole in the middle: keep the upper part as a new range. */
			usable[usable_count++] = (struct range){end, u->end, NULL};
			u->end = base;
		} else if (base <= u->base) {
			u->base = end < u->end ? end : u->end;
		} else {
			u->end = base;
		}
	}
}

static void build_map(const struct boot_info *bi)
{
	uint64_t limit = arch_phys_limit();

	for (unsigned int i = 0; i < bi->mem_count && usable_count < MAX_RANGES; i++) {
		uint64_t base = ALIGN_UP(bi->mem[i].base, PAGE_SIZE);
		uint64_t end = (bi->mem[i].base + bi->mem[i].size) & ~(PAGE_SIZE - 1);

		if (end > limit) {
			pr_warn("pmm: %llu MiB of RAM above %#llx: not reachable yet, left alone\n",
				(unsigned long long)((end - (base > limit ? base : limit)) >> 20),
				(unsigned long long)limit);
			end = limit;
		}
		if (base < end)
			usable[usable_count++] = (struct range){base, end, NULL};
	}
	cut((uintptr_t)__image_start, (uintptr_t)__image_end, "kernel image");
	for (unsigned int i = 0; i < bi->reserved_count; i++)
		cut(bi->reserved[i].base, bi->reserved[i].base + bi->reserved[i].size,
		    "boot/firmware");
}

/* ---- the buddy allocator ---------------------------------------------------------- */

static enum pmm_zone zone_of(uint64_t pa)
{
	return pa < ZONE_DMA32_END ? ZONE_DMA32 : ZONE_NORMAL;
}

static uint8_t *page_state(uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	return pfn >= first_page && pfn < end_page ? &state[pfn - first_page] : NULL;
}

static void list_push(uint64_t pa, unsigned int order)
{
	struct free_block **head = &free_lists[zone_of(pa)][order];
	struct free_block *b = (struct free_block *)(uintptr_t)pa;

	b->prev = NULL;
	b->next = *head;
	if (*head)
		(*head)->prev = b;
	*head = b;
	*page_state(pa) = PS_FREE | order;
	stats.free_blocks[order]++;
	stats.free_pages += 1ull << order;
	stats.zone_free[zone_of(pa)] += 1ull << order;
}

static void list_remove(uint64_t pa, unsigned int order)
{
	struct free_block *b = (struct free_block *)(uintptr_t)pa;

	if (b->prev)
		b->prev->next = b->next;
	else
		free_lists[zone_of(pa)][order] = b->next;
	if (b->next)
		b->next->prev = b->prev;
	stats.free_blocks[order]--;
	stats.free_pages -= 1ull << order;
	stats.zone_free[zone_of(pa)] -= 1ull << order;
}

/* Mark [pa, pa + 2^order pages) as one allocated block. */
static void mark_allocated(uint64_t pa, unsigned int order)
{
	uint8_t *s = page_state(pa);

	s[0] = PS_ALLOCATED | order;
	memset(s + 1, PS_TAIL, (1ul << order) - 1);
}

static uint64_t take(enum pmm_zone zone, unsigned int order)
{
	for (unsigned int o = order; o <= PMM_MAX_ORDER; o++) {
		struct free_block *b = free_lists[zone][o];
		uint64_t pa;

		if (!b)
			continue;
		pa = (uintptr_t)b;
		list_remove(pa, o);
		/* Split: the upper halves go back on the lists. */
		while (o > order) {
			o--;
			list_push(pa + (PAGE_SIZE << o), o);
		}
		mark_allocated(pa, order);
		return pa;
	}
	return 0;
}

uint64_t pmm_alloc(unsigned int order, enum pmm_zone zone)
{
	unsigned long flags;
	uint64_t pa = 0;

	if (order > PMM_MAX_ORDER)
		return 0;
	flags = spin_lock_irqsave(&pmm_lock);
	if (zone == ZONE_NORMAL)
		pa = take(ZONE_NORMAL, order);
	if (!pa)
		pa = take(ZONE_DMA32, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pa;
}

static int bad_free(uint64_t pa, unsigned int order, const char *why, void *caller)
{
	pr_err("pmm: refusing to free %#llx (order %u): %s, called from %p\n",
	       (unsigned long long)pa, order, why, caller);
#ifdef CONFIG_DEBUG_PMM
	panic("pmm: bad free of %#llx (order %u): %s, called from %p", (unsigned long long)pa,
	      order, why, caller);
#endif
	return -E_INVAL;
}

int pmm_free(uint64_t pa, unsigned int order)
{
	void *caller = __builtin_return_address(0);
	unsigned long flags;
	uint8_t *s;

	if (order > PMM_MAX_ORDER || !IS_ALIGNED(pa, PAGE_SIZE << order))
		return bad_free(pa, order, "misaligned for its order", caller);
	flags = spin_lock_irqsave(&pmm_lock);
	s = page_state(pa);
	if (!s || *s == PS_UNMANAGED) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		return bad_free(pa, order, "not memory the allocator manages", caller);
	}
	if (*s != (PS_ALLOCATED | order)) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		return bad_free(pa, order,
				(*s & PS_FREE)	      ? "already free (double free)"
				: (*s & PS_ALLOCATED) ? "allocated with another order"
						      : "not the start of an allocated block",
				caller);
	}
	/* Merge with the buddy as long as it is a free block of the same order. */
	while (order < PMM_MAX_ORDER) {
		uint64_t buddy = pa ^ (PAGE_SIZE << order);
		uint8_t *bs = page_state(buddy);

		if (!bs || *bs != (PS_FREE | order) || zone_of(buddy) != zone_of(pa))
			break;
		list_remove(buddy, order);
		*page_state(buddy > pa ? buddy : pa) = PS_TAIL;
		pa = buddy < pa ? buddy : pa;
		order++;
	}
	list_push(pa, order);
	spin_unlock_irqrestore(&pmm_lock, flags);
	return 0;
}

/* Hand [base, end) to the allocator in the largest aligned blocks that fit. */
static void release_range(uint64_t base, uint64_t end)
{
	while (base < end) {
		unsigned int order = PMM_MAX_ORDER;

		while (order > 0 &&
		       (!IS_ALIGNED(base, PAGE_SIZE << order) || base + (PAGE_SIZE << order) > end))
			order--;
		mark_allocated(base, order);
		stats.total_pages += 1ull << order;
		pmm_free(base, order);
		base += PAGE_SIZE << order;
	}
}

void pmm_init(const struct boot_info *bi)
{
	uint64_t lo = UINT64_MAX, hi = 0, bytes;
	unsigned int i;

	build_map(bi);
	for (i = 0; i < usable_count; i++) {
		if (usable[i].base >= usable[i].end)
			continue;
		lo = usable[i].base < lo ? usable[i].base : lo;
		hi = usable[i].end > hi ? usable[i].end : hi;
	}
	if (lo >= hi)
		panic("pmm: no usable RAM left after the reserved ranges");
	first_page = lo >> PAGE_SHIFT;
	end_page = hi >> PAGE_SHIFT;
	bytes = ALIGN_UP(end_page - first_page, PAGE_SIZE);

	/* The state array lives in the first usable range big enough for it. */
	for (i = 0; i < usable_count; i++)
		if (usable[i].end - usable[i].base >= bytes)
			break;
	if (i == usable_count)
		panic("pmm: no room for the page state (%llu KiB)",
		      (unsigned long long)(bytes >> 10));
	state = (uint8_t *)(uintptr_t)usable[i].base;
	memset(state, PS_UNMANAGED, end_page - first_page);
	cut(usable[i].base, usable[i].base + bytes, "page state");

	for (i = 0; i < usable_count; i++)
		if (usable[i].base < usable[i].end)
			release_range(usable[i].base, usable[i].end);
	pr_info("pmm: %llu MiB usable in %u ranges, %llu pages free\n",
		(unsigned long long)(stats.total_pages >> (20 - PAGE_SHIFT)), usable_count,
		(unsigned long long)stats.free_pages);
}

void pmm_stats(struct pmm_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);

	*out = stats;
	spin_unlock_irqrestore(&pmm_lock, flags);
}

uint64_t pmm_free_pages(void)
{
	return READ_ONCE(stats.free_pages);
}

bool pmm_usable_range(unsigned int i, uint64_t *base, uint64_t *size)
{
	for (unsigned int n = 0; n < usable_count; n++) {
		if (usable[n].base >= usable[n].end || i-- > 0)
			continue;
		*base = usable[n].base;
		*size = usable[n].end - usable[n].base;
		return true;
	}
	return false;
}

void pmm_print_map(void)
{
	uint64_t base, size;

	for (unsigned int i = 0; pmm_usable_range(i, &base, &size); i++)
		pr_info("  usable   %#014llx-%#014llx %8llu KiB\n", (unsigned long long)base,
			(unsigned long long)(base + size), (unsigned long long)(size >> 10));
	for (unsigned int i = 0; i < reserved_count; i++)
		pr_info("  reserved %#014llx-%#014llx %8llu KiB  %s\n",
			(unsigned long long)reserved[i].base, (unsigned long long)reserved[i].end,
			(unsigned long long)((reserved[i].end - reserved[i].base) >> 10),
			reserved[i].why);
}

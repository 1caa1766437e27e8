/*
 * kmalloc over pmm. A slab is one page: a header, then objects of its size class,
 * threaded on a free list while unused. An empty slab goes back to the page allocator
 * at once, so freeing everything returns every page. A large allocation is a block of
 * pages with a header in its first KMALLOC_ALIGN-sized slot.
 *
 * The header's magic tells kfree a slab from a large block from a stray pointer.
 * Interrupts are off inside; that is the lock while there is one CPU.
 */
#include <string.h>

#include "arch.h"
#include "heap.h"
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "spinlock.h"

#define SLAB_MAGIC  0x51ab51ab
#define LARGE_MAGIC 0x1a26e000
#define MIN_CLASS   16
#define CLASSES	    8	 /* 16, 32, ... 2048 */
#define POISON	    0x6b /* freed memory, under CONFIG_DEBUG_HEAP */
#define REDZONE	    0xcc
#ifdef CONFIG_DEBUG_HEAP
#define REDZONE_SIZE KMALLOC_ALIGN
#else
#define REDZONE_SIZE 0
#endif

struct slab {
	uint32_t magic;
	uint32_t class_size; /* object size handed out */
	uint32_t slot_size;  /* object + red zone */
	uint32_t in_use;
	struct slab *next, *prev; /* the cache's slabs with free objects */
	void *free;		  /* first free object */
};

struct large {
	uint32_t magic;
	uint32_t order;
	size_t size;
};

_Static_assert(sizeof(struct large) <= KMALLOC_ALIGN, "large header fits its slot");

static struct slab *caches[CLASSES]; /* slabs with at least one free object */
static struct heap_stats stats;
static struct spinlock heap_lock = SPINLOCK_INIT; /* the caches and stats (pmm has its own) */

static unsigned int class_index(size_t size)
{
	unsigned int i = 0;

	while ((size_t)(MIN_CLASS << i) < size)
		i++;
	return i;
}

static size_t header_size(void)
{
	return ALIGN_UP(sizeof(struct slab), KMALLOC_ALIGN);
}

/* Report and count; the memory involved is left alone rather than reused. */
static void problem(const char *what, const void *p)
{
	stats.problems++;
	pr_err("heap: %s at %p\n", what, p);
}

static void unlink_slab(struct slab **head, struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void push_slab(struct slab **head, struct slab *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static struct slab *new_slab(unsigned int ci)
{
	uint64_t pa = pmm_alloc_page();
	struct slab *s = (struct slab *)(uintptr_t)pa;
	char *obj;

	if (!pa)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->class_size = MIN_CLASS << ci;
	s->slot_size = s->class_size + REDZONE_SIZE;
	s->in_use = 0;
	s->next = s->prev = NULL;
	s->free = NULL;
	/* Thread every slot onto the free list, lowest address first. */
	for (obj = (char *)s + PAGE_SIZE - s->slot_size; obj >= (char *)s + header_size();
	     obj -= s->slot_size) {
		*(void **)obj = s->free;
		s->free = obj;
#ifdef CONFIG_DEBUG_HEAP
		memset(obj + sizeof(void *), POISON, s->class_size - sizeof(void *));
#endif
	}
	stats.slab_pages++;
	return s;
}

static void *slab_alloc(size_t size)
{
	unsigned int ci = class_index(size);
	struct slab *s = caches[ci];
	void *obj;

	if (!s) {
		s = new_slab(ci);
		if (!s)
			return NULL;
		push_slab(&caches[ci], s);
	}
	obj = s->free;
	if (!obj) /* only slabs with a free object are on the list */
		panic("heap: a full slab of %u-byte objects on the free list", s->class_size);
	s->free = *(void **)obj;
	if (++s->in_use && !s->free)
		unlink_slab(&caches[ci], s); /* full: off the cache's list */
#ifdef CONFIG_DEBUG_HEAP
	for (size_t i = sizeof(void *); i < s->class_size; i++)
		if (((uint8_t *)obj)[i] != POISON) {
			problem("write after free", (char *)obj + i);
			break;
		}
	memset((char *)obj + s->class_size, REDZONE, REDZONE_SIZE);
#endif
	return obj;
}

static void slab_free(struct slab *s, void *obj)
{
	unsigned int ci = class_index(s->class_size);
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s;

	/* Slots are laid out back from the end of the page (new_slab). */
	if (off < header_size() || (PAGE_SIZE - off) % s->slot_size)
		return problem("kfree of a pointer inside an object", obj);
#ifdef CONFIG_DEBUG_HEAP
	for (uint32_t i = 0; i < REDZONE_SIZE; i++)
		if (((uint8_t *)obj)[s->class_size + i] != REDZONE)
			return problem("overrun past the end of an object", obj);
	memset((char *)obj + sizeof(void *), POISON, s->class_size - sizeof(void *));
#endif
	if (!s->free)
		push_slab(&caches[ci], s); /* was full: back on the list */
	*(void **)obj = s->free;
	s->free = obj;
	if (--s->in_use == 0) {
		unlink_slab(&caches[ci], s);
		s->magic = 0;
		pmm_free((uintptr_t)s, 0);
		stats.slab_pages--;
	}
}

static void *large_alloc(size_t size)
{
	size_t total = size + KMALLOC_ALIGN;
	unsigned int order = 0;
	struct large *l;
	uint64_t pa;

	while ((PAGE_SIZE << order) < total)
		if (++order > PMM_MAX_ORDER)
			return NULL;
	pa = pmm_alloc(order, ZONE_NORMAL);
	if (!pa)
		return NULL;
	l = (struct large *)(uintptr_t)pa;
	l->magic = LARGE_MAGIC;
	l->order = order;
	l->size = size;
	stats.large_pages += 1ull << order;
	return (char *)l + KMALLOC_ALIGN;
}

void *kmalloc(size_t size)
{
	unsigned long flags;
	void *p;

	if (size == 0)
		size = 1;
	flags = spin_lock_irqsave(&heap_lock);
	p = size <= KMALLOC_MAX_SMALL ? slab_alloc(size) : large_alloc(size);
	if (p)
		stats.allocations++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void kfree(void *p)
{
	unsigned long flags;
	struct slab *s;
	struct large *l;

	if (!p)
		return;
	flags = spin_lock_irqsave(&heap_lock);
	s = (struct slab *)((uintptr_t)p & ~(PAGE_SIZE - 1));
	l = (struct large *)((char *)p - KMALLOC_ALIGN);
	if (IS_ALIGNED((uintptr_t)l, PAGE_SIZE) && l->magic == LARGE_MAGIC) {
		l->magic = 0;
		stats.large_pages -= 1ull << l->order;
		pmm_free((uintptr_t)l, l->order);
		stats.allocations--;
	} else if (s->magic == SLAB_MAGIC) {
		slab_free(s, p);
		stats.allocations--;
	} else {
		problem("kfree of a pointer kmalloc did not give (or a double free)", p);
	}
	spin_unlock_irqrestore(&heap_lock, flags);
}

size_t ksize(const void *p)
{
	const struct large *l = (const struct large *)((const char *)p - KMALLOC_ALIGN);
	const struct slab *s = (const struct slab *)((uintptr_t)p & ~(PAGE_SIZE - 1));

	if (IS_ALIGNED((uintptr_t)l, PAGE_SIZE) && l->magic == LARGE_MAGIC)
		return l->size;
	return s->magic == SLAB_MAGIC ? s->class_size : 0;
}

void *kcalloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	p = kmalloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

void *krealloc(void *p, size_t size)
{
	size_t old;
	void *q;

	if (!p)
		return kmalloc(size);
	old = ksize(p);
	if (size <= old && size > old / 2)
		return p; /* fits, and not wastefully big */
	q = kmalloc(size);
	if (!q)
		return NULL;
	memcpy(q, p, old < size ? old : size);
	kfree(p);
	return q;
}

void heap_stats(struct heap_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	*out = stats;
	spin_unlock_irqrestore(&heap_lock, flags);
}

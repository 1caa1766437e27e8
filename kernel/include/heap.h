/*
 * The kernel heap: kmalloc and friends over the page allocator. Small sizes come from
 * slab caches (one page each, objects of one power-of-two size class); larger ones take
 * whole pages. Every pointer is aligned to at least KMALLOC_ALIGN bytes.
 *
 * CONFIG_DEBUG_HEAP fills freed memory with a poison pattern (checked when the memory is
 * handed out again: a write after free is reported) and puts a red zone after every
 * object (checked by kfree: an overrun is reported, and the object is not reused).
 */
#ifndef HEAP_H
#define HEAP_H

#include <stddef.h>
#include <stdint.h>

#define KMALLOC_ALIGN	  16
#define KMALLOC_MAX_SMALL 2048 /* larger requests take whole pages */

void *kmalloc(size_t size);
void *kcalloc(size_t n, size_t size); /* zeroed; NULL when n * size overflows */
void *krealloc(void *p, size_t size); /* like realloc: NULL p allocates */
void kfree(void *p);		      /* NULL is fine */

/* The usable size of an allocation (at least what was asked for). */
size_t ksize(const void *p);

struct heap_stats {
	uint64_t allocations; /* live objects */
	uint64_t slab_pages;  /* pages held by the slab caches */
	uint64_t large_pages; /* pages held by large allocations */
	uint64_t problems;    /* overruns, writes after free, bad frees seen */
};
void heap_stats(struct heap_stats *out);

#endif

/*
 * Kernel thread stacks, each in its own slot of a dedicated address range, mapped
 * read+write with nothing mapped below it: running off the bottom of a stack (or any
 * access just below it) hits an unmapped guard page and faults instead of corrupting
 * the memory next to it.
 */
#ifndef KSTACK_H
#define KSTACK_H

#include <stddef.h>
#include <stdint.h>

/* A stack of PAGE_SIZE << order bytes (at most KSTACK_MAX); its lowest address, or NULL
 * when memory or slots run out. From a thread with interrupts on, or before other CPUs
 * run (a slot freed earlier may need every CPU's TLB flushed first). */
void *kstack_alloc(unsigned int order);
/* Give it back; any context. */
void kstack_free(void *base, unsigned int order);

#define KSTACK_MAX (1024 * 1024)

#endif

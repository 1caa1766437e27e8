/*
 * Kernel stacks in slots (kernel/include/kstack.h). The range starts at 192 GiB, above
 * the RAM of every QEMU board and below Sv39's 256 GiB limit of the lower half; each slot
 * is 2 MiB and holds one stack at its top, so at least 1 MiB below every stack is never
 * mapped.
 *
 * Freeing unmaps a stack on this CPU only (it may be called with interrupts off, from
 * the scheduler), so the slot is stale: another CPU's TLB may still hold the old
 * translation. Before a stale slot is used again every CPU flushes its TLB once, which
 * cleans every slot freed until then: one flush per round of threads that come and go,
 * not one per stack.
 */
#include <stdbool.h>

#include "arch.h"
#include "errors.h"
#include "irq.h"
#include "kernel.h"
#include "kstack.h"
#include "pmm.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "vm.h"

#define KSTACK_AREA  ((uintptr_t)0x3000000000ull)
#define KSTACK_SLOT  (2ul << 20)
#define KSTACK_SLOTS 1024

_Static_assert(KSTACK_MAX + PAGE_SIZE <= KSTACK_SLOT, "a stack and its guard fill a slot");

static struct spinlock lock = SPINLOCK_INIT;
static bool in_use[KSTACK_SLOTS];
/* Flush generations: a free records the current one; a flush of every CPU's TLB starts
 * a new one and, when done, cleans every slot freed before it started. */
static uint32_t freed_gen[KSTACK_SLOTS]; /* 0: never freed */
static uint32_t generation = 1;
static uint32_t clean_through; /* slots freed in generations up to this are clean */

static uintptr_t slot_top(unsigned int slot)
{
	return KSTACK_AREA + (uintptr_t)(slot + 1) * KSTACK_SLOT;
}

/* Take the lowest free slot (few slots in use keep the page tables they need few);
 * *was_stale says whether TLBs must be flushed before it is used. */
static int take_slot(bool *was_stale)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	int slot = -1;

	for (unsigned int i = 0; i < KSTACK_SLOTS; i++) {
		if (!in_use[i]) {
			slot = (int)i;
			in_use[i] = true;
			*was_stale = freed_gen[i] > clean_through;
			break;
		}
	}
	spin_unlock_irqrestore(&lock, flags);
	return slot;
}

/* Every CPU flushes its TLB: every slot freed before this started is clean after. */
static void flush_stale_slots(void)
{
	unsigned long flags = spin_lock_irqsave(&lock);
	uint32_t started = generation++;

	spin_unlock_irqrestore(&lock, flags);
	vm_flush_all_cpus();
	flags = spin_lock_irqsave(&lock);
	if (started > clean_through)
		clean_through = started;
	spin_unlock_irqrestore(&lock, flags);
}

static void give_slot_back(unsigned int slot)
{
	unsigned long flags = spin_lock_irqsave(&lock);

	in_use[slot] = false;
	spin_unlock_irqrestore(&lock, flags);
}

void *kstack_alloc(unsigned int order)
{
	size_t size = PAGE_SIZE << order;
	bool was_stale = false;
	uint64_t pa;
	uintptr_t base;
	int slot, err;

	if (size > KSTACK_MAX)
		return NULL;
	slot = take_slot(&was_stale);
	if (slot < 0) {
		pr_err("kstack: all %d stack slots are in use\n", KSTACK_SLOTS);
		return NULL;
	}
	if (was_stale) {
		if (smp_cpus_online() > 1 && (!arch_irqs_enabled() || in_interrupt())) {
			pr_err("kstack: a slot needs every CPU's TLB flushed, and interrupts are "
			       "off\n");
			give_slot_back((unsigned int)slot);
			return NULL;
		}
		flush_stale_slots();
	}
	pa = pmm_alloc(order, ZONE_NORMAL);
	if (!pa) {
		give_slot_back((unsigned int)slot);
		return NULL;
	}
	base = slot_top((unsigned int)slot) - size;
	err = vm_map(base, pa, size, VM_READ | VM_WRITE);
	if (err) {
		pr_err("kstack: cannot map a stack at %#lx: %s\n", (unsigned long)base,
		       error_name(err));
		pmm_free(pa, order);
		give_slot_back((unsigned int)slot);
		return NULL;
	}
	return (void *)base;
}

void kstack_free(void *base, unsigned int order)
{
	uintptr_t va = (uintptr_t)base;
	size_t size = PAGE_SIZE << order;
	unsigned int slot = (unsigned int)((va - KSTACK_AREA) / KSTACK_SLOT);
	struct vm_mapping m;
	unsigned long flags;

	if (va < KSTACK_AREA || slot >= KSTACK_SLOTS || va + size != slot_top(slot) ||
	    !vm_query(va, &m))
		panic("kstack_free: %p (order %u) is not a stack kstack_alloc gave", base, order);
	if (vm_unmap_local(va, size))
		panic("kstack_free: cannot unmap the stack at %p", base);
	pmm_free(m.pa, order);
	flags = spin_lock_irqsave(&lock);
	freed_gen[slot] = generation;
	in_use[slot] = false;
	spin_unlock_irqrestore(&lock, flags);
}

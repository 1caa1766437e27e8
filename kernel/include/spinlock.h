/*
 * Ticket spinlocks: each locker takes a ticket and waits for its number to be served,
 * so CPUs get the lock in arrival order and none starves.
 *
 * A spinlock holder must not be preempted or interrupted by code that takes the same
 * lock, so spin_lock() is only for callers whose interrupts are already off (interrupt
 * handlers, code under another irqsave lock); everything else uses spin_lock_irqsave().
 * Holders never sleep.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "arch.h"

struct spinlock {
	uint32_t next;	  /* the next ticket to hand out */
	uint32_t serving; /* the ticket that holds the lock */
};

#define SPINLOCK_INIT \
	{             \
		0, 0  \
	}

static inline void spin_lock_init(struct spinlock *l)
{
	l->next = l->serving = 0;
}

static inline void spin_lock(struct spinlock *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket)
		arch_cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	uint32_t serving = __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
	uint32_t expected = serving;

	/* Take a ticket only if it would be served right away. */
	return __atomic_compare_exchange_n(&l->next, &expected, serving + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	/* Only the holder writes serving: a plain increment, published with release. */
	__atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->serving, __ATOMIC_RELAXED);
}

static inline unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = arch_irq_save();

	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	spin_unlock(l);
	arch_irq_restore(flags);
}

#endif

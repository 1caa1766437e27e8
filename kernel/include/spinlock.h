/*
 * Spinlocks: test-and-test-and-set. A locker swaps 1 in; while that fails it only reads
 * (so waiting CPUs share the line instead of fighting for it) until the lock looks free.
 *
 * Why not tickets (FIFO, no starvation)? Because this kernel mostly runs as QEMU guests
 * on hosts with fewer cores than guest CPUs, and a ticket lock hands the lock to one
 * particular waiter: when the host has not scheduled that CPU's thread, every other
 * CPU waits too, for a host time slice per hand-off (measured here: tens of ms, and a
 * test's 8000 lock hand-offs took minutes). Here whichever waiter runs takes it. Critical
 * sections are short and taken with interrupts off, so starvation is not seen in
 * practice; a lock that needed fairness would be a ticket lock of its own.
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
	uint32_t locked; /* 1 while held */
};

#define SPINLOCK_INIT \
	{             \
		0     \
	}

static inline void spin_lock_init(struct spinlock *l)
{
	l->locked = 0;
}

static inline bool spin_trylock(struct spinlock *l)
{
	return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			arch_cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(struct spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
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

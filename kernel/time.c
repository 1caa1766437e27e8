/*
 * Monotonic time and one-shot timer events. Each CPU has its own queue, programmed into
 * its own timer, guarded by its own lock: a timer runs on the CPU that started it
 * (t->cpu), and only cancelling one started elsewhere touches another CPU's queue. A
 * queue is a list sorted by deadline: short (a handful of events at a time) and
 * simple; insertion is O(n), expiry O(1).
 */
#include "arch.h"
#include "irq.h"
#include "kernel.h"
#include "ktime.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"

struct timer_queue {
	struct spinlock lock;
	struct timer *first;
	struct timer *running; /* whose fn runs now, for timer_cancel_sync() */
};

static uint64_t counter_hz;
static uint64_t boot_counter; /* the counter at time_init(): time 0 */
static struct timer_queue queues[NR_CPUS];
static uint64_t interrupts, events_run;

/* 128-bit intermediate: ticks * 1e9 overflows 64 bits after ~30 minutes at 10 GHz. */
uint64_t time_ticks_to_ns(uint64_t ticks)
{
	return (uint64_t)((unsigned __int128)ticks * NSEC_PER_SEC / counter_hz);
}

uint64_t time_ns_to_ticks(uint64_t ns)
{
	/* Round up: an event must never fire before its deadline. */
	return (uint64_t)(((unsigned __int128)ns * counter_hz + NSEC_PER_SEC - 1) / NSEC_PER_SEC);
}

uint64_t time_now_ns(void)
{
	return time_ticks_to_ns(arch_counter() - boot_counter);
}

/* Program this CPU's timer for the earliest event of its queue, or for none. */
static void reprogram(struct timer_queue *q)
{
	arch_timer_program(q->first ? q->first->deadline : UINT64_MAX);
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->next = NULL;
	t->deadline = 0;
	t->fn = fn;
	t->arg = arg;
	t->queued = false;
	t->cpu = 0;
}

static void unlink_timer(struct timer_queue *q, struct timer *t)
{
	struct timer **p = &q->first;

	while (*p && *p != t)
		p = &(*p)->next;
	if (*p)
		*p = t->next;
	t->queued = false;
}

/* Lock the queue t is on (or was last on); t->cpu cannot change meanwhile. */
static struct timer_queue *lock_timer_queue(struct timer *t, unsigned long *flags)
{
	for (;;) {
		unsigned int cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
		struct timer_queue *q = &queues[cpu];

		*flags = spin_lock_irqsave(&q->lock);
		if (t->cpu == cpu)
			return q;
		spin_unlock_irqrestore(&q->lock, *flags);
	}
}

/* Take t off its queue; whether it was on it. Lock held. The hardware of another CPU
 * is left programmed: an interrupt that finds nothing due costs little. */
static bool cancel_locked(struct timer_queue *q, struct timer *t)
{
	if (!t->queued)
		return false;
	unlink_timer(q, t);
	if (q == &queues[arch_cpu_index()])
		reprogram(q);
	return true;
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags;
	struct timer_queue *q = lock_timer_queue(t, &flags);
	bool was = cancel_locked(q, t);

	spin_unlock_irqrestore(&q->lock, flags);
	return was;
}

bool timer_cancel_sync(struct timer *t)
{
	for (;;) {
		unsigned long flags;
		struct timer_queue *q = lock_timer_queue(t, &flags);
		bool was = cancel_locked(q, t);
		bool running = q->running == t;

		spin_unlock_irqrestore(&q->lock, flags);
		if (!running)
			return was;
		arch_cpu_relax();
	}
}

void timer_start_at(struct timer *t, uint64_t deadline_ns)
{
	unsigned long flags;
	struct timer_queue *q = lock_timer_queue(t, &flags);
	struct timer **p;

	cancel_locked(q, t);
	/* Move to this CPU's queue: its hardware is the one programmed below. */
	if (q != &queues[arch_cpu_index()]) {
		spin_unlock(&q->lock);
		q = &queues[arch_cpu_index()];
		spin_lock(&q->lock);
		__atomic_store_n(&t->cpu, arch_cpu_index(), __ATOMIC_RELAXED);
	}
	p = &q->first;
	t->deadline = boot_counter + time_ns_to_ticks(deadline_ns);
	/* After every event with the same deadline: equal deadlines fire in start order. */
	while (*p && (*p)->deadline <= t->deadline)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	t->queued = true;
	reprogram(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

void timer_start(struct timer *t, uint64_t delay_ns)
{
	timer_start_at(t, time_now_ns() + delay_ns);
}

/* The timer interrupt: run every event due on this CPU, then program the next. The
 * queue is unlocked while an event's fn runs: it may start or cancel timers. */
static void timer_interrupt(unsigned int line, void *arg)
{
	struct timer_queue *q = &queues[arch_cpu_index()];

	(void)line;
	(void)arg;
	__atomic_fetch_add(&interrupts, 1, __ATOMIC_RELAXED);
	spin_lock(&q->lock);
	while (q->first && q->first->deadline <= arch_counter()) {
		struct timer *t = q->first;

		q->first = t->next;
		t->queued = false;
		q->running = t;
		spin_unlock(&q->lock);
		__atomic_fetch_add(&events_run, 1, __ATOMIC_RELAXED);
		t->fn(t, t->arg);
		spin_lock(&q->lock);
		q->running = NULL;
	}
	reprogram(q);
	spin_unlock(&q->lock);
}

void time_init(void)
{
	int err;

	counter_hz = arch_counter_hz();
	if (!counter_hz)
		panic("time: the arch reports a counter frequency of 0");
	/* Counters need not start at boot (a TSC under KVM runs since the host booted). */
	boot_counter = arch_counter();
	for (unsigned int i = 0; i < NR_CPUS; i++)
		spin_lock_init(&queues[i].lock);
	arch_timer_program(UINT64_MAX);
	err = irq_request(arch_timer_line(), timer_interrupt, NULL, "timer");
	if (err)
		panic("time: cannot take the timer interrupt (line %u): %d", arch_timer_line(),
		      err);
}

void time_init_cpu(void)
{
	arch_timer_program(UINT64_MAX);
}

void delay_ns(uint64_t ns)
{
	uint64_t end = arch_counter() + time_ns_to_ticks(ns);

	while (arch_counter() < end)
		arch_cpu_relax();
}

uint64_t time_interrupts(void)
{
	return __atomic_load_n(&interrupts, __ATOMIC_RELAXED);
}

uint64_t time_events_run(void)
{
	return __atomic_load_n(&events_run, __ATOMIC_RELAXED);
}

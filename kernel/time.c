/*
 * Monotonic time and one-shot timer events. The queue is a list sorted by deadline:
 * short (a handful of events at a time) and simple; insertion is O(n), expiry O(1).
 * It is only touched with interrupts off, which is its lock while there is one CPU.
 */
#include "arch.h"
#include "irq.h"
#include "kernel.h"
#include "ktime.h"
#include "printk.h"

static uint64_t counter_hz;
static uint64_t boot_counter; /* the counter at time_init(): time 0 */
static struct timer *queue;
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

/* Program the hardware for the earliest event, or for none. Interrupts off. */
static void reprogram(void)
{
	arch_timer_program(queue ? queue->deadline : UINT64_MAX);
}

void timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->next = NULL;
	t->deadline = 0;
	t->fn = fn;
	t->arg = arg;
	t->queued = false;
}

static void unlink_timer(struct timer *t)
{
	struct timer **p = &queue;

	while (*p && *p != t)
		p = &(*p)->next;
	if (*p)
		*p = t->next;
	t->queued = false;
}

bool timer_cancel(struct timer *t)
{
	unsigned long flags = arch_irq_save();
	bool was = t->queued;

	if (was) {
		unlink_timer(t);
		reprogram();
	}
	arch_irq_restore(flags);
	return was;
}

void timer_start_at(struct timer *t, uint64_t deadline_ns)
{
	unsigned long flags = arch_irq_save();
	struct timer **p = &queue;

	if (t->queued)
		unlink_timer(t);
	t->deadline = boot_counter + time_ns_to_ticks(deadline_ns);
	/* After every event with the same deadline: equal deadlines fire in start order. */
	while (*p && (*p)->deadline <= t->deadline)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	t->queued = true;
	reprogram();
	arch_irq_restore(flags);
}

void timer_start(struct timer *t, uint64_t delay_ns)
{
	timer_start_at(t, time_now_ns() + delay_ns);
}

/* The timer interrupt: run every event that is due, then program the next. */
static void timer_interrupt(unsigned int line, void *arg)
{
	(void)line;
	(void)arg;
	interrupts++;
	while (queue && queue->deadline <= arch_counter()) {
		struct timer *t = queue;

		queue = t->next;
		t->queued = false;
		events_run++;
		t->fn(t, t->arg); /* may restart t or others */
	}
	reprogram();
}

void time_init(void)
{
	int err;

	counter_hz = arch_counter_hz();
	if (!counter_hz)
		panic("time: the arch reports a counter frequency of 0");
	/* Counters need not start at boot (a TSC under KVM runs since the host booted). */
	boot_counter = arch_counter();
	arch_timer_program(UINT64_MAX);
	err = irq_request(arch_timer_line(), timer_interrupt, NULL, "timer");
	if (err)
		panic("time: cannot take the timer interrupt (line %u): %d", arch_timer_line(),
		      err);
}

void delay_ns(uint64_t ns)
{
	uint64_t end = arch_counter() + time_ns_to_ticks(ns);

	while (arch_counter() < end)
		arch_cpu_relax();
}

uint64_t time_interrupts(void)
{
	return interrupts;
}

uint64_t time_events_run(void)
{
	return events_run;
}

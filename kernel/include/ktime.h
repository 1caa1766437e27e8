/*
 * Time: a monotonic clock in nanoseconds over the arch's free-running counter, and
 * one-shot timer events kept in a queue sorted by deadline. Only the earliest event is
 * programmed into the hardware (arch_timer_program), so an idle CPU sleeps until it
 * is due: there is no periodic tick.
 */
#ifndef KTIME_H
#define KTIME_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC  1000000000ull

/* Nanoseconds since time_init() (early in boot). Monotonic. */
uint64_t time_now_ns(void);

/* Conversions between counter ticks and nanoseconds, without overflow for centuries. */
uint64_t time_ticks_to_ns(uint64_t ticks);
uint64_t time_ns_to_ticks(uint64_t ns);

struct timer;
typedef void (*timer_fn)(struct timer *t, void *arg);

struct timer {
	struct timer *next; /* in the queue, sorted by deadline */
	uint64_t deadline;  /* in counter ticks */
	timer_fn fn;	    /* runs in the timer interrupt, interrupts off */
	void *arg;
	bool queued;
	unsigned int cpu; /* whose queue it is on (or was last on) */
};

void timer_init(struct timer *t, timer_fn fn, void *arg);
/* (Re)start t to fire at deadline_ns (time_now_ns() clock), or after delay_ns. */
void timer_start_at(struct timer *t, uint64_t deadline_ns);
void timer_start(struct timer *t, uint64_t delay_ns);
/* Take t off its queue; true if it was queued (so it will not fire). Its fn may still
 * be running on another CPU; timer_cancel_sync() also waits for that to end, and must
 * not be called with a lock that the fn takes. */
bool timer_cancel(struct timer *t);
bool timer_cancel_sync(struct timer *t);

/* Set up the clock and the timer interrupt (after the interrupt controller). */
void time_init(void);
/* On a secondary CPU: its timer queue starts empty and its timer disarmed. */
void time_init_cpu(void);

/* Busy-wait for ns (interrupts may stay off). */
void delay_ns(uint64_t ns);
/* Block the calling thread for at least ns (kernel/thread.c); other threads, or the
 * idle thread's wfi/hlt, run meanwhile. Not from interrupt handlers. */
void sleep_ns(uint64_t ns);

/* Statistics: timer interrupts taken and events run. */
uint64_t time_interrupts(void);
uint64_t time_events_run(void);

#endif

/*
 * kernel/time.c over a simulated arch (the arch.h timer contract, stubbed here): the
 * tick/nanosecond conversions against exact arithmetic for counter frequencies from 1 Hz
 * to 10 GHz, and the event queue driven by a fake counter and a fake timer interrupt,
 * against a model: events fire in deadline order (equal deadlines in start order), never
 * early, cancelled ones never, and the hardware is always programmed for the earliest.
 *
 * time.c needs unsigned __int128, which 32-bit targets lack: there the cases skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#ifdef __SIZEOF_INT128__

#include "arch.h"
#include "irq.h"
#include "kernel.h"
#include "ktime.h"

/* ---- the simulated arch --------------------------------------------------------------- */

#define TIMER_LINE 5

static uint64_t fake_counter, fake_hz;
static uint64_t programmed = UINT64_MAX;
static bool irqs_on = true;
static unsigned long contract_breaks; /* timer programmed with interrupts on */
static irq_handler_t timer_handler;
static void *timer_arg;

uint64_t arch_counter(void)
{
	return fake_counter;
}

uint64_t arch_counter_hz(void)
{
	return fake_hz;
}

void arch_timer_program(uint64_t deadline)
{
	if (irqs_on)
		contract_breaks++;
	programmed = deadline;
}

unsigned int arch_timer_line(void)
{
	return TIMER_LINE;
}

unsigned int arch_cpu_index(void)
{
	return 0;
}

unsigned long arch_irq_save(void)
{
	unsigned long was = irqs_on;

	irqs_on = false;
	return was;
}

void arch_irq_restore(unsigned long flags)
{
	irqs_on = flags != 0;
}

/* Each busy-wait step lets a millisecond pass. */
void arch_cpu_relax(void)
{
	fake_counter += fake_hz / 1000 + 1;
}

/* The timer interrupt, with interrupts off, as the arch's entry code calls it. */
static void take_timer_interrupt(void)
{
	bool was = irqs_on;

	irqs_on = false;
	timer_handler(TIMER_LINE, timer_arg);
	irqs_on = was;
}

/* The CPU sleeps until the programmed deadline and takes the interrupt. */
void arch_wait_for_interrupt(void)
{
	if (programmed == UINT64_MAX) {
		fflush(stdout);
		panic("arch_wait_for_interrupt with no timer programmed: would sleep forever");
	}
	if (fake_counter < programmed)
		fake_counter = programmed;
	take_timer_interrupt();
}

int irq_request(unsigned int line, irq_handler_t handler, void *arg, const char *name)
{
	(void)name;
	if (line != TIMER_LINE)
		return -1;
	timer_handler = handler;
	timer_arg = arg;
	return 0;
}

static void start_clock(uint64_t hz, uint64_t counter)
{
	unsigned long flags = arch_irq_save();

	fake_hz = hz;
	fake_counter = counter;
	time_init();
	arch_irq_restore(flags);
}

/* ---- conversions ------------------------------------------------------------------------ */

static const uint64_t frequencies[] = {
	1,	  1000,	      32768,	   1000000,	10000000,    19200000,	     24000000,
	62500000, 1000000000, 2500000000u, 3700000000u, 0xffffffffu, 10000000000ull,
};

/* floor(ticks * 1e9 / hz) without 128 bits; false if it does not fit 64 bits. */
static bool exact_ns(uint64_t ticks, uint64_t hz, uint64_t *ns)
{
	uint64_t q = ticks / hz, r = ticks % hz;

	if (q > (UINT64_MAX - NSEC_PER_SEC) / NSEC_PER_SEC)
		return false;
	*ns = q * NSEC_PER_SEC + r * NSEC_PER_SEC / hz; /* r * 1e9 < 1e19: fits */
	return true;
}

/* ceil(ns * hz / 1e9); false if it does not fit. */
static bool exact_ticks(uint64_t ns, uint64_t hz, uint64_t *ticks)
{
	uint64_t q = ns / NSEC_PER_SEC, r = ns % NSEC_PER_SEC;

	if (q > (UINT64_MAX - hz) / hz)
		return false;
	*ticks = q * hz + (r * hz + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
	return true;
}

static void conversions_are_exact(struct unit *t)
{
	uint64_t seed = 0x71e;

	for (size_t i = 0; i < sizeof(frequencies) / sizeof(frequencies[0]); i++) {
		uint64_t hz = frequencies[i];

		start_clock(hz, 0);
		UNIT_CHECK(t,
			   time_ticks_to_ns(hz) == NSEC_PER_SEC &&
				   time_ns_to_ticks(NSEC_PER_SEC) == hz,
			   "%llu Hz: one second", (unsigned long long)hz);
		/* A century of ticks converts without overflow (ktime.h). */
		uint64_t century = 100ull * 365 * 86400;

		if (hz <= UINT64_MAX / century) /* 10 GHz wraps a 64-bit counter first */
			UNIT_CHECK(t, time_ticks_to_ns(hz * century) == century * NSEC_PER_SEC,
				   "%llu Hz: a century", (unsigned long long)hz);
		for (int k = 0; k < 3000; k++) {
			uint64_t x = unit_rand(&seed), want;

			x >>= unit_below(&seed, 64);
			if (k < 4)
				x = (uint64_t[]){0, 1, hz - 1, hz + 1}[k];
			if (exact_ns(x, hz, &want))
				UNIT_CHECK(t, time_ticks_to_ns(x) == want,
					   "%llu Hz: %llu ticks: "
					   "%llu ns, not %llu",
					   (unsigned long long)hz, (unsigned long long)x,
					   (unsigned long long)time_ticks_to_ns(x),
					   (unsigned long long)want);
			if (exact_ticks(x, hz, &want)) {
				uint64_t got = time_ns_to_ticks(x);

				UNIT_CHECK(t, got == want, "%llu Hz: %llu ns: %llu ticks, not %llu",
					   (unsigned long long)hz, (unsigned long long)x,
					   (unsigned long long)got, (unsigned long long)want);
				/* Never early, and no later than needed. */
				UNIT_CHECK(t,
					   time_ticks_to_ns(got) >= x &&
						   (got == 0 || time_ticks_to_ns(got - 1) < x),
					   "%llu Hz: %llu ns rounds to %llu ticks",
					   (unsigned long long)hz, (unsigned long long)x,
					   (unsigned long long)got);
			}
		}
	}
}

static void run_time_init(void *arg)
{
	(void)arg;
	start_clock(0, 0);
}

static void zero_frequency_panics(struct unit *t)
{
	char msg[256] = "";

	UNIT_EXPECT_TRUE(t, unit_expect_panic(run_time_init, NULL, msg, sizeof(msg)));
	UNIT_CHECK(t, strstr(msg, "frequency of 0") != NULL, "panic message: %s", msg);
	irqs_on = true; /* the panic left start_clock() before it restored them */
	start_clock(10000000, 0);
}

/* Time 0 is the counter at time_init(), whatever it was then. */
static void clock_starts_at_time_init(struct unit *t)
{
	start_clock(24000000, 0xfffffff000000000ull);
	UNIT_EXPECT_EQ(t, time_now_ns(), 0ull);
	fake_counter += 24000000;
	UNIT_EXPECT_EQ(t, time_now_ns(), NSEC_PER_SEC);
	fake_counter += 24;
	UNIT_EXPECT_EQ(t, time_now_ns(), NSEC_PER_SEC + 1000);
}

/* ---- the event queue ------------------------------------------------------------------ */

#define NTIMERS 16

struct event {
	struct timer timer;
	uint64_t deadline_ns, deadline; /* deadline: in counter ticks, as time.c keeps it */
	unsigned long order;		/* start order, for equal deadlines */
	bool pending;
	unsigned long fired;
	int restarts; /* times the callback starts it again */
};

static struct event events[NTIMERS];
static unsigned long start_order, fired_total, misfires;
static struct unit *current;

static uint64_t boot_counter_of_test;

static void model_start(struct event *e, uint64_t deadline_ns)
{
	e->deadline_ns = deadline_ns;
	e->deadline = boot_counter_of_test + time_ns_to_ticks(deadline_ns);
	e->order = start_order++;
	e->pending = true;
}

/* The event that must fire next: due, earliest deadline, then earliest start. */
static struct event *model_next(uint64_t now)
{
	struct event *best = NULL;

	for (int i = 0; i < NTIMERS; i++) {
		struct event *e = &events[i];

		if (!e->pending || e->deadline > now)
			continue;
		if (!best || e->deadline < best->deadline ||
		    (e->deadline == best->deadline && e->order < best->order))
			best = e;
	}
	return best;
}

static uint64_t model_programmed(void)
{
	uint64_t earliest = UINT64_MAX;

	for (int i = 0; i < NTIMERS; i++)
		if (events[i].pending && events[i].deadline < earliest)
			earliest = events[i].deadline;
	return earliest;
}

static void fire(struct timer *tm, void *arg)
{
	struct event *e = arg, *want = model_next(fake_counter);

	(void)tm;
	fired_total++;
	if (!UNIT_CHECK(current, want == e, "timer %d fired; expected %d (at counter %llu)",
			(int)(e - events), want ? (int)(want - events) : -1,
			(unsigned long long)fake_counter))
		misfires++;
	UNIT_CHECK(current, !irqs_on, "an event ran with interrupts on");
	UNIT_CHECK(current, time_now_ns() >= e->deadline_ns,
		   "timer %d fired early: %llu < "
		   "%llu ns",
		   (int)(e - events), (unsigned long long)time_now_ns(),
		   (unsigned long long)e->deadline_ns);
	e->pending = false;
	e->fired++;
	if (e->restarts > 0) {
		/* Periodic: again 1 ms after its deadline, from inside the interrupt. */
		e->restarts--;
		model_start(e, e->deadline_ns + NSEC_PER_MSEC);
		timer_start_at(&e->timer, e->deadline_ns);
	}
}

static void events_fire_in_order_never_early(struct unit *t)
{
	uint64_t seed = 0xe7e;
	unsigned long cancels = 0, restarts = 0;
	uint64_t interrupts = time_interrupts(), events_run = time_events_run();

	current = t;
	start_clock(62500000, 987654321);
	boot_counter_of_test = 987654321;
	contract_breaks = 0;
	memset(events, 0, sizeof(events));
	fired_total = 0;
	for (int i = 0; i < NTIMERS; i++)
		timer_init(&events[i].timer, fire, &events[i]);

	for (int op = 0; op < 6000 && misfires == 0; op++) {
		struct event *e = &events[unit_below(&seed, NTIMERS)];
		uint64_t now = time_now_ns();

		switch (unit_below(&seed, 6)) {
		case 0:
		case 1: {
			/* Deadlines on a coarse grid, so that many are equal. */
			uint64_t at = now + unit_below(&seed, 20) * 250 * NSEC_PER_USEC;

			if (unit_below(&seed, 8) == 0)
				at = now > 1000 ? now - 1000 : 0; /* already due */
			restarts += e->pending;
			e->restarts = unit_below(&seed, 10) == 0 ? 2 : 0;
			model_start(e, at);
			timer_start_at(&e->timer, at);
			break;
		}
		case 2: {
			bool was = e->pending;

			UNIT_CHECK(t, timer_cancel(&e->timer) == was, "cancel of timer %d",
				   (int)(e - events));
			e->pending = false;
			cancels += was;
			break;
		}
		case 3:
			/* A spurious interrupt before anything is due runs nothing early. */
			take_timer_interrupt();
			break;
		default:
			/* Time passes to the programmed deadline, or a little beyond. */
			if (programmed != UINT64_MAX) {
				fake_counter = programmed +
					       unit_below(&seed, 3) * unit_below(&seed, 100000);
				take_timer_interrupt();
			}
			break;
		}
		if (!UNIT_CHECK(t, programmed == model_programmed(),
				"after op %d: programmed "
				"%llu, earliest deadline %llu",
				op, (unsigned long long)programmed,
				(unsigned long long)model_programmed()))
			break;
	}
	for (int i = 0; i < NTIMERS; i++)
		timer_cancel(&events[i].timer);
	UNIT_EXPECT_EQ(t, programmed, UINT64_MAX);
	UNIT_EXPECT_EQ(t, contract_breaks, 0ul);
	UNIT_EXPECT_EQ(t, time_events_run() - events_run, (uint64_t)fired_total);
	UNIT_EXPECT_GT(t, time_interrupts() - interrupts, 100ull);
	unit_note("%lu events fired, %lu cancelled, %lu restarted while queued", fired_total,
		  cancels, restarts);
}

/* An event that starts another, already due, from its callback: both run in the same
 * interrupt. */
static struct timer chained_second;
static int chain_runs;

static void chained_second_fn(struct timer *tm, void *arg)
{
	(void)tm;
	(void)arg;
	chain_runs++;
}

static void chained_first_fn(struct timer *tm, void *arg)
{
	(void)tm;
	(void)arg;
	chain_runs++;
	timer_start_at(&chained_second, 0);
}

static void callbacks_can_start_due_events(struct unit *t)
{
	struct timer first;
	uint64_t interrupts;

	start_clock(1000000, 5);
	timer_init(&first, chained_first_fn, NULL);
	timer_init(&chained_second, chained_second_fn, NULL);
	chain_runs = 0;
	timer_start(&first, 3 * NSEC_PER_MSEC);
	interrupts = time_interrupts();
	arch_wait_for_interrupt();
	UNIT_EXPECT_EQ(t, chain_runs, 2);
	UNIT_EXPECT_EQ(t, time_interrupts() - interrupts, 1ull);
	UNIT_EXPECT_EQ(t, programmed, UINT64_MAX);
	UNIT_EXPECT_FALSE(t, timer_cancel(&first));
}

static void delay_waits_long_enough(struct unit *t)
{
	for (size_t i = 0; i < sizeof(frequencies) / sizeof(frequencies[0]); i++) {
		uint64_t start, want = 1 + i * 777777;

		start_clock(frequencies[i], 1000);
		start = time_now_ns();
		delay_ns(want);
		UNIT_CHECK(t, time_now_ns() - start >= want, "%llu Hz: delayed %llu of %llu ns",
			   (unsigned long long)frequencies[i],
			   (unsigned long long)(time_now_ns() - start), (unsigned long long)want);
	}
}

#define TIME_CASES                                                                                 \
	UNIT_CASE(conversions_are_exact), UNIT_CASE(zero_frequency_panics),                        \
		UNIT_CASE(clock_starts_at_time_init), UNIT_CASE(events_fire_in_order_never_early), \
		UNIT_CASE(callbacks_can_start_due_events), UNIT_CASE(delay_waits_long_enough)

#else /* no __int128 */

static void needs_int128(struct unit *t)
{
	UNIT_SKIP(t, "kernel/time.c needs unsigned __int128, which this target lacks");
}

#define TIME_CASES UNIT_CASE(needs_int128)

#endif

UNIT_SUITE(time_math, TIME_CASES);

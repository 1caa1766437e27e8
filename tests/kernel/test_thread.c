/*
 * Threads and the scheduler: exit values reach join, a higher priority preempts a busy
 * loop from the timer interrupt, equal priorities share the CPU in time slices,
 * thousands of short-lived threads leave no page or heap object behind, and stack use
 * is measured.
 *
 * Every thread a test creates is joined (or detached and waited for) before the test
 * returns: they point into the test's stack frame. Checks are made by the test's own
 * thread from values the workers leave behind.
 */
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "errors.h"
#include "heap.h"
#include "ktest.h"
#include "ktime.h"
#include "pmm.h"
#include "sync.h"
#include "thread.h"

/* A bound on waits that only a broken scheduler reaches: the test then fails instead
 * of hanging until the runner's timeout. */
#define GIVE_UP_NS (2 * NSEC_PER_SEC)

static int return_arg_times_three(void *arg)
{
	return (int)(uintptr_t)arg * 3;
}

static __noreturn void exit_deep_down(int depth, int value)
{
	if (depth == 0)
		thread_exit(value);
	exit_deep_down(depth - 1, value + 1);
}

static int exit_from_nested_call(void *arg)
{
	exit_deep_down(5, (int)(uintptr_t)arg);
}

static void join_returns_exit_values(struct ktest *t)
{
	struct thread *th[16];
	int value;

	for (int i = 0; i < 16; i++) {
		th[i] = thread_create("ret3",
				      i % 2 ? return_arg_times_three : exit_from_nested_call,
				      (void *)(uintptr_t)i, THREAD_PRIO_DEFAULT, 0);
		KTEST_ASSERT_TRUE(t, th[i] != NULL);
	}
	for (int i = 0; i < 16; i++) {
		value = -1;
		KTEST_EXPECT_EQ(t, thread_join(th[i], &value, WAIT_FOREVER), 0);
		KTEST_EXPECT_EQ(t, value, i % 2 ? i * 3 : i + 5);
	}
}

static int wait_for_event(void *arg)
{
	return event_wait(arg) == 0 ? 7 : -1;
}

static void join_times_out_and_refuses_misuse(struct ktest *t)
{
	struct event go;
	struct thread *th;
	uint64_t start;
	int value = 0;

	event_init(&go, false);
	th = thread_create("waiter", wait_for_event, &go, THREAD_PRIO_DEFAULT, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	start = time_now_ns();
	KTEST_EXPECT_EQ(t, thread_join(th, &value, 5 * NSEC_PER_MSEC), -E_TIMEDOUT);
	KTEST_EXPECT_GE(t, time_now_ns() - start, 5 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, thread_join(thread_current(), NULL, 0), -E_DEADLK);
	event_signal(&go);
	KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, value, 7);

	/* Bad arguments are refused, not half-done. */
	KTEST_EXPECT_TRUE(t, thread_create("bad", NULL, NULL, THREAD_PRIO_DEFAULT, 0) == NULL);
	KTEST_EXPECT_TRUE(t, thread_create("bad", wait_for_event, &go, 0, 0) == NULL);
	KTEST_EXPECT_TRUE(t, thread_create("bad", wait_for_event, &go, 32, 0) == NULL);
	KTEST_EXPECT_TRUE(t, thread_create("bad", wait_for_event, &go, 1, 100) == NULL);
	KTEST_EXPECT_TRUE(t, thread_create("bad", wait_for_event, &go, 1, THREAD_STACK_MAX + 1) ==
				     NULL);
}

/* ---- preemption ------------------------------------------------------------------ */

struct preempt_test {
	volatile bool flag;
	uint64_t woke_at, wanted_at;
	bool gave_up;
};

static int spin_until_flag(void *arg)
{
	struct preempt_test *p = arg;
	uint64_t end = time_now_ns() + GIVE_UP_NS;

	/* No call here can switch threads: only an interrupt can set the flag's writer
	 * running. */
	while (!p->flag)
		if (time_now_ns() > end) {
			p->gave_up = true;
			break;
		}
	return 0;
}

static int sleep_then_set_flag(void *arg)
{
	struct preempt_test *p = arg;

	sleep_ns(5 * NSEC_PER_MSEC);
	p->woke_at = time_now_ns();
	p->flag = true;
	return 0;
}

static void higher_priority_preempts_busy_loop(struct ktest *t)
{
	struct preempt_test p = {0};
	struct sched_stats before, after;
	struct thread *busy, *high;

	sched_stats(&before);
	p.wanted_at = time_now_ns() + 5 * NSEC_PER_MSEC;
	high = thread_create("high", sleep_then_set_flag, &p, THREAD_PRIO_HIGH, 0);
	busy = thread_create("busy", spin_until_flag, &p, THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, high && busy);
	KTEST_EXPECT_EQ(t, thread_join(busy, NULL, WAIT_FOREVER), 0);
	KTEST_EXPECT_EQ(t, thread_join(high, NULL, WAIT_FOREVER), 0);
	sched_stats(&after);
	KTEST_EXPECT_FALSE(t, p.gave_up);
	KTEST_EXPECT_TRUE(t, p.flag);
	KTEST_EXPECT_GE(t, p.woke_at, p.wanted_at);
	KTEST_EXPECT_GE(t, after.preemptions, before.preemptions + 1);
	console_printf("    # the high-priority thread ran %llu us after its deadline\n",
		       (unsigned long long)((p.woke_at - p.wanted_at) / NSEC_PER_USEC));
}

struct slice_test {
	volatile uint64_t count[2];
	uint64_t seen_other[2]; /* how often one saw the other's count move */
};

struct slice_arg {
	struct slice_test *s;
	int me;
};

static int count_for_a_while(void *arg)
{
	struct slice_arg *a = arg;
	struct slice_test *s = a->s;
	uint64_t end = time_now_ns() + 8 * THREAD_SLICE_NS;
	uint64_t last_other = s->count[!a->me];

	while (time_now_ns() < end) {
		s->count[a->me]++;
		if (s->count[!a->me] != last_other) {
			last_other = s->count[!a->me];
			s->seen_other[a->me]++;
		}
	}
	return 0;
}

static void equal_priorities_share_in_time_slices(struct ktest *t)
{
	struct slice_test s = {0};
	struct slice_arg args[2] = {{&s, 0}, {&s, 1}};
	struct thread *th[2];

	for (int i = 0; i < 2; i++)
		th[i] = thread_create("slice", count_for_a_while, &args[i], THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, th[0] && th[1]);
	for (int i = 0; i < 2; i++)
		KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, WAIT_FOREVER), 0);
	/* Neither yields: each saw the other progress only because slices ended. Over 8
	 * slices each, the other moved several times. */
	KTEST_EXPECT_GE(t, s.seen_other[0], 2ull);
	KTEST_EXPECT_GE(t, s.seen_other[1], 2ull);
}

static int note_order(void *arg)
{
	char **pos = arg;

	*(*pos)++ = thread_current()->name[0];
	return 0;
}

static void priority_order_then_creation_order(struct ktest *t)
{
	static const struct {
		const char *name;
		int prio;
	} spec[] = {{"a", 5}, {"b", 20}, {"c", 5}, {"d", 30}, {"e", 20}};
	struct thread *th[5];
	char order[8] = {0}, *pos = order;
	int old = thread_current()->base_prio;

	/* Above all of them while creating, so none runs yet. */
	thread_set_priority(thread_current(), THREAD_PRIO_MAX);
	for (int i = 0; i < 5; i++)
		th[i] = thread_create(spec[i].name, note_order, &pos, spec[i].prio, 0);
	thread_set_priority(thread_current(), 1);
	thread_set_priority(thread_current(), old);
	for (int i = 0; i < 5; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, WAIT_FOREVER), 0);
	KTEST_EXPECT_TRUE(t, strcmp(order, "dbeac") == 0);
	if (strcmp(order, "dbeac") != 0)
		console_printf("    # ran in the order \"%s\"\n", order);
}

/* ---- lifetime and memory -------------------------------------------------------- */

static int tiny_work(void *arg)
{
	volatile int sum = 0;

	for (int i = 0; i < 100; i++)
		sum += i;
	return sum + (int)(uintptr_t)arg;
}

static void thousands_of_threads_leave_nothing_behind(struct ktest *t)
{
	enum { TOTAL = 3000, BATCH = 30 };
	struct thread *th[BATCH];
	struct heap_stats heap_before, heap_after;
	struct sched_stats st_before, st;
	uint64_t pages_before = (ktest_warm_up_threads(t, 2 * BATCH), pmm_free_pages());
	uint64_t give_up = time_now_ns() + 20 * GIVE_UP_NS;
	int bad_values = 0, failed = 0;

	heap_stats(&heap_before);
	sched_stats(&st_before);
	for (int done = 0; done < TOTAL; done += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			th[i] = thread_create("short", tiny_work, (void *)(uintptr_t)i,
					      1 + (int)(ktest_random() % THREAD_PRIO_MAX), 0);
			failed += th[i] == NULL;
			/* Every third is detached: freed by the scheduler, not by a join. */
			if (th[i] && i % 3 == 0) {
				thread_detach(th[i]);
				th[i] = NULL;
			}
		}
		for (int i = 0; i < BATCH; i++) {
			int value;

			if (th[i] &&
			    (thread_join(th[i], &value, GIVE_UP_NS) != 0 || value != 4950 + i))
				bad_values++;
		}
	}
	/* The detached ones may still be finishing. */
	do {
		sleep_ns(NSEC_PER_MSEC);
		sched_stats(&st);
	} while (st.live != st_before.live && time_now_ns() < give_up);

	heap_stats(&heap_after);
	KTEST_EXPECT_EQ(t, failed, 0);
	KTEST_EXPECT_EQ(t, bad_values, 0);
	KTEST_EXPECT_EQ(t, st.created - st_before.created, (uint64_t)TOTAL);
	KTEST_EXPECT_EQ(t, st.freed - st_before.freed, (uint64_t)TOTAL);
	KTEST_EXPECT_EQ(t, st.live, st_before.live);
	KTEST_EXPECT_EQ(t, pmm_free_pages(), pages_before);
	KTEST_EXPECT_EQ(t, heap_after.allocations, heap_before.allocations);
	KTEST_EXPECT_EQ(t, heap_after.problems, heap_before.problems);
}

static int use_stack(void *arg)
{
	volatile uint8_t buf[6000];
	size_t n = (size_t)(uintptr_t)arg;

	for (size_t i = 0; i < n && i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	return buf[n / 2];
}

static int report_stack_use(void *arg)
{
	*(size_t *)arg = thread_stack_used(thread_current());
	return 0;
}

static void stack_high_water_mark_is_measured(struct ktest *t)
{
	struct thread *small, *big;
	size_t small_used = 0, big_used;

	small = thread_create("small", report_stack_use, &small_used, THREAD_PRIO_DEFAULT, 0);
	big = thread_create("big", use_stack, (void *)(uintptr_t)6000, THREAD_PRIO_DEFAULT, 0);
	KTEST_ASSERT_TRUE(t, small && big);
	KTEST_EXPECT_EQ(t, thread_join(small, NULL, WAIT_FOREVER), 0);
	/* Measure the big one while it is dead but not yet freed: detach would free it. */
	while (big->state != THREAD_DEAD)
		sleep_ns(NSEC_PER_MSEC);
	big_used = thread_stack_used(big);
	KTEST_EXPECT_EQ(t, thread_join(big, NULL, WAIT_FOREVER), 0);
	KTEST_EXPECT_GT(t, small_used, 0ul);
	KTEST_EXPECT_LT(t, small_used, 4096ul);
	KTEST_EXPECT_GE(t, big_used, 6000ul);
	KTEST_EXPECT_LT(t, big_used, (size_t)THREAD_STACK_DEFAULT);
}

static void thread_list_shows_every_thread(struct ktest *t)
{
	struct thread_info info[16];
	struct event never;
	struct thread *th;
	size_t n;
	bool seen_main = false, seen_idle = false, seen_mine = false;

	event_init(&never, false);
	th = thread_create("listed", wait_for_event, &never, THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	/* Let it run and block: a sleep or more (the host may hold this CPU back meanwhile,
	 * and the waker preempts the lower-priority thread before it got to its wait). */
	for (int tries = 0; tries < 1000 && th->state != THREAD_BLOCKED; tries++)
		sleep_ns(NSEC_PER_MSEC);
	n = thread_list(info, 16);
	KTEST_EXPECT_LE(t, n, (size_t)16);
	for (size_t i = 0; i < n && i < 16; i++) {
		seen_main |= strcmp(info[i].name, "main") == 0 && info[i].state == THREAD_RUNNING;
		seen_idle |= strcmp(info[i].name, "idle0") == 0 && info[i].prio == THREAD_PRIO_IDLE;
		seen_mine |= strcmp(info[i].name, "listed") == 0 &&
			     info[i].state == THREAD_BLOCKED && info[i].prio == THREAD_PRIO_LOW &&
			     info[i].stack_used > 0 && info[i].stack_size == THREAD_STACK_DEFAULT;
	}
	event_signal(&never);
	KTEST_EXPECT_EQ(t, thread_join(th, NULL, GIVE_UP_NS), 0);
	KTEST_EXPECT_TRUE(t, seen_main);
	KTEST_EXPECT_TRUE(t, seen_idle);
	KTEST_EXPECT_TRUE(t, seen_mine);
}

KTEST_SUITE_ONE_CPU(thread, KTEST_CASE(join_returns_exit_values),
		    KTEST_CASE(join_times_out_and_refuses_misuse),
		    KTEST_CASE(higher_priority_preempts_busy_loop),
		    KTEST_CASE(equal_priorities_share_in_time_slices),
		    KTEST_CASE(priority_order_then_creation_order),
		    KTEST_CASE(thousands_of_threads_leave_nothing_behind),
		    KTEST_CASE(stack_high_water_mark_is_measured),
		    KTEST_CASE(thread_list_shows_every_thread));

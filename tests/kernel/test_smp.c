/*
 * Several CPUs: every listed CPU comes online and knows who it is; function calls and
 * reschedule IPIs reach each one; threads bound to a CPU run there and are woken there
 * from another; a counter incremented under a lock from every CPU at once sums exactly
 * while an overlap detector sees nothing, and the same detector does fire without the
 * lock; timed waits racing their wake-ups on other CPUs neither lose nor invent one;
 * hundreds of threads spread over the CPUs leave no page or heap object behind.
 *
 * With one CPU online the cases that need two say so and skip.
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "heap.h"
#include "ktest.h"
#include "ktime.h"
#include "pmm.h"
#include "smp.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"

/* Generous: CI runs two 4-CPU QEMUs on 2 host cores, where a CPU's thread may wait tens
 * of milliseconds for the host, and one holding a lock stalls every CPU waiting for it. */
#define GIVE_UP_NS (30 * NSEC_PER_SEC)

static unsigned int online(void)
{
	return smp_cpus_online();
}

static void every_listed_cpu_is_online(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, smp_cpus_online(), smp_cpus_wanted());
	for (unsigned int i = 0; i < smp_cpus_online(); i++)
		KTEST_EXPECT_TRUE(t, smp_cpu_online(i));
	KTEST_EXPECT_FALSE(t, smp_cpu_online(NR_CPUS));
}

/* ---- function calls on each CPU ------------------------------------------------------ */

struct whoami {
	unsigned int index;
	uint64_t hw_id;
	bool irqs_on;
};

static void record_whoami(void *arg)
{
	struct whoami *w = arg;

	w->index = arch_cpu_index();
	w->hw_id = arch_cpu_id();
	w->irqs_on = arch_irqs_enabled();
}

static void calls_run_on_the_cpu_asked(struct ktest *t)
{
	/* From CPU 0: a call there runs directly, any other takes an IPI. */
	KTEST_ASSERT_EQ(t, thread_set_cpu(thread_current(), 0), 0);
	for (unsigned int i = 0; i < online(); i++) {
		struct whoami w = {.index = ~0u};
		uint64_t ipis = smp_ipis_received(i);

		KTEST_EXPECT_EQ(t, smp_call_on(i, record_whoami, &w), 0);
		KTEST_EXPECT_EQ(t, w.index, i);
		KTEST_EXPECT_EQ(t, w.hw_id, smp_cpu_hw_id(i));
		KTEST_EXPECT_FALSE(t, w.irqs_on);
		if (i == 0)
			KTEST_EXPECT_EQ(t, smp_ipis_received(i), ipis);
		else
			KTEST_EXPECT_GT(t, smp_ipis_received(i), ipis);
		for (unsigned int j = 0; j < i; j++)
			KTEST_EXPECT_NE(t, smp_cpu_hw_id(i), smp_cpu_hw_id(j));
	}
	KTEST_EXPECT_EQ(t, smp_call_on(NR_CPUS, record_whoami, NULL), -E_INVAL);
	KTEST_EXPECT_EQ(t, thread_set_cpu(thread_current(), THREAD_ANY_CPU), 0);
}

static void count_call(void *arg)
{
	__atomic_fetch_add((unsigned int *)arg, 1, __ATOMIC_RELAXED);
}

static void many_calls_all_arrive(struct ktest *t)
{
	unsigned int calls = 0;
	const unsigned int rounds = 300;

	for (unsigned int r = 0; r < rounds; r++)
		smp_call_others(count_call, &calls);
	KTEST_EXPECT_EQ(t, calls, rounds * (online() - 1));
	calls = 0;
	for (unsigned int r = 0; r < rounds; r++)
		smp_call_all(count_call, &calls);
	KTEST_EXPECT_EQ(t, calls, rounds * online());
}

/* ---- bound threads and cross-CPU wake-ups --------------------------------------------- */

struct bound_run {
	unsigned int want;
	unsigned int ran_on[8];
	struct semaphore go;
	struct semaphore done;
};

static int report_cpu(void *arg)
{
	struct bound_run *b = arg;

	/* Block first: the wake-up comes from another CPU and must get here. */
	for (int i = 0; i < 8; i++) {
		if (sem_down_timeout(&b->go, GIVE_UP_NS))
			return -1;
		b->ran_on[i] = arch_cpu_index();
		sem_up(&b->done);
	}
	return 0;
}

static void bound_threads_run_and_wake_where_bound(struct ktest *t)
{
	for (unsigned int cpu = 0; cpu < online(); cpu++) {
		struct bound_run b = {.want = cpu};
		struct thread *th;
		int value = -2;

		sem_init(&b.go, 0);
		sem_init(&b.done, 0);
		th = thread_create_on("bound", report_cpu, &b, THREAD_PRIO_DEFAULT, 0, (int)cpu);
		KTEST_ASSERT_TRUE(t, th != NULL);
		for (int i = 0; i < 8; i++) {
			sem_up(&b.go);
			KTEST_EXPECT_EQ(t, sem_down_timeout(&b.done, GIVE_UP_NS), 0);
			KTEST_EXPECT_EQ(t, b.ran_on[i], cpu);
		}
		KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
		KTEST_EXPECT_EQ(t, value, 0);
	}
	KTEST_EXPECT_TRUE(t, thread_create_on("nowhere", report_cpu, NULL, THREAD_PRIO_DEFAULT, 0,
					      NR_CPUS) == NULL);
}

static void the_caller_can_move(struct ktest *t)
{
	unsigned int last = online() - 1;

	KTEST_ASSERT_EQ(t, thread_set_cpu(thread_current(), (int)last), 0);
	KTEST_EXPECT_EQ(t, arch_cpu_index(), last);
	sleep_ns(NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, arch_cpu_index(), last);
	KTEST_ASSERT_EQ(t, thread_set_cpu(thread_current(), 0), 0);
	KTEST_EXPECT_EQ(t, arch_cpu_index(), 0u);
	KTEST_EXPECT_EQ(t, thread_set_cpu(thread_current(), THREAD_ANY_CPU), 0);
	KTEST_EXPECT_EQ(t, thread_set_cpu(thread_current(), NR_CPUS), -E_INVAL);
}

/* ---- a counter from every CPU at once ------------------------------------------------- */

/* Each CPU does at least INCREMENTS, for at least MIN_RUN_NS: a loaded host runs a
 * guest CPU in slices of milliseconds, and the CPUs must truly overlap for the test to
 * mean anything. Without the lock, they go on until the detector has fired often. */
#define INCREMENTS    2000
#define MIN_RUN_NS    (300 * NSEC_PER_MSEC)
#define WANT_OVERLAPS 100
#define MAX_RUN_NS    (20 * NSEC_PER_SEC)

struct shared_counter {
	bool locked;
	struct spinlock lock;
	volatile uint64_t value;
	int inside;	   /* CPUs in the critical section right now (atomic) */
	uint64_t overlaps; /* times one found another there (atomic) */
	uint64_t per_cpu[NR_CPUS];
	unsigned int started; /* workers ready (atomic): all start together */
	uint64_t start_ns;
};

static bool hammer_done(struct shared_counter *c, uint64_t done)
{
	uint64_t ran = time_now_ns() - c->start_ns;

	if (done < INCREMENTS || ran < MIN_RUN_NS)
		return false;
	if (c->locked || ran > MAX_RUN_NS)
		return true;
	return __atomic_load_n(&c->overlaps, __ATOMIC_RELAXED) >= WANT_OVERLAPS;
}

static int hammer(void *arg)
{
	struct shared_counter *c = arg;
	unsigned int cpu = arch_cpu_index();

	if (__atomic_add_fetch(&c->started, 1, __ATOMIC_ACQ_REL) == online())
		__atomic_store_n(&c->start_ns, time_now_ns(), __ATOMIC_RELEASE);
	while (__atomic_load_n(&c->start_ns, __ATOMIC_ACQUIRE) == 0)
		arch_cpu_relax();
	for (uint64_t i = 0; i % 64 != 0 || !hammer_done(c, i); i++) {
		unsigned long flags = 0;
		uint64_t v;

		if (c->locked)
			flags = spin_lock_irqsave(&c->lock);
		if (__atomic_fetch_add(&c->inside, 1, __ATOMIC_ACQ_REL) != 0)
			__atomic_fetch_add(&c->overlaps, 1, __ATOMIC_RELAXED);
		/* Read, linger, write back: a lost update unless the section is exclusive. */
		v = c->value;
		for (volatile int d = 0; d < 20; d++)
			;
		c->value = v + 1;
		__atomic_fetch_sub(&c->inside, 1, __ATOMIC_ACQ_REL);
		if (c->locked)
			spin_unlock_irqrestore(&c->lock, flags);
		c->per_cpu[cpu]++;
	}
	return 0;
}

/* Run one hammer per CPU; the increments they made in all. */
static uint64_t run_hammer(struct ktest *t, struct shared_counter *c)
{
	struct thread *th[NR_CPUS];
	uint64_t total = 0;

	spin_lock_init(&c->lock);
	for (unsigned int i = 0; i < online(); i++)
		th[i] = thread_create_on("hammer", hammer, c, THREAD_PRIO_DEFAULT, 0, (int)i);
	for (unsigned int i = 0; i < online(); i++) {
		KTEST_EXPECT_TRUE(t, th[i] != NULL);
		if (th[i])
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, 2 * MAX_RUN_NS), 0);
		KTEST_EXPECT_GE(t, c->per_cpu[i], (uint64_t)INCREMENTS);
		total += c->per_cpu[i];
	}
	return total;
}

static void counter_from_every_cpu_sums_exactly(struct ktest *t)
{
	struct shared_counter c = {.locked = true};
	uint64_t total = run_hammer(t, &c);

	KTEST_EXPECT_EQ(t, c.value, total);
	KTEST_EXPECT_EQ(t, c.overlaps, 0ull);
}

static void detector_fires_across_cpus_without_the_lock(struct ktest *t)
{
	struct shared_counter c = {.locked = false};
	uint64_t total;

	if (online() < 2) {
		KTEST_SKIP(t, "needs two CPUs online (make SMP=2 or more)");
		return;
	}
	total = run_hammer(t, &c);
	/* Were the detector blind, the case above would prove nothing. */
	KTEST_EXPECT_GT(t, c.overlaps, 0ull);
	KTEST_EXPECT_LT(t, c.value, total);
}

/* ---- timed waits racing their wake-ups ------------------------------------------------- */

struct race {
	struct semaphore sem;
	unsigned int ups;
	unsigned int got, timed_out;
	bool stop;
};

static int up_now_and_then(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		sem_up(&r->sem);
		r->ups++;
		/* Around the waiter's timeout, so that both ends often meet. */
		delay_ns((ktest_random() % 200) * NSEC_PER_USEC);
	}
	return 0;
}

static void timed_waits_racing_wakeups_lose_nothing(struct ktest *t)
{
	struct race r = {0};
	struct thread *upper;
	uint64_t end = time_now_ns() + 500 * NSEC_PER_MSEC;

	sem_init(&r.sem, 0);
	upper = thread_create_on("upper", up_now_and_then, &r, THREAD_PRIO_DEFAULT, 0,
				 (int)(online() - 1));
	KTEST_ASSERT_TRUE(t, upper != NULL);
	while (time_now_ns() < end) {
		int err = sem_down_timeout(&r.sem, 100 * NSEC_PER_USEC);

		if (err == 0)
			r.got++;
		else if (err == -E_TIMEDOUT)
			r.timed_out++;
		else
			ktest_fail(t, __FILE__, __LINE__, "sem_down_timeout: %d", err);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	KTEST_EXPECT_EQ(t, thread_join(upper, NULL, GIVE_UP_NS), 0);
	/* Every up was either taken or is still counted in the semaphore. */
	while (sem_down_timeout(&r.sem, 0) == 0)
		r.got++;
	KTEST_EXPECT_EQ(t, r.got, r.ups);
	KTEST_EXPECT_GT(t, r.got, 0u);
}

/* ---- many threads over all CPUs -------------------------------------------------------- */

#define CROWD_ROUNDS   20
#define SPREAD_WAIT_NS (10 * NSEC_PER_SEC)

struct crowd {
	struct mutex m;
	uint64_t sum;
	unsigned int seen_cpu; /* bit per CPU a worker ran on (atomic) */
};

static int crowd_worker(void *arg)
{
	struct crowd *c = arg;

	uint64_t give_up = time_now_ns() + SPREAD_WAIT_NS;

	__atomic_fetch_or(&c->seen_cpu, 1u << arch_cpu_index(), __ATOMIC_RELAXED);
	/* Until a second CPU has taken one of us, yield: the ready crowd waits in the shared
	 * queue where the kicked CPUs find it, however late the host lets them run. */
	while (online() > 1 &&
	       __builtin_popcount(__atomic_load_n(&c->seen_cpu, __ATOMIC_RELAXED)) < 2 &&
	       time_now_ns() < give_up) {
		thread_yield();
		__atomic_fetch_or(&c->seen_cpu, 1u << arch_cpu_index(), __ATOMIC_RELAXED);
	}
	for (int i = 0; i < CROWD_ROUNDS; i++) {
		mutex_lock(&c->m);
		c->sum++;
		mutex_unlock(&c->m);
		if (i % 10 == 0)
			thread_yield();
	}
	return 0;
}

static void crowds_spread_and_leave_nothing_behind(struct ktest *t)
{
	enum { BATCH = 16, BATCHES = 8 };
	struct crowd c = {0};
	struct thread *th[BATCH];
	uint64_t pages = (ktest_warm_up_threads(t, 2 * BATCH), pmm_free_pages());
	struct heap_stats before, after;

	heap_stats(&before);
	mutex_init(&c.m, "crowd");
	for (int b = 0; b < BATCHES; b++) {
		for (int i = 0; i < BATCH; i++)
			th[i] = thread_create("crowd", crowd_worker, &c, THREAD_PRIO_DEFAULT, 0);
		for (int i = 0; i < BATCH; i++) {
			KTEST_ASSERT_TRUE(t, th[i] != NULL);
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, GIVE_UP_NS), 0);
		}
	}
	KTEST_EXPECT_EQ(t, c.sum, (uint64_t)BATCH * BATCHES * CROWD_ROUNDS);
	/* The shared queue spread them: more than one CPU took part. (Not necessarily all:
	 * on a loaded host a guest CPU may not get to run while the others drain it; the
	 * workers wait up to SPREAD_WAIT_NS for a second one.) */
	if (online() > 1)
		KTEST_EXPECT_GT(t, __builtin_popcount(c.seen_cpu), 1);
	heap_stats(&after);
	KTEST_EXPECT_EQ(t, pmm_free_pages(), pages);
	KTEST_EXPECT_EQ(t, after.allocations, before.allocations);
}

KTEST_SUITE(smp, KTEST_CASE(every_listed_cpu_is_online), KTEST_CASE(calls_run_on_the_cpu_asked),
	    KTEST_CASE(many_calls_all_arrive), KTEST_CASE(bound_threads_run_and_wake_where_bound),
	    KTEST_CASE(the_caller_can_move), KTEST_CASE(counter_from_every_cpu_sums_exactly),
	    KTEST_CASE(detector_fires_across_cpus_without_the_lock),
	    KTEST_CASE(timed_waits_racing_wakeups_lose_nothing),
	    KTEST_CASE(crowds_spread_and_leave_nothing_behind));

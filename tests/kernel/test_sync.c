/*
 * Synchronization: a counter under a lock sums exactly and a detector sees no two
 * threads inside the critical section, while the same workers without the lock are
 * caught by that detector (so it is able to fire); mutex misuse is refused; priority
 * inheritance lets a high-priority waiter through before a middle-priority hog ends;
 * ping-pong, producer/consumer, events, timeouts, and a wake-up from an interrupt.
 */
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "errors.h"
#include "ktest.h"
#include "ktime.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"

#define GIVE_UP_NS (2 * NSEC_PER_SEC)

/* ---- critical sections ------------------------------------------------------------ */

enum guard { GUARD_NONE, GUARD_MUTEX, GUARD_SPINLOCK };

struct counter_test {
	enum guard guard;
	struct mutex mutex;
	struct spinlock spin;
	volatile uint64_t counter;
	volatile int inside;	    /* threads in the critical section right now */
	volatile uint64_t overlaps; /* times a thread found another one there */
};

#define WORKERS	   4
#define INCREMENTS 3000

static int increment_many(void *arg)
{
	struct counter_test *c = arg;

	for (int i = 0; i < INCREMENTS; i++) {
		unsigned long flags = 0;
		uint64_t v;

		if (c->guard == GUARD_MUTEX)
			mutex_lock(&c->mutex);
		else if (c->guard == GUARD_SPINLOCK)
			flags = spin_lock_irqsave(&c->spin);
		if (c->inside++ != 0)
			c->overlaps++;
		/* Read, give others every chance to run, write back: a lost update unless
		 * the section is exclusive. A spinlock holder must not yield. */
		v = c->counter;
		if (c->guard != GUARD_SPINLOCK && i % 8 == 0)
			thread_yield();
		c->counter = v + 1;
		c->inside--;
		if (c->guard == GUARD_MUTEX)
			mutex_unlock(&c->mutex);
		else if (c->guard == GUARD_SPINLOCK)
			spin_unlock_irqrestore(&c->spin, flags);
	}
	return 0;
}

static void run_counter(struct ktest *t, struct counter_test *c)
{
	struct thread *th[WORKERS];

	mutex_init(&c->mutex, "counter");
	spin_lock_init(&c->spin);
	for (int i = 0; i < WORKERS; i++)
		th[i] = thread_create("counter", increment_many, c, THREAD_PRIO_DEFAULT, 0);
	for (int i = 0; i < WORKERS; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, WAIT_FOREVER), 0);
		else
			ktest_fail(t, __FILE__, __LINE__, "worker %d not created", i);
}

static void counter_under_mutex_sums_exactly(struct ktest *t)
{
	struct counter_test c = {.guard = GUARD_MUTEX};

	run_counter(t, &c);
	KTEST_EXPECT_EQ(t, c.counter, (uint64_t)WORKERS * INCREMENTS);
	KTEST_EXPECT_EQ(t, c.overlaps, 0ull);
}

static void counter_under_spinlock_sums_exactly(struct ktest *t)
{
	struct counter_test c = {.guard = GUARD_SPINLOCK};

	run_counter(t, &c);
	KTEST_EXPECT_EQ(t, c.counter, (uint64_t)WORKERS * INCREMENTS);
	KTEST_EXPECT_EQ(t, c.overlaps, 0ull);
	KTEST_EXPECT_FALSE(t, spin_is_locked(&c.spin));
	KTEST_EXPECT_TRUE(t, spin_trylock(&c.spin));
	KTEST_EXPECT_FALSE(t, spin_trylock(&c.spin));
	spin_unlock(&c.spin);
}

static void detector_fires_without_the_lock(struct ktest *t)
{
	struct counter_test c = {.guard = GUARD_NONE};

	run_counter(t, &c);
	/* The same workers with no lock: the overlap detector catches them and updates
	 * are lost. Were it blind, the two tests above would prove nothing. */
	KTEST_EXPECT_GT(t, c.overlaps, 0ull);
	KTEST_EXPECT_LT(t, c.counter, (uint64_t)WORKERS * INCREMENTS);
}

/* ---- mutex misuse ----------------------------------------------------------------- */

static int unlock_someone_elses(void *arg)
{
	return mutex_unlock(arg);
}

static int lock_with_timeout(void *arg)
{
	uint64_t start = time_now_ns();
	int err = mutex_lock_timeout(arg, 5 * NSEC_PER_MSEC);

	if (err == 0)
		mutex_unlock(arg);
	/* Report a timeout that came early as a distinct value. */
	return err == -E_TIMEDOUT && time_now_ns() - start < 5 * NSEC_PER_MSEC ? 1 : err;
}

static int try_it(void *arg)
{
	return mutex_trylock(arg);
}

static void mutex_misuse_is_refused(struct ktest *t)
{
	struct mutex m;
	struct thread *th;
	int value;

	mutex_init(&m, "misuse");
	KTEST_EXPECT_EQ(t, mutex_unlock(&m), -E_PERM); /* nobody holds it */
	KTEST_EXPECT_EQ(t, mutex_lock(&m), 0);
	KTEST_EXPECT_TRUE(t, mutex_held_by_me(&m));
	KTEST_EXPECT_EQ(t, mutex_lock(&m), -E_DEADLK); /* recursive */
	KTEST_EXPECT_EQ(t, mutex_trylock(&m), -E_DEADLK);

	th = thread_create("thief", unlock_someone_elses, &m, THREAD_PRIO_HIGH, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, value, -E_PERM);
	KTEST_EXPECT_TRUE(t, mutex_held_by_me(&m)); /* still ours */

	th = thread_create("try", try_it, &m, THREAD_PRIO_HIGH, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, value, -E_BUSY);

	th = thread_create("timed", lock_with_timeout, &m, THREAD_PRIO_HIGH, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, value, -E_TIMEDOUT);
	KTEST_EXPECT_EQ(t, thread_current()->prio, thread_current()->base_prio);

	KTEST_EXPECT_EQ(t, mutex_unlock(&m), 0);
	KTEST_EXPECT_EQ(t, mutex_unlock(&m), -E_PERM); /* twice */
}

/* A takes a then wants b; B takes b then wants a: the second to ask is refused. */
struct abba {
	struct mutex a, b;
	struct semaphore a_taken, b_taken;
	int result_a, result_b;
};

static int take_a_then_b(void *arg)
{
	struct abba *x = arg;

	mutex_lock(&x->a);
	sem_up(&x->a_taken);
	sem_down(&x->b_taken);
	x->result_a = mutex_lock(&x->b); /* blocks: B holds it */
	if (x->result_a == 0)
		mutex_unlock(&x->b);
	mutex_unlock(&x->a);
	return 0;
}

static int take_b_then_a(void *arg)
{
	struct abba *x = arg;

	mutex_lock(&x->b);
	sem_up(&x->b_taken);
	sem_down(&x->a_taken);
	sleep_ns(NSEC_PER_MSEC);	 /* A is blocked on b by now */
	x->result_b = mutex_lock(&x->a); /* would close the cycle */
	if (x->result_b == 0)
		mutex_unlock(&x->a);
	mutex_unlock(&x->b);
	return 0;
}

static void lock_cycle_is_refused(struct ktest *t)
{
	struct abba x = {.result_a = 1, .result_b = 1};
	struct thread *a, *b;

	mutex_init(&x.a, "a");
	mutex_init(&x.b, "b");
	sem_init(&x.a_taken, 0);
	sem_init(&x.b_taken, 0);
	a = thread_create("abba-a", take_a_then_b, &x, THREAD_PRIO_DEFAULT, 0);
	b = thread_create("abba-b", take_b_then_a, &x, THREAD_PRIO_DEFAULT, 0);
	KTEST_ASSERT_TRUE(t, a && b);
	KTEST_EXPECT_EQ(t, thread_join(a, NULL, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, thread_join(b, NULL, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, x.result_b, -E_DEADLK);
	KTEST_EXPECT_EQ(t, x.result_a, 0); /* got b once B gave up and released it */
}

/* ---- priority inversion ----------------------------------------------------------- */

struct inversion {
	struct mutex m;
	struct event low_has_lock;
	int low_prio_while_blocking; /* low's priority once high waits for it */
	uint64_t high_got_lock_at, middle_done_at;
};

static void spin_for(uint64_t ns)
{
	uint64_t end = time_now_ns() + ns;

	while (time_now_ns() < end)
		;
}

static int low_holds_lock(void *arg)
{
	struct inversion *v = arg;

	mutex_lock(&v->m);
	event_signal(&v->low_has_lock);
	/* Busy with the lock held; high and middle arrive meanwhile. */
	spin_for(20 * NSEC_PER_MSEC);
	v->low_prio_while_blocking = thread_current()->prio;
	mutex_unlock(&v->m);
	return thread_current()->prio;
}

static int middle_hogs_cpu(void *arg)
{
	struct inversion *v = arg;

	spin_for(200 * NSEC_PER_MSEC);
	v->middle_done_at = time_now_ns();
	return 0;
}

static int high_wants_lock(void *arg)
{
	struct inversion *v = arg;

	mutex_lock(&v->m);
	v->high_got_lock_at = time_now_ns();
	mutex_unlock(&v->m);
	return 0;
}

static void priority_inheritance_defeats_inversion(struct ktest *t)
{
	struct inversion v = {0};
	struct thread *low, *middle, *high;
	int low_prio_after = -1;
	int old = thread_current()->base_prio;

	mutex_init(&v.m, "inversion");
	event_init(&v.low_has_lock, false);
	/* The test's thread waits above them all, so the three run as the scenario says. */
	thread_set_priority(thread_current(), THREAD_PRIO_MAX);
	low = thread_create("low", low_holds_lock, &v, THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, low != NULL);
	KTEST_EXPECT_EQ(t, event_wait_timeout(&v.low_has_lock, GIVE_UP_NS), 0);
	middle = thread_create("middle", middle_hogs_cpu, &v, THREAD_PRIO_DEFAULT, 0);
	high = thread_create("high", high_wants_lock, &v, THREAD_PRIO_HIGH, 0);
	thread_set_priority(thread_current(), old);
	KTEST_EXPECT_TRUE(t, middle && high);
	if (high)
		KTEST_EXPECT_EQ(t, thread_join(high, NULL, WAIT_FOREVER), 0);
	if (middle)
		KTEST_EXPECT_EQ(t, thread_join(middle, NULL, WAIT_FOREVER), 0);
	KTEST_EXPECT_EQ(t, thread_join(low, &low_prio_after, WAIT_FOREVER), 0);

	/* Low ran at high's priority while high waited, so high got the lock while middle
	 * (which outranks low's own priority) was still spinning; then low dropped back. */
	KTEST_EXPECT_EQ(t, v.low_prio_while_blocking, THREAD_PRIO_HIGH);
	KTEST_EXPECT_EQ(t, low_prio_after, THREAD_PRIO_LOW);
	KTEST_EXPECT_LT(t, v.high_got_lock_at, v.middle_done_at);
	KTEST_EXPECT_GT(t, v.high_got_lock_at, 0ull);
}

/* ---- semaphores, condition variables, events ------------------------------------- */

struct ping_pong {
	struct semaphore ping, pong;
	char trace[64];
	volatile int len;
};

static int ponger(void *arg)
{
	struct ping_pong *p = arg;

	for (int i = 0; i < 20; i++) {
		if (sem_down_timeout(&p->ping, GIVE_UP_NS))
			return -1;
		p->trace[p->len++] = 'o';
		sem_up(&p->pong);
	}
	return 0;
}

static void semaphores_ping_pong(struct ktest *t)
{
	struct ping_pong p = {0};
	struct thread *th;
	char want[64] = {0};
	int value = -1;

	sem_init(&p.ping, 0);
	sem_init(&p.pong, 0);
	th = thread_create("ponger", ponger, &p, THREAD_PRIO_DEFAULT, 0);
	KTEST_ASSERT_TRUE(t, th != NULL);
	for (int i = 0; i < 20; i++) {
		p.trace[p.len++] = 'i';
		sem_up(&p.ping);
		if (sem_down_timeout(&p.pong, GIVE_UP_NS))
			break;
		want[2 * i] = 'i';
		want[2 * i + 1] = 'o';
	}
	KTEST_EXPECT_EQ(t, thread_join(th, &value, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, value, 0);
	KTEST_EXPECT_EQ(t, p.len, 40);
	KTEST_EXPECT_TRUE(t, strcmp(p.trace, want) == 0);
}

static void semaphore_counts_and_times_out(struct ktest *t)
{
	struct semaphore s;
	uint64_t start;

	sem_init(&s, 2);
	KTEST_EXPECT_EQ(t, sem_trydown(&s), 0);
	KTEST_EXPECT_EQ(t, sem_down(&s), 0);
	KTEST_EXPECT_EQ(t, sem_trydown(&s), -E_BUSY);
	start = time_now_ns();
	KTEST_EXPECT_EQ(t, sem_down_timeout(&s, 3 * NSEC_PER_MSEC), -E_TIMEDOUT);
	KTEST_EXPECT_GE(t, time_now_ns() - start, 3 * NSEC_PER_MSEC);
	sem_up(&s);
	KTEST_EXPECT_EQ(t, sem_down_timeout(&s, 0), 0);
}

#define SLOTS 4
#define ITEMS 300

struct bounded_buffer {
	struct mutex m;
	struct condvar not_full, not_empty;
	int items[SLOTS];
	int head, count, produced_sum, consumed_sum, consumed;
};

static int producer(void *arg)
{
	struct bounded_buffer *b = arg;

	for (int i = 1; i <= ITEMS; i++) {
		mutex_lock(&b->m);
		while (b->count == SLOTS)
			cond_wait(&b->not_full, &b->m);
		b->items[(b->head + b->count++) % SLOTS] = i;
		b->produced_sum += i;
		cond_signal(&b->not_empty);
		mutex_unlock(&b->m);
	}
	return 0;
}

static int consumer(void *arg)
{
	struct bounded_buffer *b = arg;

	for (;;) {
		mutex_lock(&b->m);
		while (b->count == 0 && b->consumed < 2 * ITEMS)
			cond_wait(&b->not_empty, &b->m);
		if (b->consumed == 2 * ITEMS) {
			mutex_unlock(&b->m);
			return 0;
		}
		b->consumed_sum += b->items[b->head];
		b->head = (b->head + 1) % SLOTS;
		b->count--;
		if (++b->consumed == 2 * ITEMS)
			cond_broadcast(&b->not_empty); /* release the other consumer */
		cond_signal(&b->not_full);
		mutex_unlock(&b->m);
	}
}

static void condvars_run_a_bounded_buffer(struct ktest *t)
{
	struct bounded_buffer b = {0};
	struct thread *th[4];
	uint64_t start;

	mutex_init(&b.m, "buffer");
	cond_init(&b.not_full);
	cond_init(&b.not_empty);
	th[0] = thread_create("producer", producer, &b, THREAD_PRIO_DEFAULT, 0);
	th[1] = thread_create("producer", producer, &b, THREAD_PRIO_LOW, 0);
	th[2] = thread_create("consumer", consumer, &b, THREAD_PRIO_DEFAULT, 0);
	th[3] = thread_create("consumer", consumer, &b, THREAD_PRIO_HIGH, 0);
	for (int i = 0; i < 4; i++)
		if (th[i])
			KTEST_EXPECT_EQ(t, thread_join(th[i], NULL, WAIT_FOREVER), 0);
	KTEST_EXPECT_EQ(t, b.consumed, 2 * ITEMS);
	KTEST_EXPECT_EQ(t, b.consumed_sum, b.produced_sum);
	KTEST_EXPECT_EQ(t, b.produced_sum, ITEMS * (ITEMS + 1));

	/* A timed wait with no signal returns with the mutex held again. */
	mutex_lock(&b.m);
	start = time_now_ns();
	KTEST_EXPECT_EQ(t, cond_wait_timeout(&b.not_empty, &b.m, 2 * NSEC_PER_MSEC), -E_TIMEDOUT);
	KTEST_EXPECT_GE(t, time_now_ns() - start, 2 * NSEC_PER_MSEC);
	KTEST_EXPECT_TRUE(t, mutex_held_by_me(&b.m));
	mutex_unlock(&b.m);
	KTEST_EXPECT_EQ(t, cond_wait(&b.not_empty, &b.m), -E_PERM); /* not held */
}

struct event_test {
	struct event e;
	volatile int passed;
};

static int pass_event(void *arg)
{
	struct event_test *x = arg;

	if (event_wait_timeout(&x->e, GIVE_UP_NS) == 0)
		x->passed++;
	return 0;
}

static void events_release_one_or_all(struct ktest *t)
{
	struct event_test x;
	struct thread *th[3];

	/* Manual reset: one signal lets all three through. */
	event_init(&x.e, false);
	x.passed = 0;
	for (int i = 0; i < 3; i++)
		th[i] = thread_create("ev", pass_event, &x, THREAD_PRIO_HIGH, 0);
	KTEST_EXPECT_EQ(t, x.passed, 0);
	event_signal(&x.e);
	for (int i = 0; i < 3; i++)
		if (th[i])
			thread_join(th[i], NULL, WAIT_FOREVER);
	KTEST_EXPECT_EQ(t, x.passed, 3);
	KTEST_EXPECT_EQ(t, event_wait_timeout(&x.e, 0), 0); /* still set */
	event_clear(&x.e);
	KTEST_EXPECT_EQ(t, event_wait_timeout(&x.e, NSEC_PER_MSEC), -E_TIMEDOUT);

	/* Auto reset: one waiter per signal. */
	event_init(&x.e, true);
	x.passed = 0;
	for (int i = 0; i < 3; i++)
		th[i] = thread_create("ev", pass_event, &x, THREAD_PRIO_HIGH, 0);
	event_signal(&x.e);
	KTEST_EXPECT_EQ(t, x.passed, 1);
	event_signal(&x.e);
	event_signal(&x.e);
	KTEST_EXPECT_EQ(t, x.passed, 3);
	event_signal(&x.e); /* nobody waits: stays set for the next */
	KTEST_EXPECT_EQ(t, event_wait_timeout(&x.e, 0), 0);
	KTEST_EXPECT_EQ(t, event_wait_timeout(&x.e, 0), -E_TIMEDOUT);
	for (int i = 0; i < 3; i++)
		if (th[i])
			thread_join(th[i], NULL, WAIT_FOREVER);
}

static void sem_up_from_timer(struct timer *tm, void *arg)
{
	(void)tm;
	sem_up(arg);
}

static void interrupt_wakes_a_thread(struct ktest *t)
{
	struct semaphore s;
	struct timer tm;
	uint64_t start = time_now_ns();

	sem_init(&s, 0);
	timer_init(&tm, sem_up_from_timer, &s);
	timer_start(&tm, 3 * NSEC_PER_MSEC);
	KTEST_EXPECT_EQ(t, sem_down_timeout(&s, GIVE_UP_NS), 0);
	KTEST_EXPECT_GE(t, time_now_ns() - start, 3 * NSEC_PER_MSEC);
	timer_cancel(&tm);
}

KTEST_SUITE_ONE_CPU(sync, KTEST_CASE(counter_under_mutex_sums_exactly),
	    KTEST_CASE(counter_under_spinlock_sums_exactly),
	    KTEST_CASE(detector_fires_without_the_lock), KTEST_CASE(mutex_misuse_is_refused),
	    KTEST_CASE(lock_cycle_is_refused), KTEST_CASE(priority_inheritance_defeats_inversion),
	    KTEST_CASE(semaphores_ping_pong), KTEST_CASE(semaphore_counts_and_times_out),
	    KTEST_CASE(condvars_run_a_bounded_buffer), KTEST_CASE(events_release_one_or_all),
	    KTEST_CASE(interrupt_wakes_a_thread));

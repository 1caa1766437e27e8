/*
 * Threads and the scheduler (kernel/include/thread.h has the design). A switch happens in
 * switch_to_next() with the scheduler lock held and interrupts off; the lock is released
 * by the thread that runs next, either where its own switch_to_next() returns or, for a
 * new thread, in thread_start().
 */
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "heap.h"
#include "irq.h"
#include "kernel.h"
#include "kstack.h"
#include "pmm.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"

#define STACK_FILL 0x57 /* never-used stack bytes; the guard keeps it too */

/*
 * Several CPUs share one run queue (an array of lists, one per priority) under the one
 * scheduler lock: whichever CPU looks next runs the highest-priority ready thread, so
 * the highest-priority threads always run, with no balancing pass to get wrong and no
 * lock ordering between queues. A thread bound to one CPU waits on that CPU's own
 * queue instead; a CPU picks from both.
 *
 * When a thread becomes ready, the waker picks the CPU it should run on (an idle one,
 * else the one running the lowest priority below it) and kicks it: directly when that
 * is the waker's CPU, with a reschedule IPI otherwise. All of this runs under the lock.
 *
 * A thread may resume on another CPU after any switch, so nothing keeps a struct cpu
 * pointer across one: this_cpu() is read again after.
 */
struct run_queue {
	struct list_node prio[THREAD_PRIORITIES];
	uint32_t mask; /* bit p: prio[p] is not empty */
};

/* What the scheduler keeps per CPU; this_cpu() is the caller's. */
struct cpu {
	struct thread *current;
	struct thread *idle;
	struct thread *dead;	/* exited and detached: freed after the switch away */
	bool need_resched;	/* switch at the next chance */
	uint64_t switched_at;	/* arch_counter() when current started running */
	struct timer slice;	/* ends the current time slice */
	struct run_queue bound; /* ready threads bound to this CPU */
};

static struct cpu cpus[NR_CPUS];
static struct spinlock sched_lock = SPINLOCK_INIT;
static struct run_queue shared; /* ready threads that may run anywhere */
static uint64_t next_ready_seq; /* orders ready threads across queues */
static struct list_node all_threads = LIST_INIT(all_threads);
static unsigned int next_id;
static struct sched_stats stats;
static struct thread boot_thread;
extern char __boot_stack_guard[], __boot_stack_top[];

static inline struct cpu *this_cpu(void)
{
	return &cpus[arch_cpu_index()];
}

struct thread *thread_current(void)
{
	/* Interrupts off: a switch between reading the index and current would move us. */
	unsigned long flags = arch_irq_save();
	struct thread *t = this_cpu()->current;

	arch_irq_restore(flags);
	return t;
}

const char *thread_state_name(enum thread_state s)
{
	static const char *const names[] = {
		[THREAD_READY] = "ready",     [THREAD_RUNNING] = "running",
		[THREAD_BLOCKED] = "blocked", [THREAD_SLEEPING] = "sleeping",
		[THREAD_DEAD] = "dead",
	};

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* ---- run queues ------------------------------------------------------------------ */

static void run_queue_init(struct run_queue *q)
{
	for (int p = 0; p < THREAD_PRIORITIES; p++)
		list_init(&q->prio[p]);
	q->mask = 0;
}

static struct run_queue *queue_of(struct thread *t)
{
	return t->bound_cpu >= 0 ? &cpus[t->bound_cpu].bound : &shared;
}

static void enqueue_ready(struct thread *t)
{
	struct run_queue *q = queue_of(t);

	t->state = THREAD_READY;
	t->ready_seq = next_ready_seq++;
	list_add_tail(&q->prio[t->prio], &t->sched_node);
	q->mask |= 1u << t->prio;
}

static void dequeue_ready(struct thread *t)
{
	struct run_queue *q = queue_of(t);

	list_remove(&t->sched_node);
	if (list_empty(&q->prio[t->prio]))
		q->mask &= ~(1u << t->prio);
}

static int queue_top(const struct run_queue *q)
{
	return q->mask ? 31 - __builtin_clz(q->mask) : -1;
}

static struct thread *queue_head(const struct run_queue *q, int prio)
{
	return list_entry(q->prio[prio].next, struct thread, sched_node);
}

/* The queue holding the best thread c could run next, or NULL when both are empty. On
 * equal priority the thread that has waited longer goes first, whichever queue it is
 * on: round-robin holds across the two. */
static struct run_queue *best_queue(struct cpu *c)
{
	int bound = queue_top(&c->bound), any = queue_top(&shared);

	if (bound < 0 && any < 0)
		return NULL;
	if (bound != any)
		return bound > any ? &c->bound : &shared;
	return queue_head(&c->bound, bound)->ready_seq < queue_head(&shared, any)->ready_seq
		       ? &c->bound
		       : &shared;
}

static int highest_ready_prio(struct cpu *c)
{
	struct run_queue *q = best_queue(c);

	return q ? queue_top(q) : -1;
}

/* The end of a slice matters only when another thread of the same priority waits:
 * a thread alone at the top runs without timer interrupts. Only for this CPU (the
 * slice is its timer). */
static void arm_slice(struct cpu *c)
{
	struct thread *cur = c->current;

	if (cur != c->idle && highest_ready_prio(c) >= cur->prio) {
		if (!c->slice.queued)
			timer_start(&c->slice, THREAD_SLICE_NS);
	} else if (c->slice.queued) {
		timer_cancel(&c->slice);
	}
}

static void slice_expired(struct timer *t, void *arg)
{
	struct cpu *c = arg;

	(void)t;
	c->need_resched = true; /* acted on by sched_irq_exit() */
}

/* On this CPU, lock held: switch soon if a ready thread should run before the current
 * one; otherwise make sure a slice ends the current one if an equal one waits. */
static void reevaluate(struct cpu *c)
{
	int top = highest_ready_prio(c);
	int bound = c->current->bound_cpu;

	if (top >= 0 && (c->current == c->idle || top > c->current->prio))
		c->need_resched = true;
	else if (bound >= 0 && &cpus[bound] != c)
		c->need_resched = true; /* bound elsewhere meanwhile: move it */
	else
		arm_slice(c);
}

static unsigned int cpu_index(const struct cpu *c)
{
	return (unsigned int)(c - cpus);
}

static void kick(struct cpu *c)
{
	if (c == this_cpu())
		reevaluate(c);
	else
		smp_send_reschedule(cpu_index(c));
}

/* The CPU a newly ready t should run on now: its own if bound, else an idle CPU (this
 * one first), else the one running the lowest priority not above t's (this one on a
 * tie). NULL when every candidate runs something more important. */
static struct cpu *cpu_for(const struct thread *t)
{
	struct cpu *self = this_cpu(), *best = NULL;

	if (t->bound_cpu >= 0) {
		struct cpu *c = &cpus[t->bound_cpu];

		return c->current == c->idle || c->current->prio <= t->prio ? c : NULL;
	}
	if (self->current == self->idle)
		return self;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		struct cpu *c = &cpus[i];

		if (!c->current || !smp_cpu_online(i))
			continue;
		if (c->current == c->idle)
			return c;
		if (c->current->prio <= t->prio &&
		    (!best || c->current->prio < best->current->prio))
			best = c;
	}
	if (best && self->current->prio == best->current->prio)
		return self;
	return best;
}

/* Make t ready and tell the CPU that should run it. */
static void make_ready(struct thread *t)
{
	struct cpu *c;

	enqueue_ready(t);
	c = cpu_for(t);
	if (c)
		kick(c);
}

static void check_stack_guard(const struct thread *t)
{
	for (size_t i = 0; i < THREAD_STACK_GUARD; i++)
		if (t->stack_base[i] != STACK_FILL)
			panic("thread %u (%s) overflowed its %zu-byte stack (guard byte %zu "
			      "overwritten)",
			      t->id, t->name, t->stack_size, i);
}

/* Run the highest-priority ready thread on this CPU, or idle. The caller has put the
 * current thread where it belongs (a run queue, a wait queue, nowhere when dead). Lock
 * held, interrupts off; returns when the caller's thread is switched back in. */
static void switch_to_next(void)
{
	struct cpu *c = this_cpu();
	struct thread *prev = c->current, *next = c->idle;
	struct run_queue *q = best_queue(c);
	uint64_t now;

	if (q) {
		next = queue_head(q, queue_top(q));
		dequeue_ready(next);
	}
	c->need_resched = false;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		arm_slice(c);
		return;
	}
	check_stack_guard(prev);
	now = arch_counter();
	prev->run_ticks += now - c->switched_at;
	c->switched_at = now;
	if (prev->state == THREAD_DEAD && prev->detached)
		c->dead = prev;
	if (prev == c->idle)
		prev->state = THREAD_READY; /* on no queue: it runs when they are empty */
	next->state = THREAD_RUNNING;
	next->cpu = cpu_index(c);
	next->switches++;
	c->current = next;
	stats.context_switches++;
	arm_slice(c);
	arch_context_switch(&prev->sp, next->sp);
	/* prev runs again: free what the thread before it left behind. */
}

/* Take t off the list of threads before freeing it. Lock held. */
static void unlink_thread_locked(struct thread *t)
{
	list_remove(&t->all_node);
	stats.freed++;
	stats.live--;
}

static void free_thread(struct thread *t);

/* After a switch, on the new thread: free a detached thread that exited (it could not
 * free the stack it was running on). Lock held. */
static void finish_switch(void)
{
	struct cpu *c = this_cpu();
	struct thread *dead = c->dead;

	if (dead) {
		c->dead = NULL;
		unlink_thread_locked(dead);
		free_thread(dead);
	}
}

unsigned long sched_lock_irqsave(void)
{
	return spin_lock_irqsave(&sched_lock);
}

void sched_unlock_irqrestore(unsigned long flags)
{
	bool resched;

	spin_unlock(&sched_lock);
	resched = this_cpu()->need_resched; /* before interrupts are back: we might move */
	arch_irq_restore(flags);
	if (resched && !in_interrupt() && arch_irqs_enabled())
		thread_yield();
}

/* The current thread goes back to a run queue (unless it is the idle thread); another
 * CPU that should run it now (an idle one, or its own when bound) hears of it. */
static void requeue_current(struct cpu *c)
{
	if (c->current != c->idle)
		make_ready(c->current);
}

/* Does the current thread keep the CPU: nothing better or equal is ready, and it may
 * run here? Lock held. */
static bool keeps_cpu(struct cpu *c)
{
	struct thread *cur = c->current;

	return cur != c->idle && highest_ready_prio(c) < cur->prio &&
	       (cur->bound_cpu < 0 || &cpus[cur->bound_cpu] == c);
}

void thread_yield(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct cpu *c = this_cpu();

	if (keeps_cpu(c)) {
		/* Nobody to yield to: do not wake other CPUs for nothing. */
		c->need_resched = false;
		arm_slice(c);
	} else {
		requeue_current(c);
		switch_to_next();
		finish_switch();
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();

	if (!c->need_resched || !c->current)
		return;
	spin_lock(&sched_lock);
	if (keeps_cpu(c)) {
		c->need_resched = false;
		arm_slice(c);
	} else {
		requeue_current(c);
		stats.preemptions++;
		switch_to_next();
		finish_switch();
	}
	spin_unlock(&sched_lock);
}

/* ---- wait queues ------------------------------------------------------------------ */

void wait_queue_init(struct wait_queue *wq)
{
	list_init(&wq->waiters);
}

/* Highest priority first; behind the waiters of the same priority. */
static void wait_queue_insert(struct wait_queue *wq, struct thread *t)
{
	struct list_node *pos;

	list_for_each(pos, &wq->waiters) if (list_entry(pos, struct thread, sched_node)->prio <
					     t->prio) break;
	list_insert_before(pos, &t->sched_node);
}

static void wake_locked(struct thread *t, int result)
{
	if (t->state == THREAD_BLOCKED)
		list_remove(&t->sched_node);
	t->waiting_on = NULL;
	t->wait_result = result;
	/* Saves a pointless timer interrupt. The expiry may already be running on another
	 * CPU, waiting for the lock: t settles that itself when it runs (block_current). */
	timer_cancel(&t->timeout);
	make_ready(t);
}

/* A sleep or a timed wait ran out (timer interrupt, interrupts off). */
static void timeout_expired(struct timer *timer, void *arg)
{
	struct thread *t = arg;

	(void)timer;
	spin_lock(&sched_lock);
	if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING)
		wake_locked(t, -E_TIMEDOUT);
	spin_unlock(&sched_lock);
}

static void block_current(enum thread_state state, struct wait_queue *wq, uint64_t timeout_ns)
{
	struct thread *cur = this_cpu()->current;

	if (in_interrupt())
		panic("thread: blocking in an interrupt handler (thread %s)", cur->name);
	cur->state = state;
	cur->waiting_on = wq;
	cur->wait_result = 0;
	if (wq)
		wait_queue_insert(wq, cur);
	if (timeout_ns != WAIT_FOREVER)
		timer_start(&cur->timeout, timeout_ns);
	switch_to_next();
	finish_switch();
	if (timeout_ns != WAIT_FOREVER) {
		/* Woken. An expiry that lost the race may still be on its way on another CPU,
		 * spinning for the lock with a pointer to us: let it finish (it finds us
		 * running and does nothing) before we can wait again, exit or be freed. */
		spin_unlock(&sched_lock);
		timer_cancel_sync(&cur->timeout);
		spin_lock(&sched_lock);
	}
}

int wait_queue_wait_locked(struct wait_queue *wq, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return -E_TIMEDOUT;
	block_current(THREAD_BLOCKED, wq, timeout_ns);
	return this_cpu()->current->wait_result; /* this CPU's: we may have moved */
}

struct thread *wait_queue_first_locked(const struct wait_queue *wq)
{
	struct list_node *n = list_first(&wq->waiters);

	return n ? list_entry(n, struct thread, sched_node) : NULL;
}

struct thread *wait_queue_wake_one_locked(struct wait_queue *wq, int result)
{
	struct thread *t = wait_queue_first_locked(wq);

	if (t)
		wake_locked(t, result);
	return t;
}

unsigned int wait_queue_wake_all_locked(struct wait_queue *wq, int result)
{
	unsigned int n = 0;

	while (wait_queue_wake_one_locked(wq, result))
		n++;
	return n;
}

void thread_set_effective_prio_locked(struct thread *t, int prio)
{
	if (t->prio == prio)
		return;
	switch (t->state) {
	case THREAD_READY:
		dequeue_ready(t);
		t->prio = prio;
		make_ready(t);
		break;
	case THREAD_BLOCKED:
		list_remove(&t->sched_node);
		t->prio = prio;
		wait_queue_insert(t->waiting_on, t);
		break;
	default:
		t->prio = prio;
		break;
	}
	/* A running thread may have gone below a ready one: its CPU looks again. */
	if (t->state == THREAD_RUNNING)
		kick(&cpus[t->cpu]);
}

void sleep_ns(uint64_t ns)
{
	unsigned long flags;

	if (ns == 0) {
		thread_yield();
		return;
	}
	flags = spin_lock_irqsave(&sched_lock);
	block_current(THREAD_SLEEPING, NULL, ns);
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* ---- thread lifetime ------------------------------------------------------------- */

static void init_thread(struct thread *t, const char *name, int prio)
{
	memset(t, 0, sizeof(*t));
	t->id = next_id++;
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->prio = t->base_prio = prio;
	t->bound_cpu = THREAD_ANY_CPU;
	list_init(&t->sched_node);
	list_init(&t->held_mutexes);
	wait_queue_init(&t->joiners);
	timer_init(&t->timeout, timeout_expired, t);
}

/* Where every created thread begins, with the scheduler lock held by whoever switched
 * to it. */
static void thread_start(void *arg)
{
	struct thread *t = arg;

	finish_switch();
	spin_unlock(&sched_lock);
	arch_irq_enable();
	thread_exit(t->fn(t->arg));
}

static unsigned int order_for(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

struct thread *thread_create(const char *name, thread_fn fn, void *arg, int prio, size_t stack_size)
{
	struct thread *self = thread_current();

	return thread_create_on(name, fn, arg, prio, stack_size,
				self ? self->bound_cpu : THREAD_ANY_CPU);
}

struct thread *thread_create_on(const char *name, thread_fn fn, void *arg, int prio,
				size_t stack_size, int cpu)
{
	struct thread *t;
	unsigned long flags;

	if (stack_size == 0)
		stack_size = THREAD_STACK_DEFAULT;
	if (!name || !fn || prio < 1 || prio > THREAD_PRIO_MAX ||
	    stack_size < THREAD_STACK_GUARD + 1024 || stack_size > THREAD_STACK_MAX)
		return NULL;
	if (cpu != THREAD_ANY_CPU && (cpu < 0 || !smp_cpu_online((unsigned int)cpu)))
		return NULL;
	t = kmalloc(sizeof(*t));
	if (!t)
		return NULL;
	init_thread(t, name, prio);
	t->bound_cpu = cpu;
	t->stack_order = order_for(stack_size);
	t->stack_base = kstack_alloc(t->stack_order);
	if (!t->stack_base) {
		kfree(t);
		return NULL;
	}
	t->stack_size = PAGE_SIZE << t->stack_order;
	memset(t->stack_base, STACK_FILL, t->stack_size);
	t->fn = fn;
	t->arg = arg;
	t->sp = arch_context_init((uintptr_t)t->stack_base + t->stack_size, thread_start, t);

	flags = spin_lock_irqsave(&sched_lock);
	list_add_tail(&all_threads, &t->all_node);
	stats.created++;
	stats.live++;
	make_ready(t);
	sched_unlock_irqrestore(flags);
	return t;
}

static void free_thread(struct thread *t)
{
	if (!t->boot_stack)
		kstack_free(t->stack_base, t->stack_order);
	kfree(t);
}

void thread_exit(int value)
{
	struct cpu *c = this_cpu();
	struct thread *cur = c->current;

	if (cur == &boot_thread || cur == c->idle)
		panic("thread_exit: the %s thread cannot exit", cur->name);
	if (!list_empty(&cur->held_mutexes))
		panic("thread %u (%s) exited holding a mutex", cur->id, cur->name);
	spin_lock_irqsave(&sched_lock);
	cur->exit_value = value;
	cur->state = THREAD_DEAD;
	wait_queue_wake_all_locked(&cur->joiners, 0);
	switch_to_next();
	panic("thread_exit: a dead thread ran again");
}

int thread_join(struct thread *t, int *value, uint64_t timeout_ns)
{
	unsigned long flags;
	uint64_t deadline = timeout_ns == WAIT_FOREVER ? WAIT_FOREVER : time_now_ns() + timeout_ns;

	if (!t)
		return -E_INVAL;
	if (t == thread_current())
		return -E_DEADLK;
	flags = spin_lock_irqsave(&sched_lock);
	if (t->detached || t->joining) {
		spin_unlock_irqrestore(&sched_lock, flags);
		return -E_INVAL;
	}
	t->joining = true;
	while (t->state != THREAD_DEAD) {
		uint64_t now = time_now_ns();
		uint64_t left = deadline == WAIT_FOREVER ? WAIT_FOREVER
				: deadline > now	 ? deadline - now
							 : 0;

		if (wait_queue_wait_locked(&t->joiners, left) == -E_TIMEDOUT &&
		    t->state != THREAD_DEAD) {
			t->joining = false;
			spin_unlock_irqrestore(&sched_lock, flags);
			return -E_TIMEDOUT;
		}
	}
	unlink_thread_locked(t);
	spin_unlock_irqrestore(&sched_lock, flags);
	if (value)
		*value = t->exit_value;
	free_thread(t);
	return 0;
}

int thread_detach(struct thread *t)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	if (!t || t->detached || t->joining || t == &boot_thread) {
		spin_unlock_irqrestore(&sched_lock, flags);
		return -E_INVAL;
	}
	if (t->state == THREAD_DEAD) {
		unlink_thread_locked(t);
		spin_unlock_irqrestore(&sched_lock, flags);
		free_thread(t);
		return 0;
	}
	t->detached = true;
	spin_unlock_irqrestore(&sched_lock, flags);
	return 0;
}

int thread_set_cpu(struct thread *t, int cpu)
{
	unsigned long flags;

	if (!t || (cpu != THREAD_ANY_CPU && (cpu < 0 || !smp_cpu_online((unsigned int)cpu))))
		return -E_INVAL;
	flags = spin_lock_irqsave(&sched_lock);
	if (t->state == THREAD_READY) {
		dequeue_ready(t);
		t->bound_cpu = cpu;
		make_ready(t);
	} else {
		t->bound_cpu = cpu;
		if (t->state == THREAD_RUNNING)
			kick(&cpus[t->cpu]); /* switches it out if it now runs on a wrong CPU */
	}
	sched_unlock_irqrestore(flags);
	return 0;
}

int thread_set_priority(struct thread *t, int prio)
{
	unsigned long flags;

	if (!t || prio < 1 || prio > THREAD_PRIO_MAX)
		return -E_INVAL;
	flags = spin_lock_irqsave(&sched_lock);
	/* An inherited priority above the new base stays until the mutex is released. */
	if (t->prio == t->base_prio || prio > t->prio)
		thread_set_effective_prio_locked(t, prio);
	t->base_prio = prio;
	sched_unlock_irqrestore(flags);
	return 0;
}

/* ---- idle and start-up ---------------------------------------------------------- */

static int idle_loop(void *arg)
{
	struct cpu *c = arg; /* the idle thread never leaves its CPU */

	for (;;) {
		arch_irq_disable();
		/* An interrupt that makes a thread ready switches to it from its irq_exit();
		 * another CPU that does sends a reschedule IPI, which also ends the wait. */
		if (!c->need_resched && !shared.mask && !c->bound.mask)
			arch_wait_for_interrupt();
		arch_irq_enable();
		thread_yield();
	}
	return 0;
}

void sched_init(void)
{
	struct cpu *c = this_cpu();
	struct thread *idle;
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	run_queue_init(&shared);
	for (unsigned int i = 0; i < NR_CPUS; i++)
		run_queue_init(&cpus[i].bound);
	timer_init(&c->slice, slice_expired, c);

	/* The boot context becomes "main". Its stack below the current frame (less a margin
	 * for memset's own frame) gets the fill pattern, for its guard and high-water mark. */
	init_thread(&boot_thread, "main", THREAD_PRIO_DEFAULT);
	boot_thread.boot_stack = true;
	boot_thread.stack_base = (uint8_t *)__boot_stack_guard;
	boot_thread.stack_size = (size_t)(__boot_stack_top - __boot_stack_guard);
	memset(boot_thread.stack_base, STACK_FILL, sp - 512 - (uintptr_t)boot_thread.stack_base);
	boot_thread.state = THREAD_RUNNING;
	boot_thread.switches = 1;
	list_add_tail(&all_threads, &boot_thread.all_node);
	stats.live = 1;
	c->current = &boot_thread;
	c->switched_at = arch_counter();

	/* The idle thread is never on a run queue: it runs when they are all empty. */
	idle = kmalloc(sizeof(*idle));
	if (!idle)
		panic("sched: no memory for the idle thread");
	init_thread(idle, "idle0", THREAD_PRIO_IDLE);
	idle->stack_order = order_for(4096);
	idle->stack_base = (uint8_t *)(uintptr_t)pmm_alloc(idle->stack_order, ZONE_NORMAL);
	if (!idle->stack_base)
		panic("sched: no memory for the idle thread's stack");
	idle->stack_size = PAGE_SIZE << idle->stack_order;
	memset(idle->stack_base, STACK_FILL, idle->stack_size);
	idle->fn = idle_loop;
	idle->arg = c;
	idle->sp = arch_context_init((uintptr_t)idle->stack_base + idle->stack_size, thread_start,
				     idle);
	list_add_tail(&all_threads, &idle->all_node);
	stats.live++;
	c->idle = idle;
}

void sched_prepare_cpu(unsigned int index, void *stack, size_t size)
{
	struct cpu *c = &cpus[index];
	struct thread *idle = kmalloc(sizeof(*idle));
	char name[THREAD_NAME_LEN];
	unsigned long flags;

	if (!idle)
		panic("sched: no memory for CPU %u's idle thread", index);
	snprintf(name, sizeof(name), "idle%u", index);
	init_thread(idle, name, THREAD_PRIO_IDLE);
	idle->boot_stack = true; /* the CPU's first stack, never freed */
	idle->stack_base = stack;
	idle->stack_size = size;
	memset(stack, STACK_FILL, size);
	idle->state = THREAD_RUNNING;
	idle->cpu = index;
	idle->switches = 1;
	timer_init(&c->slice, slice_expired, c);
	c->idle = idle;
	flags = spin_lock_irqsave(&sched_lock);
	list_add_tail(&all_threads, &idle->all_node);
	stats.live++;
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_init_cpu(unsigned int index)
{
	struct cpu *c = &cpus[index];

	c->current = c->idle;
	c->switched_at = arch_counter();
}

void sched_idle(void)
{
	struct cpu *c = this_cpu();

	arch_irq_enable();
	idle_loop(c);
	panic("sched: the idle loop returned");
}

void sched_reschedule_ipi(void)
{
	spin_lock(&sched_lock);
	reevaluate(this_cpu());
	spin_unlock(&sched_lock);
}

/* ---- introspection --------------------------------------------------------------- */

size_t thread_stack_used(const struct thread *t)
{
	size_t unused = 0;

	while (unused < t->stack_size && t->stack_base[unused] == STACK_FILL)
		unused++;
	return t->stack_size - unused;
}

size_t thread_list(struct thread_info *out, size_t max)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct list_node *pos;
	size_t n = 0;

	list_for_each(pos, &all_threads)
	{
		struct thread *t = list_entry(pos, struct thread, all_node);
		uint64_t ticks = t->run_ticks;

		if (n < max) {
			struct thread_info *i = &out[n];

			if (t->state == THREAD_RUNNING && cpus[t->cpu].current == t)
				ticks += arch_counter() - cpus[t->cpu].switched_at;
			i->id = t->id;
			memcpy(i->name, t->name, sizeof(i->name));
			i->state = t->state;
			i->prio = t->prio;
			i->base_prio = t->base_prio;
			i->cpu = t->cpu;
			i->run_ns = time_ticks_to_ns(ticks);
			i->stack_used = thread_stack_used(t);
			i->stack_size = t->stack_size;
		}
		n++;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
	return n;
}

void sched_stats(struct sched_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	*out = stats;
	spin_unlock_irqrestore(&sched_lock, flags);
}

bool thread_sp_in_guard(uintptr_t sp)
{
	const struct thread *t = this_cpu()->current;

	return t && sp >= (uintptr_t)t->stack_base &&
	       sp < (uintptr_t)t->stack_base + THREAD_STACK_GUARD;
}

bool thread_stack_contains(uintptr_t p, size_t len)
{
	const struct thread *t = this_cpu()->current;
	uintptr_t lo, hi;

	if (!t)
		return false;
	lo = (uintptr_t)t->stack_base;
	hi = lo + t->stack_size;
	return p >= lo && p + len <= hi && p + len > p;
}

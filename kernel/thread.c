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
#include "pmm.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"

#define STACK_FILL 0x57 /* never-used stack bytes; the guard keeps it too */

/* What the scheduler keeps per CPU. One CPU for now; with several, this_cpu() indexes
 * the array by the arch's CPU number. */
struct cpu {
	struct thread *current;
	struct thread *idle;
	struct thread *dead;  /* exited and detached: freed after the switch away */
	bool need_resched;    /* switch at the next chance */
	uint64_t switched_at; /* arch_counter() when current started running */
	struct timer slice;   /* ends the current time slice */
};

static struct cpu cpus[NR_CPUS];
static struct spinlock sched_lock = SPINLOCK_INIT;
static struct list_node run_queue[THREAD_PRIORITIES];
static uint32_t ready_mask; /* bit p: run_queue[p] is not empty */
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
	return this_cpu()->current;
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

static void enqueue_ready(struct thread *t)
{
	t->state = THREAD_READY;
	list_add_tail(&run_queue[t->prio], &t->sched_node);
	ready_mask |= 1u << t->prio;
}

static void dequeue_ready(struct thread *t)
{
	list_remove(&t->sched_node);
	if (list_empty(&run_queue[t->prio]))
		ready_mask &= ~(1u << t->prio);
}

static int highest_ready_prio(void)
{
	return ready_mask ? 31 - __builtin_clz(ready_mask) : -1;
}

/* The end of a slice matters only when another thread of the same priority waits:
 * a thread alone at the top runs without timer interrupts. */
static void arm_slice(struct cpu *c)
{
	struct thread *cur = c->current;

	if (cur != c->idle && highest_ready_prio() >= cur->prio) {
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

/* Make t ready, and ask for a switch when it should run before the current thread. */
static void make_ready(struct thread *t)
{
	struct cpu *c = this_cpu();

	enqueue_ready(t);
	if (c->current == c->idle || t->prio > c->current->prio)
		c->need_resched = true;
	else if (t->prio == c->current->prio)
		arm_slice(c);
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
	int p = highest_ready_prio();
	uint64_t now;

	if (p >= 0) {
		next = list_entry(run_queue[p].next, struct thread, sched_node);
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
	next->state = THREAD_RUNNING;
	next->cpu = (unsigned int)(c - cpus);
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
	spin_unlock_irqrestore(&sched_lock, flags);
	if (this_cpu()->need_resched && !in_interrupt() && arch_irqs_enabled())
		thread_yield();
}

void thread_yield(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct cpu *c = this_cpu();

	if (c->current != c->idle)
		enqueue_ready(c->current);
	switch_to_next();
	finish_switch();
	spin_unlock_irqrestore(&sched_lock, flags);
}

void sched_irq_exit(void)
{
	struct cpu *c = this_cpu();

	if (!c->need_resched || !c->current)
		return;
	spin_lock(&sched_lock);
	if (c->current != c->idle)
		enqueue_ready(c->current);
	stats.preemptions++;
	switch_to_next();
	finish_switch();
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
}

int wait_queue_wait_locked(struct wait_queue *wq, uint64_t timeout_ns)
{
	if (timeout_ns == 0)
		return -E_TIMEDOUT;
	block_current(THREAD_BLOCKED, wq, timeout_ns);
	return this_cpu()->current->wait_result;
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
	struct cpu *c = this_cpu();

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
	/* The running thread went below a ready one: let it go. */
	if (c->current != c->idle && highest_ready_prio() > c->current->prio)
		c->need_resched = true;
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
	struct thread *t;
	uint64_t pa;
	unsigned long flags;

	if (stack_size == 0)
		stack_size = THREAD_STACK_DEFAULT;
	if (!name || !fn || prio < 1 || prio > THREAD_PRIO_MAX ||
	    stack_size < THREAD_STACK_GUARD + 1024 || stack_size > THREAD_STACK_MAX)
		return NULL;
	t = kmalloc(sizeof(*t));
	if (!t)
		return NULL;
	init_thread(t, name, prio);
	t->stack_order = order_for(stack_size);
	pa = pmm_alloc(t->stack_order, ZONE_NORMAL);
	if (!pa) {
		kfree(t);
		return NULL;
	}
	t->stack_base = (uint8_t *)(uintptr_t)pa;
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
		pmm_free((uintptr_t)t->stack_base, t->stack_order);
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
	struct cpu *c = arg;

	for (;;) {
		arch_irq_disable();
		/* An interrupt that makes a thread ready switches to it from its irq_exit(). */
		if (!c->need_resched && !ready_mask)
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

	for (int p = 0; p < THREAD_PRIORITIES; p++)
		list_init(&run_queue[p]);
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
	init_thread(idle, "idle", THREAD_PRIO_IDLE);
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
	this_cpu()->need_resched = true;
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
	struct cpu *c = this_cpu();
	struct list_node *pos;
	size_t n = 0;

	list_for_each(pos, &all_threads)
	{
		struct thread *t = list_entry(pos, struct thread, all_node);
		uint64_t ticks = t->run_ticks;

		if (n < max) {
			struct thread_info *i = &out[n];

			if (t == c->current)
				ticks += arch_counter() - c->switched_at;
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

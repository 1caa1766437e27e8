/*
 * Mutexes, semaphores, condition variables and events over the scheduler's wait queues
 * (kernel/include/sync.h). All their state is guarded by the scheduler lock, so a
 * check and the block that follows it are one atomic step. Releases hand the resource
 * straight to the first waiter (the highest priority one): nobody can slip in between
 * the wake-up and the waiter running.
 */
#include "errors.h"
#include "irq.h"
#include "kernel.h"
#include "printk.h"
#include "sync.h"

/* Longest chain of owners followed for priority inheritance and cycle checks: far more
 * than any sane design nests. */
#define CHAIN_MAX 16

/* ---- mutexes ---------------------------------------------------------------------- */

void mutex_init(struct mutex *m, const char *name)
{
	m->owner = NULL;
	wait_queue_init(&m->waiters);
	list_init(&m->held_node);
	m->name = name;
}

static void no_interrupt_context(const struct mutex *m)
{
	if (in_interrupt())
		panic("mutex %s: used from an interrupt handler", m->name);
}

static void take(struct mutex *m, struct thread *t)
{
	m->owner = t;
	list_add_tail(&t->held_mutexes, &m->held_node);
}

/* t's base priority, or the highest priority waiting on a mutex t holds if higher. */
static void update_inherited_prio(struct thread *t)
{
	int prio = t->base_prio;
	struct list_node *pos;

	list_for_each(pos, &t->held_mutexes)
	{
		struct mutex *held = list_entry(pos, struct mutex, held_node);
		struct thread *w = wait_queue_first_locked(&held->waiters);

		if (w && w->prio > prio)
			prio = w->prio;
	}
	thread_set_effective_prio_locked(t, prio);
}

/* Re-derive the priorities of m's owner, the owner of what it waits for, and so on. */
static void update_chain(struct mutex *m)
{
	for (int depth = 0; m && m->owner && depth < CHAIN_MAX; depth++) {
		int before = m->owner->prio;

		update_inherited_prio(m->owner);
		if (m->owner->prio == before)
			break;
		m = m->owner->blocked_on;
	}
}

/* Would t waiting for m close a cycle (m's owner waits, through owners, for t)? */
static bool closes_cycle(const struct mutex *m, const struct thread *t)
{
	for (int depth = 0; m && m->owner && depth < CHAIN_MAX; depth++) {
		if (m->owner == t)
			return true;
		m = m->owner->blocked_on;
	}
	return false;
}

static int acquire_locked(struct mutex *m, uint64_t timeout_ns)
{
	struct thread *cur = thread_current();
	int err;

	if (!m->owner) {
		take(m, cur);
		return 0;
	}
	if (m->owner == cur) {
		pr_warn("mutex %s: thread %s locks it again (it already holds it)\n", m->name,
			cur->name);
		return -E_DEADLK;
	}
	if (timeout_ns == 0)
		return -E_TIMEDOUT;
	if (closes_cycle(m, cur)) {
		pr_warn("mutex %s: thread %s would deadlock (its owner %s waits for it)\n", m->name,
			cur->name, m->owner->name);
		return -E_DEADLK;
	}
	cur->blocked_on = m;
	/* Lend our priority down the chain of owners before we sleep. */
	for (struct mutex *mm = m; mm && mm->owner && mm->owner->prio < cur->prio;
	     mm = mm->owner->blocked_on)
		thread_set_effective_prio_locked(mm->owner, cur->prio);
	err = wait_queue_wait_locked(&m->waiters, timeout_ns);
	cur->blocked_on = NULL;
	if (err) {
		/* Gone from the waiters: what we lent is taken back. */
		update_chain(m);
		return err;
	}
	return 0; /* the unlocker made us the owner */
}

static int release_locked(struct mutex *m)
{
	struct thread *cur = thread_current();
	struct thread *next;

	if (m->owner != cur) {
		pr_warn("mutex %s: thread %s unlocks it but %s holds it\n", m->name, cur->name,
			m->owner ? m->owner->name : "nobody");
		return -E_PERM;
	}
	list_remove(&m->held_node);
	next = wait_queue_wake_one_locked(&m->waiters, 0);
	if (next) {
		take(m, next);
		update_inherited_prio(next);
	} else {
		m->owner = NULL;
	}
	update_inherited_prio(cur);
	return 0;
}

int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns)
{
	unsigned long flags;
	int err;

	no_interrupt_context(m);
	flags = sched_lock_irqsave();
	err = acquire_locked(m, timeout_ns);
	sched_unlock_irqrestore(flags);
	return err;
}

int mutex_lock(struct mutex *m)
{
	return mutex_lock_timeout(m, WAIT_FOREVER);
}

int mutex_trylock(struct mutex *m)
{
	int err = mutex_lock_timeout(m, 0);

	return err == -E_TIMEDOUT ? -E_BUSY : err;
}

int mutex_unlock(struct mutex *m)
{
	unsigned long flags;
	int err;

	no_interrupt_context(m);
	flags = sched_lock_irqsave();
	err = release_locked(m);
	sched_unlock_irqrestore(flags);
	return err;
}

bool mutex_held_by_me(const struct mutex *m)
{
	return m->owner == thread_current();
}

/* ---- semaphores ------------------------------------------------------------------- */

void sem_init(struct semaphore *s, unsigned int count)
{
	s->count = count;
	wait_queue_init(&s->waiters);
}

int sem_down_timeout(struct semaphore *s, uint64_t timeout_ns)
{
	unsigned long flags = sched_lock_irqsave();
	int err = 0;

	if (s->count > 0)
		s->count--;
	else
		err = wait_queue_wait_locked(&s->waiters, timeout_ns); /* sem_up hands over */
	sched_unlock_irqrestore(flags);
	return err;
}

int sem_down(struct semaphore *s)
{
	return sem_down_timeout(s, WAIT_FOREVER);
}

int sem_trydown(struct semaphore *s)
{
	return sem_down_timeout(s, 0) == -E_TIMEDOUT ? -E_BUSY : 0;
}

void sem_up(struct semaphore *s)
{
	unsigned long flags = sched_lock_irqsave();

	if (!wait_queue_wake_one_locked(&s->waiters, 0))
		s->count++;
	sched_unlock_irqrestore(flags);
}

/* ---- condition variables ---------------------------------------------------------- */

void cond_init(struct condvar *cv)
{
	wait_queue_init(&cv->waiters);
}

int cond_wait_timeout(struct condvar *cv, struct mutex *m, uint64_t timeout_ns)
{
	unsigned long flags;
	int err;

	no_interrupt_context(m);
	flags = sched_lock_irqsave();
	err = release_locked(m);
	if (err == 0) {
		err = wait_queue_wait_locked(&cv->waiters, timeout_ns);
		/* We held m a moment ago, so this cannot fail: it only waits. */
		acquire_locked(m, WAIT_FOREVER);
	}
	sched_unlock_irqrestore(flags);
	return err;
}

int cond_wait(struct condvar *cv, struct mutex *m)
{
	return cond_wait_timeout(cv, m, WAIT_FOREVER);
}

void cond_signal(struct condvar *cv)
{
	unsigned long flags = sched_lock_irqsave();

	wait_queue_wake_one_locked(&cv->waiters, 0);
	sched_unlock_irqrestore(flags);
}

void cond_broadcast(struct condvar *cv)
{
	unsigned long flags = sched_lock_irqsave();

	wait_queue_wake_all_locked(&cv->waiters, 0);
	sched_unlock_irqrestore(flags);
}

/* ---- events ----------------------------------------------------------------------- */

void event_init(struct event *e, bool auto_reset)
{
	e->set = false;
	e->auto_reset = auto_reset;
	wait_queue_init(&e->waiters);
}

int event_wait_timeout(struct event *e, uint64_t timeout_ns)
{
	unsigned long flags = sched_lock_irqsave();
	int err = 0;

	if (e->set) {
		if (e->auto_reset)
			e->set = false;
	} else {
		err = wait_queue_wait_locked(&e->waiters, timeout_ns);
	}
	sched_unlock_irqrestore(flags);
	return err;
}

int event_wait(struct event *e)
{
	return event_wait_timeout(e, WAIT_FOREVER);
}

void event_signal(struct event *e)
{
	unsigned long flags = sched_lock_irqsave();

	if (e->auto_reset) {
		/* One waiter goes through; with none, the next one to wait will. */
		if (!wait_queue_wake_one_locked(&e->waiters, 0))
			e->set = true;
	} else {
		e->set = true;
		wait_queue_wake_all_locked(&e->waiters, 0);
	}
	sched_unlock_irqrestore(flags);
}

void event_clear(struct event *e)
{
	unsigned long flags = sched_lock_irqsave();

	e->set = false;
	sched_unlock_irqrestore(flags);
}

/*
 * Blocking synchronization between threads: mutexes, counting semaphores, condition
 * variables and events. Every blocking call has a _timeout form (WAIT_FOREVER for
 * none) that returns -E_TIMEDOUT when the time runs out. None may be called from an
 * interrupt handler, except the calls that never block: sem_up, event_signal,
 * event_clear, cond_signal, cond_broadcast.
 *
 * Mutexes know their owner. Misuse is detected and refused with an error and a
 * warning on the console: locking a mutex the caller holds (-E_DEADLK), a lock that
 * would close a cycle of threads waiting on each other (-E_DEADLK), unlocking one the
 * caller does not hold (-E_PERM). A thread blocked on a mutex lends its priority to
 * the owner, and along the chain of owners blocked on further mutexes (priority
 * inheritance), so a low-priority owner cannot be starved by middle-priority threads
 * while a high-priority one waits.
 */
#ifndef SYNC_H
#define SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include "list.h"
#include "thread.h"

struct mutex {
	struct thread *owner;
	struct wait_queue waiters;
	struct list_node held_node; /* on the owner's held_mutexes */
	const char *name;
};

void mutex_init(struct mutex *m, const char *name);
int mutex_lock(struct mutex *m);
int mutex_lock_timeout(struct mutex *m, uint64_t timeout_ns);
/* 0, or -E_BUSY when another thread holds it, -E_DEADLK when the caller does. */
int mutex_trylock(struct mutex *m);
int mutex_unlock(struct mutex *m);
bool mutex_held_by_me(const struct mutex *m);

struct semaphore {
	unsigned int count;
	struct wait_queue waiters;
};

void sem_init(struct semaphore *s, unsigned int count);
int sem_down(struct semaphore *s);
int sem_down_timeout(struct semaphore *s, uint64_t timeout_ns);
/* 0, or -E_BUSY when the count is 0. */
int sem_trydown(struct semaphore *s);
void sem_up(struct semaphore *s);

struct condvar {
	struct wait_queue waiters;
};

void cond_init(struct condvar *cv);
/* Release m (which the caller must hold: -E_PERM otherwise), wait for a signal, take m
 * again. With a timeout, m is held again on return even when it ran out. As with any
 * condition variable, wake-ups can be spurious: check the condition in a loop. */
int cond_wait(struct condvar *cv, struct mutex *m);
int cond_wait_timeout(struct condvar *cv, struct mutex *m, uint64_t timeout_ns);
void cond_signal(struct condvar *cv);
void cond_broadcast(struct condvar *cv);

/* An event is set or clear. A manual-reset event, once set, lets every waiter through
 * until event_clear(); an auto-reset one lets exactly one waiter through per
 * event_signal() (or the next thread to wait, when none waits yet). */
struct event {
	bool set;
	bool auto_reset;
	struct wait_queue waiters;
};

void event_init(struct event *e, bool auto_reset);
int event_wait(struct event *e);
int event_wait_timeout(struct event *e, uint64_t timeout_ns);
void event_signal(struct event *e);
void event_clear(struct event *e);

#endif

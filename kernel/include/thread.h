/*
 * Kernel threads and the scheduler.
 *
 * Priorities run from 1 (lowest) to THREAD_PRIO_MAX; 0 is the idle thread's. The
 * scheduler always runs the highest-priority ready thread, picked in O(1) from a bitmap
 * of non-empty run queues, and round-robins threads of equal priority with a time
 * slice of THREAD_SLICE_NS. A thread woken at a higher priority than the running one
 * preempts it at once (from the interrupt that woke it, or when the waker unlocks).
 *
 * Locking: one scheduler lock (a spinlock, taken with interrupts off) guards the
 * run queues, every wait queue and the state of every blocking primitive (kernel/sync.c).
 * One lock is simple to reason about and cheap at the CPU counts QEMU runs; it is the
 * first thing to split if it ever shows up in a profile.
 *
 * The boot context becomes the thread "main" at sched_init(), on the boot stack.
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "ktime.h"
#include "list.h"

#define THREAD_PRIORITIES    32
#define THREAD_PRIO_IDLE     0
#define THREAD_PRIO_LOW	     8
#define THREAD_PRIO_DEFAULT  16
#define THREAD_PRIO_HIGH     24
#define THREAD_PRIO_MAX	     31
#define THREAD_STACK_DEFAULT (16 * 1024)
#define THREAD_STACK_MAX     (1024 * 1024)
#define THREAD_NAME_LEN	     24
#define THREAD_SLICE_NS	     (10 * NSEC_PER_MSEC)
/* The lowest bytes of every stack: a known pattern that an overflow overwrites first,
 * checked whenever the thread is switched out and on every trap. */
#define THREAD_STACK_GUARD   256

/* thread_create_on(): no binding. */
#define THREAD_ANY_CPU (-1)

/* A timeout for the blocking calls: wait as long as it takes. */
#define WAIT_FOREVER UINT64_MAX

enum thread_state {
	THREAD_READY,	 /* on a run queue (an idle thread: on none, runs when they are empty) */
	THREAD_RUNNING,	 /* on a CPU */
	THREAD_BLOCKED,	 /* on a wait queue */
	THREAD_SLEEPING, /* waiting for its timer only */
	THREAD_DEAD,	 /* exited; freed once joined (or at once if detached) */
};

typedef int (*thread_fn)(void *arg);

struct wait_queue {
	struct list_node waiters; /* threads, highest priority first, FIFO within one */
};

struct mutex;

struct thread {
	uintptr_t sp;		     /* saved by arch_context_switch */
	struct list_node sched_node; /* on a run queue or a wait queue */
	struct list_node all_node;   /* on the list of every thread */
	unsigned int id;
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	int prio;	    /* effective: base_prio raised by priority inheritance */
	int base_prio;	    /* as created or set */
	unsigned int cpu;   /* where it runs or last ran */
	int bound_cpu;	    /* the only CPU it may run on, or THREAD_ANY_CPU */
	uint64_t ready_seq; /* when it last became ready, in enqueue order */
	thread_fn fn;
	void *arg;
	int exit_value;
	bool detached;
	bool joining; /* someone waits in thread_join() */
	struct wait_queue joiners;
	struct wait_queue *waiting_on; /* while THREAD_BLOCKED */
	int wait_result;	       /* what the waker passed, or -E_TIMEDOUT */
	struct timer timeout;	       /* sleeps and timed waits */
	struct mutex *blocked_on;      /* priority inheritance follows this */
	struct list_node held_mutexes;
	/* The stack: [stack_base, stack_base + THREAD_STACK_GUARD) is the guard, the top is
	 * stack_base + stack_size. The boot thread's is the boot stack (not freed). */
	uint8_t *stack_base;
	size_t stack_size;
	unsigned int stack_order; /* of the page block; the boot thread has none */
	bool boot_stack;
	uint64_t run_ticks; /* time on a CPU, in counter ticks */
	uint64_t switches;  /* times it was switched in */
};

/* Turn the boot context into the thread "main" and start the idle thread. Once, from
 * kmain, after time_init(). */
void sched_init(void);

/* Create a thread running fn(arg) at prio (1..THREAD_PRIO_MAX) with a stack of
 * stack_size bytes (0: THREAD_STACK_DEFAULT), ready to run at once, bound to the
 * creator's CPU if the creator is bound (see thread_set_cpu), else free to run on any. Returning
 * from fn is thread_exit(its value). NULL on a bad argument or when memory runs out. */
struct thread *thread_create(const char *name, thread_fn fn, void *arg, int prio,
			     size_t stack_size);

/* The same, bound to run only on CPU cpu (an online CPU index, or THREAD_ANY_CPU):
 * per-CPU work, and tests that must know where a thread runs. */
struct thread *thread_create_on(const char *name, thread_fn fn, void *arg, int prio,
				size_t stack_size, int cpu);

__noreturn void thread_exit(int value);

/* Wait for t to exit and free it; its exit value in *value (may be NULL). 0, or
 * -E_TIMEDOUT, -E_INVAL (t is detached or already joined), -E_DEADLK (t is the caller). */
int thread_join(struct thread *t, int *value, uint64_t timeout_ns);

/* Free t as soon as it exits, without a join. 0 or -E_INVAL (already detached). */
int thread_detach(struct thread *t);

/* Let other ready threads of the same (or higher) priority run. */
void thread_yield(void);

/* Bind t to CPU cpu, or unbind it (THREAD_ANY_CPU). When t is the caller and runs
 * elsewhere, it has moved by the time this returns. 0 or -E_INVAL (not an online CPU). */
int thread_set_cpu(struct thread *t, int cpu);

/* Change t's base priority; 0 or -E_INVAL. */
int thread_set_priority(struct thread *t, int prio);

struct thread *thread_current(void);

/* Stack bytes t has ever used (its high-water mark), from the fill pattern. */
size_t thread_stack_used(const struct thread *t);

/* A snapshot of one thread for listings. */
struct thread_info {
	unsigned int id;
	char name[THREAD_NAME_LEN];
	enum thread_state state;
	int prio, base_prio;
	unsigned int cpu;
	uint64_t run_ns;
	size_t stack_used, stack_size;
};
/* Fill up to max entries; returns how many threads exist (may exceed max). */
size_t thread_list(struct thread_info *out, size_t max);
const char *thread_state_name(enum thread_state s);

struct sched_stats {
	uint64_t context_switches;
	uint64_t preemptions; /* switches forced from an interrupt */
	uint64_t created, freed;
	unsigned int live; /* threads that exist, idle included */
};
void sched_stats(struct sched_stats *out);

/* ---- For blocking primitives (kernel/sync.c) ---- */

unsigned long sched_lock_irqsave(void);
/* Unlock; if a wake-up made a higher-priority thread ready and the caller may be
 * preempted (interrupts back on, not in a handler), switch to it now. */
void sched_unlock_irqrestore(unsigned long flags);

void wait_queue_init(struct wait_queue *wq);
/* With the scheduler lock held: block the calling thread on wq until woken or until
 * timeout_ns passes. Returns the waker's result or -E_TIMEDOUT, with the lock held
 * again. Panics in an interrupt handler, where nothing may block. */
int wait_queue_wait_locked(struct wait_queue *wq, uint64_t timeout_ns);
/* Wake the first (highest-priority) waiter with result; it or NULL. Lock held. */
struct thread *wait_queue_wake_one_locked(struct wait_queue *wq, int result);
/* Wake every waiter; how many. Lock held. */
unsigned int wait_queue_wake_all_locked(struct wait_queue *wq, int result);
/* The first waiter, or NULL. Lock held. */
struct thread *wait_queue_first_locked(const struct wait_queue *wq);
/* Set t's effective priority (inheritance), moving it in whatever queue holds it. */
void thread_set_effective_prio_locked(struct thread *t, int prio);

/* irq_exit() calls this when the outermost handler ends: a switch that an interrupt
 * asked for (a wake-up, the end of a time slice) happens here. */
void sched_irq_exit(void);

/* ---- Several CPUs (kernel/smp.c) ---- */

/* On the boot CPU, before CPU index starts: its idle thread, on stack (size bytes),
 * which the CPU's first context will run on. */
void sched_prepare_cpu(unsigned int index, void *stack, size_t size);
/* On CPU index itself, interrupts off: it runs its idle thread from now on. */
void sched_init_cpu(unsigned int index);
/* Become this CPU's idle loop (after sched_init_cpu). */
__noreturn void sched_idle(void);
/* The reschedule IPI arrived: switch at the end of the interrupt if need be. */
void sched_reschedule_ipi(void);

/* For trap.c: is sp in the running thread's stack guard, is [p, p + len) in its stack? */
bool thread_sp_in_guard(uintptr_t sp);
bool thread_stack_contains(uintptr_t p, size_t len);

#endif

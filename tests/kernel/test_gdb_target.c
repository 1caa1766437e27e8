/*
 * A fixed scene for the GDB test (tests/system/test_gdb.py), and a test of its own:
 * a thread "gdb-blocked" waits on a semaphore, the test's thread waits in thread_join,
 * and a thread "gdb-probe" calls gdb_probe_hit(), where the GDB test stops the kernel
 * and compares kthreads and kbt with what the kernel itself says.
 *
 * Before that call the probe waits (bounded) until both other threads are blocked, so
 * nothing changes while it looks, and prints the kernel's own thread list as KTAP
 * diagnostics ("# gdb-target: thread ..."): the view the GDB test checks kthreads
 * against. Without a debugger the test checks that the list showed the scene as built
 * and that the semaphore released the blocked thread.
 */
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "ktest.h"
#include "ktime.h"
#include "sync.h"
#include "thread.h"

#define GIVE_UP_NS     (10 * NSEC_PER_SEC) /* the kernel may sit at a breakpoint a while */
#define MAX_LISTED     64
#define SAW_PROBE      1 /* the probe itself, running */
#define SAW_BLOCKED    2 /* gdb-blocked, blocked */
#define SAW_CREATOR    4 /* the test's thread, blocked in thread_join */
#define SAW_EVERYTHING (SAW_PROBE | SAW_BLOCKED | SAW_CREATOR)

struct gdb_target {
	struct semaphore release;
	struct thread *creator, *blocked;
	int blocked_result;
};

/* A file static on purpose: the GDB test names it (`kbt gdb_target.blocked->id`). */
static struct gdb_target gdb_target;

/* GCC's noipa (no inlining, cloning or signature change) keeps the breakpoint's
 * function and its caller as written; clang does not clone, noinline suffices. */
#if __has_attribute(noipa)
#define PROBE_FUNCTION __attribute__((noipa))
#else
#define PROBE_FUNCTION __attribute__((noinline))
#endif

PROBE_FUNCTION static int gdb_probe_hit(struct gdb_target *g, int seen)
{
	__asm__ volatile("" : : "r"(g) : "memory"); /* a body the compiler cannot drop */
	return seen;
}

/* Which threads of the scene thread_list() shows in their expected states; the list
 * itself goes to the console when the scene is complete or the wait gives up. */
static int look_at_the_scene(const struct gdb_target *g)
{
	static struct thread_info info[MAX_LISTED];
	const struct thread *self = thread_current();
	uint64_t give_up = time_now_ns() + GIVE_UP_NS;
	size_t n;
	int seen;

	for (;;) {
		seen = 0;
		n = thread_list(info, MAX_LISTED);
		for (size_t i = 0; i < n && i < MAX_LISTED; i++) {
			if (info[i].id == self->id && info[i].state == THREAD_RUNNING)
				seen |= SAW_PROBE;
			if (info[i].id == g->blocked->id && info[i].state == THREAD_BLOCKED)
				seen |= SAW_BLOCKED;
			if (info[i].id == g->creator->id && info[i].state == THREAD_BLOCKED)
				seen |= SAW_CREATOR;
		}
		if (seen == SAW_EVERYTHING || time_now_ns() > give_up)
			break;
		sleep_ns(NSEC_PER_MSEC);
	}
	for (size_t i = 0; i < n && i < MAX_LISTED; i++)
		console_printf("    # gdb-target: thread %u %s %s prio %d cpu %u\n", info[i].id,
			       info[i].name, thread_state_name(info[i].state), info[i].prio,
			       info[i].cpu);
	return seen;
}

static int probe_thread(void *arg)
{
	struct gdb_target *g = arg;
	int seen = gdb_probe_hit(g, look_at_the_scene(g));

	sem_up(&g->release);
	return seen;
}

static int blocked_thread(void *arg)
{
	struct gdb_target *g = arg;

	/* Stored, not returned: a tail call would take this frame out of backtraces. */
	g->blocked_result = sem_down(&g->release);
	return 0;
}

static void probe_sees_the_scene(struct ktest *t)
{
	struct gdb_target *g = &gdb_target;
	struct thread *probe;
	int seen = 0;

	memset(g, 0, sizeof(*g));
	sem_init(&g->release, 0);
	g->blocked_result = -1;
	g->creator = thread_current();
	/* Below the test's priority: both start once it waits in thread_join. */
	g->blocked = thread_create("gdb-blocked", blocked_thread, g, THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, g->blocked != NULL);
	probe = thread_create("gdb-probe", probe_thread, g, THREAD_PRIO_LOW, 0);
	KTEST_ASSERT_TRUE(t, probe != NULL);
	KTEST_EXPECT_EQ(t, thread_join(probe, &seen, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, seen, SAW_EVERYTHING);
	KTEST_EXPECT_EQ(t, thread_join(g->blocked, NULL, GIVE_UP_NS), 0);
	KTEST_EXPECT_EQ(t, g->blocked_result, 0);
}

KTEST_SUITE(gdb_target, KTEST_CASE(probe_sees_the_scene));

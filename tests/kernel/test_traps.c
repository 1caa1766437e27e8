/*
 * Traps: each deliberate exception is caught, decoded into the right portable kind and
 * resumed by the test framework (trap_expect), and the crash-report machinery
 * (kallsyms, frame-pointer unwinding, the stack guard) gives the right answers.
 */
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "kallsyms.h"
#include "ktest.h"
#include "trap.h"

static bool raise_unsupported;

static void raise_it(void *arg)
{
	raise_unsupported = !arch_raise((enum trap_kind)(uintptr_t)arg);
}

/* Raise kind; expect a trap of that kind whose pc is inside arch_raise(). */
static void expect_raised(struct ktest *t, enum trap_kind kind)
{
	struct trap_info seen;
	const char *name = NULL;
	uintptr_t offset, size;
	bool trapped;

	raise_unsupported = false;
	trapped = trap_expect(raise_it, (void *)(uintptr_t)kind, &seen);
	if (!trapped && raise_unsupported)
		KTEST_SKIP(t, "this arch does not trap on it");
	KTEST_ASSERT_TRUE(t, trapped);
	KTEST_EXPECT_STREQ(t, trap_kind_name(seen.kind), trap_kind_name(kind));
	KTEST_EXPECT_TRUE(t, seen.what && seen.what[0]);
	KTEST_EXPECT_TRUE(t, kallsyms_lookup(seen.pc, &name, &offset, &size));
	KTEST_EXPECT_STREQ(t, name, "arch_raise");
}

static void illegal_instruction(struct ktest *t)
{
	expect_raised(t, TRAP_ILLEGAL_INSTRUCTION);
}

static void breakpoint(struct ktest *t)
{
	expect_raised(t, TRAP_BREAKPOINT);
}

static void misaligned_access(struct ktest *t)
{
	expect_raised(t, TRAP_MISALIGNED_ACCESS);
}

static void bad_access(struct ktest *t)
{
	expect_raised(t, TRAP_BAD_ACCESS);
}

static void divide_error(struct ktest *t)
{
	expect_raised(t, TRAP_DIVIDE_ERROR);
}

static void no_trap(void *arg)
{
	*(int *)arg = 42;
}

static void returns_without_trap(struct ktest *t)
{
	struct trap_info seen;
	int value = 0;

	KTEST_EXPECT_FALSE(t, trap_expect(no_trap, &value, &seen));
	KTEST_EXPECT_EQ(t, value, 42);
}

/* The interrupt state, as the opaque value arch_irq_save() returns. */
static unsigned long irq_state(void)
{
	unsigned long flags = arch_irq_save();

	arch_irq_restore(flags);
	return flags;
}

static void traps_back_to_back(struct ktest *t)
{
	unsigned long before = irq_state();

	/* State is restored after each resume: many traps in a row all come back... */
	for (int i = 0; i < 50; i++) {
		struct trap_info seen;

		KTEST_ASSERT_TRUE(t,
				  trap_expect(raise_it, (void *)(uintptr_t)TRAP_BREAKPOINT, &seen));
	}
	/* ... with interrupts as they were. */
	KTEST_EXPECT_EQ(t, irq_state(), before);
}

/* Recurse until the stack pointer is in the guard region below the boot stack, then
 * trap there: the report must name the overflow. */
static volatile unsigned int depth_reached;

static __attribute__((noinline)) void overflow(unsigned int depth)
{
	volatile char pad[192];

	pad[0] = (char)depth;
	depth_reached = depth;
	if (stack_pointer_in_guard((uintptr_t)__builtin_frame_address(0)))
		arch_raise(TRAP_BREAKPOINT);
	else
		overflow(depth + 1);
	pad[1] = pad[0]; /* keeps the recursion from becoming a loop */
}

static void run_overflow(void *arg)
{
	(void)arg;
	overflow(0);
}

static void stack_overflow_is_reported(struct ktest *t)
{
	struct trap_info seen;

	KTEST_ASSERT_TRUE(t, trap_expect(run_overflow, NULL, &seen));
	KTEST_EXPECT_STREQ(t, trap_kind_name(seen.kind), trap_kind_name(TRAP_STACK_OVERFLOW));
	KTEST_EXPECT_GT(t, depth_reached, 10u);
}

static void symbolizes_addresses(struct ktest *t)
{
	uintptr_t addr = kallsyms_address("trap_expect");
	char buf[96];
	const char *name;
	uintptr_t offset, size;

	KTEST_ASSERT_NE(t, addr, 0ul);
	KTEST_EXPECT_EQ(t, addr, (uintptr_t)trap_expect);
	KTEST_ASSERT_TRUE(t, kallsyms_lookup(addr + 4, &name, &offset, &size));
	KTEST_EXPECT_STREQ(t, name, "trap_expect");
	KTEST_EXPECT_EQ(t, offset, 4ul);
	KTEST_EXPECT_GT(t, size, 4ul);
	kallsyms_format(addr + 4, buf, sizeof(buf));
	KTEST_EXPECT_EQ(t, strncmp(buf, "trap_expect+0x4/0x", 18), 0);
	KTEST_EXPECT_FALSE(t, kallsyms_lookup(1, &name, &offset, &size));
	KTEST_EXPECT_EQ(t, kallsyms_address("no_such_function"), 0ul);
}

/* Three frames deep, unwinding from the innermost must name the two callers. */
static uintptr_t unwound[4];

static __attribute__((noinline)) void inner(void)
{
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0), pc = 0;

	for (int i = 0; i < 4 && arch_unwind_frame(&fp, &pc, NULL); i++)
		unwound[i] = pc;
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void middle(void)
{
	inner();
	__asm__ volatile("" ::: "memory");
}

static __attribute__((noinline)) void outer(void)
{
	middle();
	__asm__ volatile("" ::: "memory");
}

static void unwinds_frames(struct ktest *t)
{
	const char *name;
	uintptr_t offset, size;

	memset(unwound, 0, sizeof(unwound));
	outer();
	KTEST_ASSERT_TRUE(t, kallsyms_lookup(unwound[0] - 1, &name, &offset, &size));
	KTEST_EXPECT_STREQ(t, name, "middle");
	KTEST_ASSERT_TRUE(t, kallsyms_lookup(unwound[1] - 1, &name, &offset, &size));
	KTEST_EXPECT_STREQ(t, name, "outer");
	KTEST_ASSERT_TRUE(t, kallsyms_lookup(unwound[2] - 1, &name, &offset, &size));
	KTEST_EXPECT_STREQ(t, name, "unwinds_frames");
}

KTEST_SUITE(traps, KTEST_CASE(illegal_instruction), KTEST_CASE(breakpoint),
	    KTEST_CASE(misaligned_access), KTEST_CASE(bad_access), KTEST_CASE(divide_error),
	    KTEST_CASE(returns_without_trap), KTEST_CASE(traps_back_to_back),
	    KTEST_CASE(stack_overflow_is_reported), KTEST_CASE(symbolizes_addresses),
	    KTEST_CASE(unwinds_frames));

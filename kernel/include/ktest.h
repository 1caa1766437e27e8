/*
 * ktest: in-kernel test suites that print KTAP version 1 (the format KUnit uses), so any
 * KTAP parser can read the console.
 *
 *	static void adds(struct ktest *t) { KTEST_EXPECT_EQ(t, 1 + 1, 2); }
 *	KTEST_SUITE(math, KTEST_CASE(adds));
 *
 * EXPECT records a failure and goes on; ASSERT records it and leaves the test case.
 * Failures print "# file:line: ..." diagnostics with the values involved.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "compiler.h"

struct ktest {
	const char *name;
	int failures;
	const char *skip_reason; /* set by KTEST_SKIP */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	size_t count;
	bool one_cpu; /* run on CPU 0 only (with the threads it creates) */
};

/* clang-format reads the # of #fn as a directive: keep this line as it is. */
/* clang-format off */
#define KTEST_CASE(fn) { #fn, fn }
/* clang-format on */

/* Register a suite; the linker gathers them in the .ktest_suites section. */
#define KTEST_SUITE_(sname, one, ...)                                                     \
	static const struct ktest_case sname##_cases[] = {__VA_ARGS__};                   \
	static const struct ktest_suite sname##_suite = {#sname, sname##_cases,           \
							 ARRAY_SIZE(sname##_cases), one}; \
	static const struct ktest_suite *const sname##_suite_ptr                          \
		__attribute__((section(".ktest_suites"), used)) = &sname##_suite
#define KTEST_SUITE(sname, ...)		KTEST_SUITE_(sname, false, __VA_ARGS__)
/* A suite about what happens on one CPU (preemption, priority order): the runner
 * binds itself to CPU 0 for it, and the threads it creates inherit that. */
#define KTEST_SUITE_ONE_CPU(sname, ...) KTEST_SUITE_(sname, true, __VA_ARGS__)

__printf(4, 5) void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...);

/* Have count threads (at most 64) alive at once, then gone. A test that counts free
 * pages calls this with more threads than it will run at once, first: stack slots and
 * the page tables behind them (which riscv64 keeps once made) are then already there,
 * and the count shows only what the test's own threads take. */
void ktest_warm_up_threads(struct ktest *t, int count);

/* A deterministic pseudo-random sequence (xorshift64) for randomized tests: the same
 * on every run and arch, so a failure can be replayed. */
uint64_t ktest_random(void);

#define KTEST_EXPECT_TRUE(t, cond) \
	((cond) ? true             \
		: (ktest_fail(t, __FILE__, __LINE__, "expected %s to be true", #cond), false))

#define KTEST_EXPECT_FALSE(t, cond) \
	(!(cond) ? true             \
		 : (ktest_fail(t, __FILE__, __LINE__, "expected %s to be false", #cond), false))

#define KTEST_EXPECT_OP_(t, a, op, b)                                                             \
	({                                                                                        \
		__auto_type ka_ = (a);                                                            \
		__auto_type kb_ = (b);                                                            \
		bool ok_ = ka_ op kb_;                                                            \
		if (!ok_)                                                                         \
			ktest_fail(t, __FILE__, __LINE__,                                         \
				   "expected %s %s %s, but %s = %lld (%#llx), %s = %lld (%#llx)", \
				   #a, #op, #b, #a, (long long)ka_, (unsigned long long)ka_, #b,  \
				   (long long)kb_, (unsigned long long)kb_);                      \
		ok_;                                                                              \
	})

#define KTEST_EXPECT_EQ(t, a, b) KTEST_EXPECT_OP_(t, a, ==, b)
#define KTEST_EXPECT_NE(t, a, b) KTEST_EXPECT_OP_(t, a, !=, b)
#define KTEST_EXPECT_LT(t, a, b) KTEST_EXPECT_OP_(t, a, <, b)
#define KTEST_EXPECT_LE(t, a, b) KTEST_EXPECT_OP_(t, a, <=, b)
#define KTEST_EXPECT_GT(t, a, b) KTEST_EXPECT_OP_(t, a, >, b)
#define KTEST_EXPECT_GE(t, a, b) KTEST_EXPECT_OP_(t, a, >=, b)

#define KTEST_EXPECT_STREQ(t, a, b)                                                   \
	({                                                                            \
		const char *sa_ = (a), *sb_ = (b);                                    \
		bool ok_ = sa_ && sb_ && strcmp(sa_, sb_) == 0;                       \
		if (!ok_)                                                             \
			ktest_fail(t, __FILE__, __LINE__,                             \
				   "expected %s == %s, but \"%s\" != \"%s\"", #a, #b, \
				   sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");       \
		ok_;                                                                  \
	})

#define KTEST_EXPECT_MEMEQ(t, a, b, n)                                                             \
	({                                                                                         \
		bool ok_ = memcmp((a), (b), (n)) == 0;                                             \
		if (!ok_)                                                                          \
			ktest_fail(t, __FILE__, __LINE__,                                          \
				   "expected %zu bytes of %s and %s to be equal", (size_t)(n), #a, \
				   #b);                                                            \
		ok_;                                                                               \
	})

/* ASSERT variants leave the test case on failure. */
#define KTEST_ASSERT_TRUE(t, cond)               \
	do {                                     \
		if (!KTEST_EXPECT_TRUE(t, cond)) \
			return;                  \
	} while (0)
#define KTEST_ASSERT_EQ(t, a, b)               \
	do {                                   \
		if (!KTEST_EXPECT_EQ(t, a, b)) \
			return;                \
	} while (0)
#define KTEST_ASSERT_NE(t, a, b)               \
	do {                                   \
		if (!KTEST_EXPECT_NE(t, a, b)) \
			return;                \
	} while (0)
#define KTEST_ASSERT_GE(t, a, b)               \
	do {                                   \
		if (!KTEST_EXPECT_GE(t, a, b)) \
			return;                \
	} while (0)

/* Mark the current test case skipped (reported "# SKIP reason") and leave it. */
#define KTEST_SKIP(t, reason)                \
	do {                                 \
		(t)->skip_reason = (reason); \
		return;                      \
	} while (0)

#endif

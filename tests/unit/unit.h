/*
 * Harness of the host-side unit tests (tests/unit/): the shape of the kernel's ktest.h,
 * printing KTAP version 1 on stdout, for programs built and run on the build machine
 * (natively with ASan and UBSan, and for other ABIs under QEMU user-mode emulation) by
 * tests/host/test_unit.py.
 *
 *	static void adds(struct unit *t) { UNIT_EXPECT_EQ(t, 1 + 1, 2); }
 *	UNIT_SUITE(math, UNIT_CASE(adds));
 *
 * and math listed in unit.c. EXPECT records a failure and goes on; ASSERT also leaves
 * the case. Failures print "# case: file:line: ..." with the values involved (the first
 * UNIT_MAX_REPORTS of a case; table-driven cases can fail thousands of times).
 *
 * Host headers only: kernel code under test comes in through its own headers
 * (kernel/include), the kernel's minimal libc through klibc.h, never its headers.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define UNIT_MAX_REPORTS 20

struct unit {
	const char *name;
	unsigned long failures;
	const char *skip_reason; /* UNIT_SKIP */
	const char *todo_reason; /* UNIT_TODO_IF: failures are known, not counted */
};

struct unit_case {
	const char *name;
	void (*run)(struct unit *t);
};

struct unit_suite {
	const char *name;
	const struct unit_case *cases;
	size_t count;
};

/* clang-format reads the # of #fn as a directive: keep this line as it is. */
/* clang-format off */
#define UNIT_CASE(fn) { #fn, fn }
/* clang-format on */

/* Define suite `sname_suite`; unit.c lists every suite by that name. */
#define UNIT_SUITE(sname, ...)                                          \
	static const struct unit_case sname##_cases[] = {__VA_ARGS__};  \
	extern const struct unit_suite sname##_suite;                   \
	const struct unit_suite sname##_suite = {#sname, sname##_cases, \
						 sizeof(sname##_cases) / sizeof(sname##_cases[0])}

__attribute__((format(printf, 4, 5))) void unit_fail(struct unit *t, const char *file, int line,
						     const char *fmt, ...);

/* A "# " diagnostic line in the current case (timings, counts, what was covered). */
__attribute__((format(printf, 1, 2))) void unit_note(const char *fmt, ...);

/* Directory of the data files the test script prepared (dtc output): -d DIR. */
const char *unit_data_dir(void);

/* The whole file DIR/name in a heap block of exactly its size (ASan sees any read past
 * it); NULL (after a failure) when it cannot be read. */
void *unit_read_file(struct unit *t, const char *name, size_t *size);

/* A heap copy of exactly n bytes (n may be 0): out-of-bounds reads are reported. */
void *unit_memdup(const void *p, size_t n);

/* Deterministic pseudo-random numbers (xorshift64*), so every run checks the same
 * inputs on every ABI. */
uint64_t unit_rand(uint64_t *state);
/* Uniform in [0, n), n > 0. */
uint64_t unit_below(uint64_t *state, uint64_t n);

/* Run fn(arg); true if it called the kernel's panic() (host_shim.c), whose message is
 * then in msg. A panic outside this aborts the program. */
bool unit_expect_panic(void (*fn)(void *arg), void *arg, char *msg, size_t size);

/* Condition with a printf-style message, for table-driven checks. */
#define UNIT_CHECK(t, cond, ...) \
	((cond) ? true : (unit_fail(t, __FILE__, __LINE__, __VA_ARGS__), false))

#define UNIT_EXPECT_TRUE(t, cond)  UNIT_CHECK(t, cond, "expected %s to be true", #cond)
#define UNIT_EXPECT_FALSE(t, cond) UNIT_CHECK(t, !(cond), "expected %s to be false", #cond)

/* Integer comparisons; the operands keep their own types (no sign mixing: -Wextra). */
#define UNIT_EXPECT_OP_(t, a, op, b)                                                             \
	({                                                                                       \
		__auto_type ua_ = (a);                                                           \
		__auto_type ub_ = (b);                                                           \
		bool ok_ = ua_ op ub_;                                                           \
		if (!ok_)                                                                        \
			unit_fail(t, __FILE__, __LINE__,                                         \
				  "expected %s %s %s, but %s = %lld (%#llx), %s = %lld (%#llx)", \
				  #a, #op, #b, #a, (long long)ua_, (unsigned long long)ua_, #b,  \
				  (long long)ub_, (unsigned long long)ub_);                      \
		ok_;                                                                             \
	})

#define UNIT_EXPECT_EQ(t, a, b) UNIT_EXPECT_OP_(t, a, ==, b)
#define UNIT_EXPECT_NE(t, a, b) UNIT_EXPECT_OP_(t, a, !=, b)
#define UNIT_EXPECT_LT(t, a, b) UNIT_EXPECT_OP_(t, a, <, b)
#define UNIT_EXPECT_LE(t, a, b) UNIT_EXPECT_OP_(t, a, <=, b)
#define UNIT_EXPECT_GT(t, a, b) UNIT_EXPECT_OP_(t, a, >, b)
#define UNIT_EXPECT_GE(t, a, b) UNIT_EXPECT_OP_(t, a, >=, b)

#define UNIT_EXPECT_PTR_EQ(t, a, b)                                                             \
	({                                                                                      \
		const void *pa_ = (a), *pb_ = (b);                                              \
		UNIT_CHECK(t, pa_ == pb_, "expected %s == %s, but %p != %p", #a, #b, pa_, pb_); \
	})

#define UNIT_EXPECT_STREQ(t, a, b)                                            \
	({                                                                    \
		const char *sa_ = (a), *sb_ = (b);                            \
		UNIT_CHECK(t, sa_ &&sb_ &&strcmp(sa_, sb_) == 0,              \
			   "expected %s == %s, but \"%s\" != \"%s\"", #a, #b, \
			   sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");       \
	})

#define UNIT_EXPECT_MEMEQ(t, a, b, n)                                                            \
	UNIT_CHECK(t, memcmp((a), (b), (n)) == 0, "expected %zu bytes of %s and %s to be equal", \
		   (size_t)(n), #a, #b)

#define UNIT_ASSERT_TRUE(t, cond)               \
	do {                                    \
		if (!UNIT_EXPECT_TRUE(t, cond)) \
			return;                 \
	} while (0)
#define UNIT_ASSERT_EQ(t, a, b)               \
	do {                                  \
		if (!UNIT_EXPECT_EQ(t, a, b)) \
			return;               \
	} while (0)
#define UNIT_ASSERT_GE(t, a, b)               \
	do {                                  \
		if (!UNIT_EXPECT_GE(t, a, b)) \
			return;               \
	} while (0)

/* Leave the case, reported "ok ... # SKIP reason". */
#define UNIT_SKIP(t, reason)                 \
	do {                                 \
		(t)->skip_reason = (reason); \
		return;                      \
	} while (0)

/* A known limitation on some ABIs: when cond holds, the case still runs and prints its
 * failures, but reports "# TODO reason" and does not count as failed. */
#define UNIT_TODO_IF(t, cond, reason)                \
	do {                                         \
		if (cond)                            \
			(t)->todo_reason = (reason); \
	} while (0)

#endif

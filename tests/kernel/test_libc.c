/*
 * The C library the kernel is linked with (picolibc or the minimal in-tree one): the
 * string, formatting and number-parsing functions kernel code relies on. The same
 * expectations hold for both, so a libc switch cannot silently change behaviour.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktest.h"

/* Keep the compiler from evaluating library calls at build time: the point is to run
 * the library's code. */
static const char *volatile opaque_str;

static const char *RUNTIME(const char *s)
{
	opaque_str = s;
	return opaque_str;
}

static void memory_functions(struct ktest *t)
{
	char buf[32];

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "hello", 5);
	KTEST_EXPECT_MEMEQ(t, buf, "helloxxx", 8);

	/* memmove in both directions over an overlap */
	memcpy(buf, "0123456789", 11);
	memmove(buf + 2, buf, 5);
	KTEST_EXPECT_STREQ(t, buf, "0101234789");
	memcpy(buf, "0123456789", 11);
	memmove(buf, buf + 3, 5);
	KTEST_EXPECT_STREQ(t, buf, "3456756789");

	KTEST_EXPECT_EQ(t, memcmp("abc", "abd", 3) < 0, 1);
	KTEST_EXPECT_EQ(t, memcmp("abd", "abc", 3) > 0, 1);
	KTEST_EXPECT_EQ(t, memcmp("ab\xff", "ab\x01", 3) > 0, 1); /* unsigned bytes */
	KTEST_EXPECT_EQ(t, memcmp("abc", "abd", 2), 0);
	const char *letters = RUNTIME("abcdef");

	KTEST_EXPECT_TRUE(t, memchr(letters, 'd', 6) == letters + 3);
	KTEST_EXPECT_TRUE(t, memchr(letters, 'd', 3) == NULL);
}

static void string_functions(struct ktest *t)
{
	const char *s = RUNTIME("a/b/c");
	char buf[8];

	KTEST_EXPECT_EQ(t, strlen(RUNTIME("")), 0u);
	KTEST_EXPECT_EQ(t, strlen(RUNTIME("kernel")), 6u);
	KTEST_EXPECT_EQ(t, strnlen(RUNTIME("kernel"), 3), 3u);
	KTEST_EXPECT_EQ(t, strcmp(RUNTIME("abc"), "abc"), 0);
	KTEST_EXPECT_LT(t, strcmp(RUNTIME("abc"), "abd"), 0);
	KTEST_EXPECT_GT(t, strcmp(RUNTIME("abc"), "ab"), 0);
	KTEST_EXPECT_EQ(t, strncmp(RUNTIME("abcX"), "abcY", 3), 0);
	KTEST_EXPECT_TRUE(t, strchr(s, '/') == s + 1);
	KTEST_EXPECT_TRUE(t, strrchr(s, '/') == s + 3);
	KTEST_EXPECT_TRUE(t, strchr(s, '\0') == s + 5);
	KTEST_EXPECT_TRUE(t, strchr(s, 'z') == NULL);
	KTEST_EXPECT_EQ(t, strcspn(RUNTIME("key=value"), "="), 3u);
	KTEST_EXPECT_EQ(t, strspn(RUNTIME("   x"), " "), 3u);
	KTEST_EXPECT_STREQ(t, strstr(RUNTIME("find the needle"), "needle"), "needle");
	KTEST_EXPECT_TRUE(t, strstr(RUNTIME("haystack"), "needle") == NULL);
	strncpy(buf, RUNTIME("ab"), sizeof(buf));
	KTEST_EXPECT_MEMEQ(t, buf, "ab\0\0\0\0\0\0", 8); /* pads with NULs */
}

/* snprintf into a buffer and compare; also checks the returned length. */
#define EXPECT_FORMAT(t, expected, ...)                             \
	do {                                                        \
		char buf_[64];                                      \
		int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__); \
		KTEST_EXPECT_STREQ(t, buf_, expected);              \
		KTEST_EXPECT_EQ(t, n_, (int)strlen(expected));      \
	} while (0)

static void format_integers(struct ktest *t)
{
	EXPECT_FORMAT(t, "42 -42 0", "%d %i %d", 42, -42, 0);
	EXPECT_FORMAT(t, "4294967295", "%u", UINT32_MAX);
	EXPECT_FORMAT(t, "-9223372036854775808", "%ld", LONG_MIN);
	EXPECT_FORMAT(t, "18446744073709551615", "%llu", ULLONG_MAX);
	EXPECT_FORMAT(t, "ff FF 0xff 0XFF", "%x %X %#x %#X", 255, 255, 255, 255);
	EXPECT_FORMAT(t, "17 021 0", "%o %#o %#o", 15, 17, 0);
	EXPECT_FORMAT(t, "0", "%#x", 0);
	EXPECT_FORMAT(t, "123 4096 -1", "%zu %jd %td", (size_t)123, (intmax_t)4096, (ptrdiff_t)-1);
	EXPECT_FORMAT(t, "-1 255", "%hhd %hhu", (signed char)-1, (unsigned char)255);
	EXPECT_FORMAT(t, "deadbeefcafe", "%lx", 0xdeadbeefcafeul);
}

static void format_width_and_flags(struct ktest *t)
{
	EXPECT_FORMAT(t, "[   42]", "[%5d]", 42);
	EXPECT_FORMAT(t, "[42   ]", "[%-5d]", 42);
	EXPECT_FORMAT(t, "[00042]", "[%05d]", 42);
	EXPECT_FORMAT(t, "[-0042]", "[%05d]", -42);
	EXPECT_FORMAT(t, "[  042]", "[%5.3d]", 42);
	EXPECT_FORMAT(t, "[+42] [ 42]", "[%+d] [% d]", 42, 42);
	EXPECT_FORMAT(t, "[    7]", "[%*d]", 5, 7);
	EXPECT_FORMAT(t, "[7    ]", "[%*d]", -5, 7);
	EXPECT_FORMAT(t, "[0x0000ff]", "[%#08x]", 255);
	EXPECT_FORMAT(t, "[]", "[%.0d]", 0);
}

static void format_strings_and_chars(struct ktest *t)
{
	EXPECT_FORMAT(t, "hello world", "%s %s", "hello", "world");
	EXPECT_FORMAT(t, "[  abc] [abc  ]", "[%5s] [%-5s]", "abc", "abc");
	EXPECT_FORMAT(t, "ab", "%.2s", "abcdef");
	EXPECT_FORMAT(t, "abc", "%.*s", 3, "abcdef");
	EXPECT_FORMAT(t, "x=Z 100%", "x=%c 100%%", 'Z');
}

static void format_truncates_safely(struct ktest *t)
{
	char buf[8];
	int n;

	memset(buf, '#', sizeof(buf));
	n = snprintf(buf, sizeof(buf), "%s", "0123456789");
	KTEST_EXPECT_EQ(t, n, 10);	       /* the length it would have had */
	KTEST_EXPECT_STREQ(t, buf, "0123456"); /* always terminated */

	memset(buf, '#', sizeof(buf));
	n = snprintf(buf, 0, "%d", 12345);
	KTEST_EXPECT_EQ(t, n, 5);
	KTEST_EXPECT_EQ(t, buf[0], '#'); /* size 0 writes nothing */
	n = snprintf(buf, 1, "abc");
	KTEST_EXPECT_EQ(t, n, 3);
	KTEST_EXPECT_EQ(t, buf[0], '\0');
}

static void parses_numbers(struct ktest *t)
{
	char *end;

	KTEST_EXPECT_EQ(t, strtol(RUNTIME("  -123xyz"), &end, 10), -123);
	KTEST_EXPECT_STREQ(t, end, "xyz");
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("0x1F"), &end, 0), 31);
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("017"), &end, 0), 15);
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("ff"), &end, 16), 255);
	KTEST_EXPECT_EQ(t, strtoul(RUNTIME("+42"), &end, 10), 42ul);
	KTEST_EXPECT_EQ(t, strtoull(RUNTIME("18446744073709551615"), &end, 10), ULLONG_MAX);

	/* No digits: value 0 and end at the start. */
	const char *letters = RUNTIME("xyz");

	KTEST_EXPECT_EQ(t, strtol(letters, &end, 10), 0);
	KTEST_EXPECT_TRUE(t, end == letters);
}

static void reports_overflow(struct ktest *t)
{
	char *end;

	errno = 0;
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("9223372036854775807"), &end, 10), LONG_MAX);
	KTEST_EXPECT_EQ(t, errno, 0);
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("9223372036854775808"), &end, 10), LONG_MAX);
	KTEST_EXPECT_EQ(t, errno, ERANGE);
	KTEST_EXPECT_STREQ(t, end, "");
	errno = 0;
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("-9223372036854775808"), &end, 10), LONG_MIN);
	KTEST_EXPECT_EQ(t, errno, 0);
	KTEST_EXPECT_EQ(t, strtol(RUNTIME("-9223372036854775809"), &end, 10), LONG_MIN);
	KTEST_EXPECT_EQ(t, errno, ERANGE);
	errno = 0;
	KTEST_EXPECT_EQ(t, strtoull(RUNTIME("18446744073709551616"), &end, 10), ULLONG_MAX);
	KTEST_EXPECT_EQ(t, errno, ERANGE);
}

KTEST_SUITE(libc, KTEST_CASE(memory_functions), KTEST_CASE(string_functions),
	    KTEST_CASE(format_integers), KTEST_CASE(format_width_and_flags),
	    KTEST_CASE(format_strings_and_chars), KTEST_CASE(format_truncates_safely),
	    KTEST_CASE(parses_numbers), KTEST_CASE(reports_overflow));

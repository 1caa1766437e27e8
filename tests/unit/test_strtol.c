/*
 * The kernel's strtol, strtoul, strtoll and strtoull (kernel/libc/strtol.c, as k_*)
 * against glibc's (C11 7.22.1.4) on the same inputs: hand-picked edge cases, the limits
 * of every type written in every base with and without sign, and random strings. Each
 * comparison covers the value, errno (ERANGE on overflow, untouched otherwise) and where
 * *endptr points. Inputs sit in heap blocks of exactly their size (ASan sees a read past
 * the terminator).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klibc.h"
#include "unit.h"

#define ERRNO_SENTINEL 777 /* errno before each call: success must leave it */

enum func { F_STRTOL, F_STRTOUL, F_STRTOLL, F_STRTOULL };
static const char *const func_names[] = {"strtol", "strtoul", "strtoll", "strtoull"};

struct parsed {
	unsigned long long bits; /* the value, as bits */
	int err;
	ptrdiff_t end;
};

static struct parsed host_parse(enum func f, const char *s, int base)
{
	struct parsed r;
	char *end = NULL;

	errno = ERRNO_SENTINEL;
	switch (f) {
	case F_STRTOL:
		r.bits = (unsigned long long)strtol(s, &end, base);
		break;
	case F_STRTOUL:
		r.bits = strtoul(s, &end, base);
		break;
	case F_STRTOLL:
		r.bits = (unsigned long long)strtoll(s, &end, base);
		break;
	default:
		r.bits = strtoull(s, &end, base);
		break;
	}
	r.err = errno;
	r.end = end ? end - s : -1;
	return r;
}

static struct parsed kernel_parse(enum func f, const char *s, int base)
{
	struct parsed r;
	char *end = NULL;

	k_errno = ERRNO_SENTINEL;
	switch (f) {
	case F_STRTOL:
		r.bits = (unsigned long long)k_strtol(s, &end, base);
		break;
	case F_STRTOUL:
		r.bits = k_strtoul(s, &end, base);
		break;
	case F_STRTOLL:
		r.bits = (unsigned long long)k_strtoll(s, &end, base);
		break;
	default:
		r.bits = k_strtoull(s, &end, base);
		break;
	}
	r.err = k_errno;
	r.end = end ? end - s : -1;
	return r;
}

static unsigned long comparisons;

/* Compare the functions in [first, last] on input s (copied to an exact heap block). */
static bool compare(struct unit *t, const char *input, int base, enum func first, enum func last)
{
	char *s = unit_memdup(input, strlen(input) + 1);
	bool ok = true;

	for (enum func f = first; f <= last && ok; f++) {
		struct parsed h = host_parse(f, s, base), k = kernel_parse(f, s, base);

		comparisons++;
		ok = UNIT_CHECK(t, h.bits == k.bits && h.err == k.err && h.end == k.end,
				"%s(\"%s\", %d): kernel %#llx errno %d end %td, glibc %#llx "
				"errno %d end %td",
				func_names[f], input, base, k.bits, k.err, k.end, h.bits, h.err,
				h.end);
		/* The same value without an end pointer. */
		k_errno = ERRNO_SENTINEL;
		if (ok && f == F_STRTOULL)
			ok = UNIT_CHECK(t, k_strtoull(s, NULL, base) == k.bits,
					"strtoull(\"%s\", NULL, %d)", input, base);
	}
	free(s);
	return ok;
}

static const char *const edge_inputs[] = {
	"",
	" ",
	"+",
	"-",
	"0",
	"-0",
	"+0",
	"00",
	"0x",
	"0X",
	"0x1",
	"0X1F",
	"0xg",
	"0x 1",
	"0x-1",
	"0x0x1",
	" \t\n\v\f\r42",
	"42abc",
	"-42",
	"--1",
	"+-1",
	"- 1",
	" -0x10",
	"0b101",
	"1e5",
	"0777",
	"0778",
	"09",
	"z",
	"Z",
	"zz",
	"z{",
	"\xff\x31",
	"1\xff",
	"0x\xff",
	"000000000000000000000000000000001",
	"1_000",
	"12 34",
	"\x80",
	"7\n",
	"2147483647",
	"2147483648",
	"-2147483648",
	"-2147483649",
	"4294967295",
	"4294967296",
	"-4294967295",
	"-4294967296",
	"-4294967297",
	"9223372036854775807",
	"9223372036854775808",
	"-9223372036854775808",
	"-9223372036854775809",
	"18446744073709551615",
	"18446744073709551616",
	"-18446744073709551615",
	"-18446744073709551616",
	"99999999999999999999999999",
	"0x7fffffffffffffff",
	"0x8000000000000000",
	"0xffffffffffffffff",
	"0x10000000000000000",
	"-0x8000000000000000",
	"-0x8000000000000001",
	"01777777777777777777777",
	"02000000000000000000000",
	"0x000000000000000000001",
	"3w5e11264sgsf",
	"3w5e11264sgsg",
	"1y2p0ij32e8e7",
	"1y2p0ij32e8e8",
	"zzzzzzzzzzzzz",
	"-zzzzzzzzzzzzzzz",
};

static const int bases[] = {0, 2, 3, 7, 8, 10, 11, 16, 35, 36};

/* v written in base b (2..36), most significant digit first. */
static void to_base(unsigned long long v, int b, bool upper, char *out)
{
	char rev[72];
	int n = 0;

	do {
		int d = (int)(v % (unsigned)b);

		rev[n++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
		v /= (unsigned)b;
	} while (v);
	while (n)
		*out++ = rev[--n];
	*out = '\0';
}

/* The limits of long, unsigned long, long long and unsigned long long, and their
 * neighbours, in every base from 2 to 36 (and base 0 with 0x and 0 prefixes). */
static void limits_in_every_base(struct unit *t, enum func first, enum func last)
{
	static const unsigned long long limits[] = {
		LONG_MAX,   (unsigned long long)LONG_MAX + 1,
		ULONG_MAX,  (unsigned long long)ULONG_MAX + 1,
		LLONG_MAX,  (unsigned long long)LLONG_MAX + 1,
		ULLONG_MAX, INT_MAX,
		UINT_MAX,
	};

	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		for (int delta = -2; delta <= 2; delta++) {
			unsigned long long v = limits[i] + (unsigned long long)delta;
			char digits[72], input[80];

			if (limits[i] == ULLONG_MAX && delta > 0)
				v = ULLONG_MAX; /* no wrap to small numbers */
			for (int b = 2; b <= 36; b++) {
				to_base(v, b, b % 2, digits);
				for (int sign = 0; sign < 3; sign++) {
					snprintf(input, sizeof(input), "%s%s",
						 sign == 0   ? ""
						 : sign == 1 ? "-"
							     : "+",
						 digits);
					compare(t, input, b, first, last);
				}
			}
			to_base(v, 16, false, digits);
			snprintf(input, sizeof(input), "-0x%s", digits);
			compare(t, input, 0, first, last);
			to_base(v, 8, false, digits);
			snprintf(input, sizeof(input), "0%s", digits);
			compare(t, input, 0, first, last);
			/* One digit more than fits: certainly out of range. */
			to_base(v, 10, false, digits);
			snprintf(input, sizeof(input), " %s9", digits);
			compare(t, input, 10, first, last);
		}
	}
}

static void random_strings(struct unit *t, enum func first, enum func last, uint64_t seed)
{
	static const char alphabet[] = "0000111123456789789abcdefxXzZ +-\t\n.";
	char input[40];

	for (int round = 0; round < 6000; round++) {
		size_t len = unit_below(&seed, 30);
		int base;

		for (size_t i = 0; i < len; i++)
			input[i] = alphabet[unit_below(&seed, sizeof(alphabet) - 1)];
		input[len] = '\0';
		if (unit_below(&seed, 4) == 0)
			base = (int)unit_below(&seed, 35) + 2;
		else
			base = bases[unit_below(&seed, sizeof(bases) / sizeof(bases[0]))];
		compare(t, input, base, first, last);
	}
}

static void run_all(struct unit *t, enum func first, enum func last)
{
	unsigned long before = comparisons;

	for (size_t i = 0; i < sizeof(edge_inputs) / sizeof(edge_inputs[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			compare(t, edge_inputs[i], bases[b], first, last);
	limits_in_every_base(t, first, last);
	random_strings(t, first, last, 0x5eed + first);
	unit_note("%lu comparisons", comparisons - before);
}

static void strtoll_and_strtoull_match_glibc(struct unit *t)
{
	run_all(t, F_STRTOLL, F_STRTOULL);
}

/* long saturates at its own limits: on i386 (ILP32) those are not long long's. */
static void strtol_and_strtoul_match_glibc(struct unit *t)
{
	run_all(t, F_STRTOL, F_STRTOUL);
}

/* Bases outside 0 and 2..36: 0 and EINVAL, as glibc. Where *endptr points is not
 * defined then; the kernel sets it to the start. */
static void bad_bases_are_einval(struct unit *t)
{
	static const int bad[] = {-1, 1, 37, 100, INT_MIN, INT_MAX};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (enum func f = F_STRTOL; f <= F_STRTOULL; f++) {
			struct parsed h = host_parse(f, "123", bad[i]);
			struct parsed k = kernel_parse(f, "123", bad[i]);

			UNIT_CHECK(t,
				   k.bits == h.bits && k.err == EINVAL && h.err == EINVAL &&
					   k.end == 0,
				   "%s base %d: %#llx errno %d end %td", func_names[f], bad[i],
				   k.bits, k.err, k.end);
		}
	}
}

UNIT_SUITE(strtol, UNIT_CASE(bad_bases_are_einval), UNIT_CASE(strtoll_and_strtoull_match_glibc),
	   UNIT_CASE(strtol_and_strtoul_match_glibc));

/*
 * The kernel's snprintf (kernel/libc/format.c, as k_snprintf) against glibc's on a
 * generated table: every combination of flags, field widths, precisions and length
 * modifiers with the integer conversions, over values at the edges of each type; strings,
 * characters, pointers, `*` widths and precisions; and output cut at every buffer size.
 * Only what C11 7.21.6.1 defines is compared (no '#' on d/i/u, no '0' on s/c/p, no
 * precision on c/p, no null %s), and the kernel's own choices for the rest are pinned
 * separately.
 *
 * Each output is written into a heap block of exactly the size passed, so a write one
 * past the end is an AddressSanitizer report.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klibc.h"
#include "unit.h"

_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "ptrdiff_t stands for ssize_t here");

#define OUT_MAX 2048

static unsigned long comparisons;

/* glibc and the kernel on the same arguments: the same return value and bytes (the
 * output may hold a NUL from %c). `sizes`: also check cut-off output, at every buffer
 * size up to the length (all) or at 0, 1, the length and one more (some). */
enum sizes { SIZES_FULL, SIZES_SOME, SIZES_NONE };

static bool vcompare(struct unit *t, enum sizes sizes, const char *what, const char *fmt,
		     va_list ap)
{
	static char host[OUT_MAX], kern[OUT_MAX];
	va_list aq;
	int hn, kn;

	comparisons++;
	va_copy(aq, ap);
	hn = vsnprintf(host, sizeof(host), fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	kn = k_vsnprintf(kern, sizeof(kern), fmt, aq);
	va_end(aq);
	if (hn < 0 || hn >= OUT_MAX) {
		unit_fail(t, __FILE__, __LINE__, "\"%s\" (%s): output too long for the test", fmt,
			  what);
		return false;
	}
	if (!UNIT_CHECK(t, kn == hn && memcmp(host, kern, (size_t)hn + 1) == 0,
			"\"%s\" (%s): kernel \"%s\" (%d), glibc \"%s\" (%d)", fmt, what, kern, kn,
			host, hn))
		return false;
	if (sizes == SIZES_NONE)
		return true;
	for (size_t size = 0; size <= (size_t)hn + 1; size++) {
		char *buf;

		if (sizes == SIZES_SOME && size > 1 && size + 1 < (size_t)hn)
			continue;
		buf = size ? malloc(size) : NULL; /* C11: NULL is fine for size 0 */
		va_copy(aq, ap);
		kn = k_vsnprintf(buf, size, fmt, aq);
		va_end(aq);
		if (!UNIT_CHECK(t,
				kn == hn && (size == 0 || (memcmp(buf, host, size - 1) == 0 &&
							   buf[size - 1] == '\0')),
				"\"%s\" (%s) into %zu bytes: %d, \"%.*s\"", fmt, what, size, kn,
				size ? (int)size - 1 : 0, buf ? buf : "")) {
			free(buf);
			return false;
		}
		free(buf);
	}
	return true;
}

static bool compare(struct unit *t, enum sizes sizes, const char *what, const char *fmt, ...)
{
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	ok = vcompare(t, sizes, what, fmt, ap);
	va_end(ap);
	return ok;
}

/* ---- the table ---------------------------------------------------------------------- */

static const uintmax_t values[] = {
	0,
	1,
	2,
	7,
	8,
	9,
	10,
	15,
	16,
	42,
	99,
	100,
	127,
	128,
	255,
	256,
	4095,
	32767,
	32768,
	65535,
	65536,
	1000000,
	0x7fffffff,
	0x80000000u,
	0xffffffffu,
	0x100000000ull,
	999999999999ull,
	0x123456789abcdef0ull,
	0x7fffffffffffffffull,
	0x8000000000000000ull,
	0xfffffffffffffffeull,
	0xffffffffffffffffull,
	(uintmax_t)-2,
	(uintmax_t)-100,
	(uintmax_t)-32768,
	(uintmax_t)-2147483648ll,
};
#define NVALUES (sizeof(values) / sizeof(values[0]))

static const char *const widths[] = {"", "1", "2", "5", "12", "25"};
static const char *const precisions[] = {"", ".", ".0", ".1", ".3", ".12", ".25"};
#define NPRECISIONS (sizeof(precisions) / sizeof(precisions[0]))
static const char *const lengths[] = {"hh", "h", "", "l", "ll", "j", "z", "t"};

/* One integer conversion with the value converted to the type the spec names. */
static bool compare_integer(struct unit *t, enum sizes sizes, const char *fmt, const char *length,
			    char conv, uintmax_t v)
{
	bool is_signed = conv == 'd' || conv == 'i';
	char what[48];

	snprintf(what, sizeof(what), "value %#jx", v);
	if (is_signed) {
		if (!strcmp(length, "hh"))
			return compare(t, sizes, what, fmt, (int)(signed char)v);
		if (!strcmp(length, "h"))
			return compare(t, sizes, what, fmt, (int)(short)v);
		if (!strcmp(length, ""))
			return compare(t, sizes, what, fmt, (int)v);
		if (!strcmp(length, "l"))
			return compare(t, sizes, what, fmt, (long)v);
		if (!strcmp(length, "ll"))
			return compare(t, sizes, what, fmt, (long long)v);
		if (!strcmp(length, "j"))
			return compare(t, sizes, what, fmt, (intmax_t)v);
		/* z and t: the signed type of size_t's width */
		return compare(t, sizes, what, fmt, (ptrdiff_t)v);
	}
	if (!strcmp(length, "hh"))
		return compare(t, sizes, what, fmt, (unsigned char)v);
	if (!strcmp(length, "h"))
		return compare(t, sizes, what, fmt, (unsigned short)v);
	if (!strcmp(length, ""))
		return compare(t, sizes, what, fmt, (unsigned int)v);
	if (!strcmp(length, "l"))
		return compare(t, sizes, what, fmt, (unsigned long)v);
	if (!strcmp(length, "ll"))
		return compare(t, sizes, what, fmt, (unsigned long long)v);
	if (!strcmp(length, "j"))
		return compare(t, sizes, what, fmt, v);
	/* z, and t's unsigned counterpart */
	return compare(t, sizes, what, fmt, (size_t)v);
}

/* One spec ("%-08.3llx") with three values: the next of the whole list in turn, one
 * of the list and one of any size at random. */
static void integer_spec(struct unit *t, const char *flags, const char *width,
			 const char *precision, const char *length, char conv, unsigned long *walk,
			 uint64_t *seed)
{
	enum sizes sizes = *walk % 7 ? SIZES_NONE : SIZES_SOME;
	uintmax_t r;
	char fmt[40];

	snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags, width, precision, length, conv);
	compare_integer(t, sizes, fmt, length, conv, values[(*walk)++ % NVALUES]);
	compare_integer(t, SIZES_NONE, fmt, length, conv, values[unit_below(seed, NVALUES)]);
	r = unit_rand(seed);
	r >>= unit_below(seed, 64);
	compare_integer(t, SIZES_NONE, fmt, length, conv, r);
}

/* Every spec for the conversions and length modifiers given: all flag sets (without
 * '#' where it is undefined), widths and precisions. */
static void integer_table(struct unit *t, const char *convs, const char *const *lens, size_t nlens,
			  uint64_t seed)
{
	static const char flag_chars[] = "-+ #0";
	unsigned long before = comparisons, walk = 0;

	for (const char *conv = convs; *conv; conv++) {
		bool no_alt = *conv == 'd' || *conv == 'i' || *conv == 'u';

		for (unsigned int flags = 0; flags < 32; flags++) {
			char flagstr[8];
			size_t nf = 0;

			if ((flags & 8) && no_alt)
				continue;
			for (int b = 0; b < 5; b++)
				if (flags & (1u << b))
					flagstr[nf++] = flag_chars[b];
			flagstr[nf] = '\0';
			for (size_t l = 0; l < nlens; l++)
				for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
					for (size_t p = 0; p < NPRECISIONS; p++)
						integer_spec(t, flagstr, widths[w], precisions[p],
							     lens[l], *conv, &walk, &seed);
		}
	}
	unit_note("%lu comparisons", comparisons - before);
}

static void integers_match_glibc(struct unit *t)
{
	integer_table(t, "diuoxX", lengths, 6, 0x1e7);
}

/* z and t read size_t and ptrdiff_t; the signed and unsigned conversions must go
 * through the twin of the same width (on ILP32 too, where intmax_t is wider). */
static void z_and_t_lengths_match_glibc(struct unit *t)
{
	integer_table(t, "diuoxX", lengths + 6, 2, 0x2e7);
}

static void strings_and_chars_match_glibc(struct unit *t)
{
	static const char *const strings[] = {
		"",
		"a",
		"hello",
		"tab\there",
		"\xff\x80 high bytes",
		"a string long enough to be cut by most precisions in this table",
	};
	static const char *const sflags[] = {"", "-", "+", " ", "-+ "};
	static const int chars[] = {'A', ' ', 0, 0xff, 0x80, '%', 0x141};

	for (size_t f = 0; f < sizeof(sflags) / sizeof(sflags[0]); f++) {
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			char fmt[32];

			for (size_t p = 0; p < NPRECISIONS; p++) {
				snprintf(fmt, sizeof(fmt), "<%%%s%s%ss>", sflags[f], widths[w],
					 precisions[p]);
				for (size_t s = 0; s < sizeof(strings) / sizeof(strings[0]); s++)
					compare(t, SIZES_SOME, strings[s], fmt, strings[s]);
			}
			snprintf(fmt, sizeof(fmt), "<%%%s%sc>", sflags[f], widths[w]);
			for (size_t c = 0; c < sizeof(chars) / sizeof(chars[0]); c++)
				compare(t, SIZES_FULL, "char", fmt, chars[c]);
		}
	}
}

static void pointers_match_glibc(struct unit *t)
{
	static const char *const pflags[] = {"", "-"};
	int local;
	const void *pointers[] = {
		(void *)(uintptr_t)1, (void *)(uintptr_t)0xdeadbeef, &local,
		(void *)pointers,     (void *)UINTPTR_MAX,	     (void *)(UINTPTR_MAX / 2 + 1)};

	for (size_t f = 0; f < 2; f++) {
		for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			char fmt[32];

			snprintf(fmt, sizeof(fmt), "%%%s%sp", pflags[f], widths[w]);
			for (size_t i = 0; i < sizeof(pointers) / sizeof(pointers[0]); i++)
				compare(t, SIZES_SOME, "pointer", fmt, pointers[i]);
		}
	}
	compare(t, SIZES_FULL, "pointer", "%30p|%-30p|", pointers[2], pointers[3]);
}

/* Widths and precisions from the arguments, negative ones included (a negative width
 * is '-' and its size, a negative precision is none). */
static void star_arguments_match_glibc(struct unit *t)
{
	static const int stars[] = {-30, -6, -1, 0, 1, 2, 6, 30};

	for (size_t w = 0; w < sizeof(stars) / sizeof(stars[0]); w++) {
		for (size_t p = 0; p < sizeof(stars) / sizeof(stars[0]); p++) {
			int a = stars[w], b = stars[p];

			compare(t, SIZES_SOME, "*", "[%*d]", a, -42);
			compare(t, SIZES_SOME, "*", "[%-*x]", a, 0xbeefu);
			compare(t, SIZES_SOME, "*.*", "[%*.*d]", a, b, 12345);
			compare(t, SIZES_SOME, "*.*", "[%0*.*lu]", a, b, 99ul);
			compare(t, SIZES_SOME, "*.*", "[%+*.*lld]", a, b, -7ll);
			compare(t, SIZES_SOME, ".*", "[%.*s]", b, "precision");
			compare(t, SIZES_SOME, "*.*", "[%*.*s]", a, b, "both");
			compare(t, SIZES_SOME, ".*", "[%#.*o]", b, 8u);
			compare(t, SIZES_SOME, ".*", "[%#.*x]", b, 0u);
		}
	}
}

static void literal_text_and_percent(struct unit *t)
{
	char long_text[600];

	compare(t, SIZES_FULL, "", "%%");
	compare(t, SIZES_FULL, "", "100%% sure, %d%% done", 50);
	compare(t, SIZES_FULL, "", "");
	compare(t, SIZES_FULL, "", "no conversions at all");
	compare(t, SIZES_FULL, "", "\xe2\x82\xac UTF-8 passes through: %s", "\xc3\xa9");
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	compare(t, SIZES_SOME, "long", "%s", long_text);
	compare(t, SIZES_SOME, "long", "%s|%s", long_text, long_text);
	compare(t, SIZES_SOME, "wide field", "[%1000d]", 5);
	compare(t, SIZES_SOME, "wide field", "[%-1000.500x]", 0xabcu);
	compare(t, SIZES_FULL, "many", "%d %i %u %o %x %X %c %s %p %% %ld %lld %hhd %hd %jd", -1, 2,
		3u, 8u, 255u, 255u, 'c', "s", (void *)(uintptr_t)0x10, -4l, -5ll, 300, 70000,
		(intmax_t)-6);
}

/* Beyond C11: what format.c itself says it does. */
static void kernel_choices(struct unit *t)
{
	const char *volatile null_string = NULL;
	const char *volatile fmt;
	char buf[32];

	k_snprintf(buf, sizeof(buf), "[%s]", null_string);
	UNIT_EXPECT_STREQ(t, buf, "[(null)]");
	k_snprintf(buf, sizeof(buf), "[%.3s]", null_string);
	UNIT_EXPECT_STREQ(t, buf, "[(nu]");
	k_snprintf(buf, sizeof(buf), "[%p]", (void *)NULL);
	UNIT_EXPECT_STREQ(t, buf, "[0]");
	fmt = "abc%"; /* a lone '%' at the end is dropped */
	UNIT_EXPECT_EQ(t, k_snprintf(buf, sizeof(buf), fmt, 0), 3);
	UNIT_EXPECT_STREQ(t, buf, "abc");
	fmt = "[%q]"; /* an unknown conversion prints as written */
	UNIT_EXPECT_EQ(t, k_snprintf(buf, sizeof(buf), fmt, 0), 4);
	UNIT_EXPECT_STREQ(t, buf, "[%q]");
	fmt = "[%5k]";
	k_snprintf(buf, sizeof(buf), fmt, 0);
	UNIT_EXPECT_STREQ(t, buf, "[%k]");
}

UNIT_SUITE(format, UNIT_CASE(literal_text_and_percent), UNIT_CASE(strings_and_chars_match_glibc),
	   UNIT_CASE(pointers_match_glibc), UNIT_CASE(star_arguments_match_glibc),
	   UNIT_CASE(kernel_choices), UNIT_CASE(integers_match_glibc),
	   UNIT_CASE(z_and_t_lengths_match_glibc));

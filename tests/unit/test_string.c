/*
 * The kernel's string and memory functions (kernel/libc/string.c, as k_*) against
 * glibc's (C11 7.24), at every alignment and length up to a few words, with bytes above
 * 0x7f (comparisons are of unsigned char), overlapping moves both ways, and c arguments
 * outside a byte. Buffers are heap blocks of exactly their length: a read or write past
 * them (or past a terminator the function should stop at) is an ASan report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klibc.h"
#include "unit.h"

#define MAXLEN 40
#define MAXOFF 8

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Deterministic contents: a few distinct bytes (so comparisons tie often), some high. */
static void fill(unsigned char *p, size_t n, uint64_t *seed)
{
	static const unsigned char bytes[] = {'a', 'b', 'c', 0x7f, 0x80, 0xff, '/', '='};

	for (size_t i = 0; i < n; i++)
		p[i] = bytes[unit_below(seed, sizeof(bytes))];
}

static void memcpy_and_memset_write_exactly(struct unit *t)
{
	uint64_t seed = 1;

	for (size_t off = 0; off < MAXOFF; off++) {
		for (size_t n = 0; n <= MAXLEN; n++) {
			unsigned char src[MAXLEN], *want = malloc(n + 1);
			unsigned char *dst = malloc(off + n);

			fill(src, n, &seed);
			memset(dst, 0x55, off + n);
			UNIT_EXPECT_PTR_EQ(t, k_memcpy(dst + off, src, n), dst + off);
			UNIT_CHECK(t, memcmp(dst + off, src, n) == 0, "memcpy %zu at +%zu", n, off);
			for (size_t i = 0; i < off; i++)
				UNIT_CHECK(t, dst[i] == 0x55, "memcpy wrote before dst");
			/* memset takes an int and stores it as unsigned char. */
			UNIT_EXPECT_PTR_EQ(t, k_memset(dst + off, 0x1a5, n), dst + off);
			memset(want, 0xa5, n);
			UNIT_CHECK(t, memcmp(dst + off, want, n) == 0, "memset %zu at +%zu", n,
				   off);
			free(dst);
			free(want);
		}
	}
}

static void memmove_handles_every_overlap(struct unit *t)
{
	uint64_t seed = 2;
	unsigned char init[MAXLEN], want[MAXLEN], *buf = malloc(MAXLEN);

	for (size_t src = 0; src < MAXLEN; src++) {
		for (size_t dst = 0; dst < MAXLEN; dst++) {
			size_t most = MAXLEN - (src > dst ? src : dst);

			for (size_t n = 0; n <= most; n++) {
				fill(init, MAXLEN, &seed);
				memcpy(buf, init, MAXLEN);
				memcpy(want, init, MAXLEN);
				memmove(want + dst, want + src, n);
				UNIT_EXPECT_PTR_EQ(t, k_memmove(buf + dst, buf + src, n),
						   buf + dst);
				if (!UNIT_CHECK(t, memcmp(buf, want, MAXLEN) == 0,
						"memmove %zu bytes from %zu to %zu", n, src, dst))
					goto out;
			}
		}
	}
out:
	free(buf);
}

static void comparisons_match_glibc(struct unit *t)
{
	uint64_t seed = 3;

	for (int round = 0; round < 20000; round++) {
		size_t na = unit_below(&seed, 12), nb = unit_below(&seed, 12);
		unsigned char *a = malloc(na + 1), *b = malloc(nb + 1);
		size_t n = unit_below(&seed, 14);

		fill(a, na, &seed);
		fill(b, nb, &seed);
		/* Often a common prefix, so the difference is deep inside. */
		if (unit_below(&seed, 2))
			memcpy(b, a, na < nb ? na : nb);
		a[na] = b[nb] = '\0';
		const char *sa = (const char *)a, *sb = (const char *)b;

		UNIT_CHECK(t, sign(k_strcmp(sa, sb)) == sign(strcmp(sa, sb)),
			   "strcmp(\"%s\", \"%s\")", sa, sb);
		UNIT_CHECK(t, sign(k_strncmp(sa, sb, n)) == sign(strncmp(sa, sb, n)),
			   "strncmp(\"%s\", \"%s\", %zu)", sa, sb, n);
		size_t m = (na < nb ? na : nb) + 1;

		if (n < m)
			m = n; /* memcmp within both blocks */
		UNIT_CHECK(t, sign(k_memcmp(a, b, m)) == sign(memcmp(a, b, m)),
			   "memcmp(\"%s\", \"%s\", %zu)", sa, sb, m);
		free(a);
		free(b);
	}
}

static void searches_match_glibc(struct unit *t)
{
	static const int cs[] = {'a', 'b', '/', 0x80, 0xff, -1, -128, 0, 0x100 + 'a', '='};
	uint64_t seed = 4;

	for (int round = 0; round < 4000; round++) {
		size_t n = unit_below(&seed, MAXLEN);
		unsigned char *p = malloc(n + 1);
		const char *s = (const char *)p;

		fill(p, n, &seed);
		p[n] = '\0';
		UNIT_CHECK(t, k_strlen(s) == strlen(s), "strlen");
		for (size_t max = 0; max <= n + 1; max += 1 + max / 4) {
			/* strnlen must not look past max: give it max bytes when max <= n. */
			UNIT_CHECK(t, k_strnlen(s, max) == strnlen(s, max), "strnlen(%zu)", max);
		}
		for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
			int c = cs[i];

			UNIT_CHECK(t, k_strchr(s, c) == strchr(s, c), "strchr(\"%s\", %d)", s, c);
			UNIT_CHECK(t, k_strrchr(s, c) == strrchr(s, c), "strrchr(\"%s\", %d)", s,
				   c);
			for (size_t len = 0; len <= n + 1; len += 3)
				UNIT_CHECK(t, k_memchr(p, c, len) == memchr(p, c, len),
					   "memchr(\"%s\", %d, %zu)", s, c, len);
		}
		static const char *const sets[] = {
			"", "a", "ab", "/=", "abc\x7f\x80\xff/=", "\xff"};

		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			UNIT_CHECK(t, k_strspn(s, sets[i]) == strspn(s, sets[i]),
				   "strspn(\"%s\", \"%s\")", s, sets[i]);
			UNIT_CHECK(t, k_strcspn(s, sets[i]) == strcspn(s, sets[i]),
				   "strcspn(\"%s\", \"%s\")", s, sets[i]);
		}
		/* Needles: pieces of the haystack, near misses, the empty one, longer ones. */
		for (int k = 0; k < 6; k++) {
			size_t from = n ? unit_below(&seed, n) : 0;
			size_t len = unit_below(&seed, n - from + 3);
			char *needle = malloc(len + 1);

			for (size_t j = 0; j < len; j++)
				needle[j] = from + j < n ? s[from + j] : 'a';
			needle[len] = '\0';
			if (k == 5 && len)
				needle[len - 1] ^= 1;
			UNIT_CHECK(t, k_strstr(s, needle) == strstr(s, needle),
				   "strstr(\"%s\", \"%s\")", s, needle);
			free(needle);
		}
		free(p);
	}
}

/* strnlen reads no further than max, even with no terminator in sight. */
static void strnlen_stops_at_max(struct unit *t)
{
	for (size_t n = 0; n <= MAXLEN; n++) {
		char *p = malloc(n ? n : 1);

		memset(p, 'x', n);
		UNIT_EXPECT_EQ(t, k_strnlen(p, n), n);
		free(p);
	}
}

static void copies_match_glibc(struct unit *t)
{
	uint64_t seed = 5;

	for (size_t n = 0; n <= MAXLEN; n++) {
		unsigned char src[MAXLEN + 1];
		char *dst = malloc(n + 1), *want = malloc(MAXLEN + 8), *got;

		fill(src, n, &seed);
		src[n] = '\0';
		UNIT_EXPECT_PTR_EQ(t, k_strcpy(dst, (const char *)src), dst);
		UNIT_CHECK(t, strcmp(dst, (const char *)src) == 0, "strcpy of %zu", n);
		free(dst);
		/* strncpy: every size, shorter (no terminator) and longer (NUL padding). */
		for (size_t size = 0; size <= n + 6; size++) {
			got = malloc(size ? size : 1);
			memset(want, 0x5a, MAXLEN + 8);
			strncpy(want, (const char *)src, size);
			UNIT_EXPECT_PTR_EQ(t, k_strncpy(got, (const char *)src, size), got);
			UNIT_CHECK(t, memcmp(got, want, size) == 0, "strncpy of %zu into %zu", n,
				   size);
			free(got);
		}
		free(want);
	}
}

UNIT_SUITE(string, UNIT_CASE(memcpy_and_memset_write_exactly),
	   UNIT_CASE(memmove_handles_every_overlap), UNIT_CASE(comparisons_match_glibc),
	   UNIT_CASE(searches_match_glibc), UNIT_CASE(strnlen_stops_at_max),
	   UNIT_CASE(copies_match_glibc));

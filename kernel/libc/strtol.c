/* Minimal libc: strtol and friends (C11 7.22.1.4): optional space and sign, base 0
 * detects 0x / 0 prefixes, overflow saturates and sets errno = ERANGE. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

int errno;

static int digit_value(int c)
{
	if (isdigit(c))
		return c - '0';
	if (isalpha(c))
		return tolower(c) - 'a' + 10;
	return 99;
}

/* Parse the magnitude; *neg gets the sign. Saturates at limit with *overflow set. */
static unsigned long long parse(const char *s, char **end, int base, bool *neg,
				unsigned long long limit, bool *overflow)
{
	const char *p = s;
	unsigned long long v = 0;
	bool any = false;

	*neg = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d = digit_value(*p);

		if (d >= base)
			break;
		any = true;
		if (v > (limit - (unsigned)d) / (unsigned)base) {
			*overflow = true;
			v = limit;
		} else if (!*overflow) {
			v = v * (unsigned)base + (unsigned)d;
		}
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (*overflow)
		errno = ERANGE;
	return v;
}

/* Signed results: the magnitude may reach max + 1 for a negative number (min). */
static long long to_signed(const char *s, char **end, int base, long long min, long long max)
{
	bool neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, (unsigned long long)max + 1, &overflow);

	if (!neg && v > (unsigned long long)max) {
		overflow = true;
		errno = ERANGE;
	}
	if (overflow)
		return neg ? min : max;
	return neg ? (long long)(0 - v) : (long long)v;
}

/* Unsigned results: a minus sign negates in the result's type, as C11 7.22.1.4 says. */
static unsigned long long to_unsigned(const char *s, char **end, int base, unsigned long long max)
{
	bool neg, overflow;
	unsigned long long v = parse(s, end, base, &neg, max, &overflow);

	if (overflow)
		return max;
	return neg ? (0 - v) & max : v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	return (long)to_signed(s, end, base, LONG_MIN, LONG_MAX);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	return to_signed(s, end, base, LLONG_MIN, LLONG_MAX);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	return (unsigned long)to_unsigned(s, end, base, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict end, int base)
{
	return to_unsigned(s, end, base, ULLONG_MAX);
}

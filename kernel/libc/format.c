/*
 * Minimal libc: snprintf/vsnprintf (C11 7.21.6.1) without floating point.
 * Conversions d i u o x X c s p %; flags - + space # 0; width and precision (also *);
 * length modifiers hh h l ll z j t. Output is always NUL-terminated when size > 0 and
 * the return value is the length the full output would have had.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters produced so far, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, plus, space, alt, zero;
	int width;
	int precision; /* -1 when not given */
	char length;   /* 'H' hh, 'h', 'l', 'L' ll, 'z', 'j', 't', or 0 */
	char conv;
};

/* Pad a finished field of len characters (prefix already counted separately). */
static void put_field(struct out *o, const struct spec *sp, const char *prefix, const char *digits,
		      int ndigits, int zeros)
{
	int plen = (int)strlen(prefix);
	int pad = sp->width - plen - zeros - ndigits;

	if (!sp->left && !(sp->zero && sp->precision < 0))
		put_repeat(o, ' ', pad);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!sp->left && sp->zero && sp->precision < 0)
		put_repeat(o, '0', pad);
	put_repeat(o, '0', zeros);
	for (int i = 0; i < ndigits; i++)
		put(o, digits[i]);
	if (sp->left)
		put_repeat(o, ' ', pad);
}

static void put_integer(struct out *o, const struct spec *sp, uintmax_t v, bool negative)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = 10;
	char digits[24]; /* 2^64 in octal has 22 digits */
	char prefix[3] = "";
	int n = 0, zeros = 0;

	if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	else if (sp->conv == 'o')
		base = 8;

	/* Digits in reverse, then flip. Precision 0 with value 0 prints no digits. */
	if (v != 0 || sp->precision != 0) {
		do {
			digits[n++] = set[v % base];
			v /= base;
		} while (v);
	}
	for (int i = 0; i < n / 2; i++) {
		char t = digits[i];

		digits[i] = digits[n - 1 - i];
		digits[n - 1 - i] = t;
	}

	if (negative)
		strcpy(prefix, "-");
	else if (sp->plus && (sp->conv == 'd' || sp->conv == 'i'))
		strcpy(prefix, "+");
	else if (sp->space && (sp->conv == 'd' || sp->conv == 'i'))
		strcpy(prefix, " ");
	if (sp->alt && base == 16 && n && !(n == 1 && digits[0] == '0'))
		strcpy(prefix, sp->conv == 'X' ? "0X" : "0x");
	if (sp->precision > n)
		zeros = sp->precision - n;
	if (sp->alt && base == 8 && zeros == 0 && (n == 0 || digits[0] != '0'))
		zeros = 1;
	put_field(o, sp, prefix, digits, n, zeros);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	int n;

	if (!s)
		s = "(null)";
	n = (int)(sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s));
	put_field(o, sp, "", s, n, 0);
}

/* Fetch an integer argument of the size the length modifier says. */
static uintmax_t get_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (unsigned char)va_arg(*ap, unsigned int);
	case 'h':
		return (unsigned short)va_arg(*ap, unsigned int);
	case 'l':
		return va_arg(*ap, unsigned long);
	case 'L':
		return va_arg(*ap, unsigned long long);
	case 'z':
		return va_arg(*ap, size_t);
	case 'j':
		return va_arg(*ap, uintmax_t);
	case 't':
		return (size_t)va_arg(*ap, ptrdiff_t); /* its unsigned twin */
	default:
		return va_arg(*ap, unsigned int);
	}
}

static intmax_t get_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case 'H':
		return (signed char)va_arg(*ap, int);
	case 'h':
		return (short)va_arg(*ap, int);
	case 'l':
		return va_arg(*ap, long);
	case 'L':
		return va_arg(*ap, long long);
	case 'z':
		return (ptrdiff_t)va_arg(*ap, size_t); /* its signed twin */
	case 'j':
		return va_arg(*ap, intmax_t);
	case 't':
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

/* Parse flags, width, precision and length at *fmt; leaves *fmt at the conversion. */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
	const char *f = *fmt;

	memset(sp, 0, sizeof(*sp));
	sp->precision = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->precision = sp->precision * 10 + (*f++ - '0');
		}
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->length = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->length = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't') {
		sp->length = *f++;
	}
	sp->conv = *f;
	*fmt = f;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict format, va_list ap)
{
	struct out o = {buf, size, 0};
	const char *fmt = format;
	va_list args;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		struct spec sp;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &sp, &args);
		switch (sp.conv) {
		case 'd':
		case 'i': {
			intmax_t v = get_signed(&sp, &args);

			put_integer(&o, &sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			put_integer(&o, &sp, get_unsigned(&sp, &args), false);
			break;
		case 'p':
			sp.alt = true;
			put_integer(&o, &sp, (uintptr_t)va_arg(args, void *), false);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);

			put_field(&o, &sp, "", &c, 1, 0);
			break;
		}
		case 's':
			put_string(&o, &sp, va_arg(args, const char *));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop at the NUL */
			break;
		default:
			/* Unknown conversion: print it as written. */
			put(&o, '%');
			put(&o, sp.conv);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT32_MAX ? -1 : (int)o.len;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

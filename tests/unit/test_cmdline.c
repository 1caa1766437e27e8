/*
 * cmdline_get() (kernel/cmdline.c): a table of command lines, then random ones against a
 * model of kernel.h's contract (space-separated words; the first word that is `key` or
 * starts with `key=` gives the value), every value copied into heap buffers of every
 * size from 1 to past its length, so truncation can be checked to the byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "unit.h"

/* The model: the value of the first matching word, or NULL. */
static const char *model_get(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		const char *word, *end;

		while (*p == ' ')
			p++;
		word = p;
		end = strchr(word, ' ');
		if (!end)
			end = word + strlen(word);
		if (end > word && (size_t)(end - word) >= klen && memcmp(word, key, klen) == 0) {
			if ((size_t)(end - word) == klen) {
				*len = 0;
				return end;
			}
			if (word[klen] == '=') {
				*len = (size_t)(end - word) - klen - 1;
				return word + klen + 1;
			}
		}
		p = end;
	}
	return NULL;
}

/* cmdline_get() with buffers of every size from 1 to len + 2, each exactly that big. */
static void check_get(struct unit *t, const char *cmdline, const char *key)
{
	size_t len = 0;
	const char *want = model_get(cmdline, key, &len);

	for (size_t size = 1; size <= len + 2; size++) {
		char *buf = malloc(size);
		bool found = cmdline_get(cmdline, key, buf, size);
		size_t n = len < size - 1 ? len : size - 1;

		if (!UNIT_CHECK(t, found == (want != NULL), "\"%s\" key \"%s\": found %d", cmdline,
				key, found)) {
			free(buf);
			return;
		}
		if (want)
			UNIT_CHECK(t, strlen(buf) == n && memcmp(buf, want, n) == 0,
				   "\"%s\" key \"%s\" into %zu bytes: \"%s\"", cmdline, key, size,
				   buf);
		free(buf);
	}
	/* Size 0: only whether the key is there; the buffer is not touched. */
	UNIT_CHECK(t, cmdline_get(cmdline, key, NULL, 0) == (want != NULL),
		   "\"%s\" key \"%s\" with no buffer", cmdline, key);
}

static void table_of_command_lines(struct unit *t)
{
	static const struct {
		const char *cmdline, *key, *value; /* value NULL: not found */
	} cases[] = {
		{"console=ttyS0 loglevel=5", "loglevel", "5"},
		{"console=ttyS0 loglevel=5", "console", "ttyS0"},
		{"console=ttyS0 loglevel=5", "log", NULL},
		{"consoleblank=0", "console", NULL},
		{"quiet", "quiet", ""},
		{"   quiet   ", "quiet", ""},
		{"quiet=", "quiet", ""},
		{"a=1 a=2", "a", "1"},
		{"a a=2", "a", ""},
		{"init=/bin/sh=x", "init", "/bin/sh=x"},
		{"x=a\tb", "x", "a\tb"}, /* only spaces separate words */
		{"", "quiet", NULL},
		{"   ", "quiet", NULL},
		{"quietly quiet", "quiet", ""},
		{"k=v", "k=v", ""}, /* a key with '=' is just longer */
		{"k=v=w", "k=v", "w"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32] = "untouched";
		char *cmdline = unit_memdup(cases[i].cmdline, strlen(cases[i].cmdline) + 1);
		bool found = cmdline_get(cmdline, cases[i].key, buf, sizeof(buf));

		UNIT_CHECK(t, found == (cases[i].value != NULL), "\"%s\" key %s: found %d",
			   cases[i].cmdline, cases[i].key, found);
		if (cases[i].value)
			UNIT_CHECK(t, strcmp(buf, cases[i].value) == 0, "\"%s\" key %s: \"%s\"",
				   cases[i].cmdline, cases[i].key, buf);
		else
			UNIT_CHECK(t, strcmp(buf, "untouched") == 0,
				   "\"%s\" key %s: wrote to "
				   "the buffer",
				   cases[i].cmdline, cases[i].key);
		check_get(t, cmdline, cases[i].key);
		free(cmdline);
	}
	UNIT_EXPECT_FALSE(t, cmdline_get(NULL, "quiet", NULL, 0));
}

/* Random command lines over a few keys that are prefixes of each other. */
static void random_command_lines_match_model(struct unit *t)
{
	static const char *const keys[] = {"a", "ab", "abc", "b", "root", "rootwait"};
	static const char *const values[] = {"", "1", "x=y", "/dev/vda1", "a b", "=="};
	uint64_t seed = 0xc0de;
	char line[256];

	for (int round = 0; round < 3000; round++) {
		size_t len = 0;
		int words = (int)unit_below(&seed, 6);

		line[0] = '\0';
		for (int w = 0; w < words; w++) {
			int spaces = (int)unit_below(&seed, 3) + (w > 0);
			const char *key = keys[unit_below(&seed, 6)];
			const char *value = values[unit_below(&seed, 6)];

			len += (size_t)snprintf(line + len, sizeof(line) - len, "%*s%s%s%s", spaces,
						"", key, unit_below(&seed, 3) ? "=" : "", value);
		}
		if (unit_below(&seed, 2))
			len += (size_t)snprintf(line + len, sizeof(line) - len, "  ");
		char *cmdline = unit_memdup(line, len + 1);

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			check_get(t, cmdline, keys[k]);
		free(cmdline);
	}
}

UNIT_SUITE(cmdline, UNIT_CASE(table_of_command_lines), UNIT_CASE(random_command_lines_match_model));

/*
 * kernel/lineedit.c fed long random byte streams (printable text, Backspace, DEL,
 * Ctrl-U, Ctrl-C, CR, LF, CRLF, escape sequences with the arrow keys, other control
 * bytes, bytes above 0x7f), checked two ways after every byte:
 *   - against a model of lineedit.h's contract (the line, the result, the history), and
 *   - through a small terminal that applies the echo: what the screen shows on the
 *     current line must be the line being edited, so the echo is never out of step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineedit.h"
#include "unit.h"

/* ---- the terminal ------------------------------------------------------------------- */

struct screen {
	char line[LINEEDIT_MAX + 8];
	size_t cursor, width; /* width: columns written on the current line */
	unsigned long bells, bad_bytes, overflows;
	char last_line[LINEEDIT_MAX + 9]; /* the line a '\n' finished */
};

static void screen_byte(struct screen *s, char c)
{
	switch (c) {
	case '\n':
		/* What was typed ends at the cursor; cells after it must be blank. */
		memcpy(s->last_line, s->line, s->cursor);
		s->last_line[s->cursor] = '\0';
		for (size_t i = s->cursor; i < s->width; i++)
			if (s->line[i] != ' ')
				s->last_line[s->cursor] = '?';
		s->cursor = s->width = 0;
		break;
	case '\b':
		if (s->cursor)
			s->cursor--;
		break;
	case '\a':
		s->bells++;
		break;
	default:
		if ((unsigned char)c < 0x20 || c == 0x7f) {
			s->bad_bytes++; /* nothing else should reach the terminal */
			break;
		}
		if (s->cursor >= sizeof(s->line) - 1) {
			s->overflows++;
			break;
		}
		s->line[s->cursor++] = c;
		if (s->cursor > s->width)
			s->width = s->cursor;
		break;
	}
}

static void echo_to_screen(const char *bytes, size_t len, void *ctx)
{
	for (size_t i = 0; i < len; i++)
		screen_byte(ctx, bytes[i]);
}

/* What the current line shows: up to the cursor, then only blanks (erased cells). */
static bool screen_shows(const struct screen *s, const char *text, size_t len)
{
	if (s->cursor != len || memcmp(s->line, text, len) != 0)
		return false;
	for (size_t i = s->cursor; i < s->width; i++)
		if (s->line[i] != ' ')
			return false;
	return true;
}

/* ---- the model ------------------------------------------------------------------------ */

struct model {
	char line[LINEEDIT_MAX];
	size_t len;
	char history[64][LINEEDIT_MAX]; /* every line remembered, oldest first */
	unsigned int count;
	unsigned int back; /* 0: the new line; n: n-th newest entry shown */
	int esc;	   /* 0 none, 1 after ESC, 2 inside CSI */
	bool after_cr;
};

static void model_show(struct model *m, unsigned int back)
{
	unsigned int kept = m->count < LINEEDIT_HISTORY ? m->count : LINEEDIT_HISTORY;

	if (back > kept)
		return;
	m->back = back;
	m->len = 0;
	if (back) {
		const char *h = m->history[(m->count - back) % 64];

		m->len = strlen(h);
		memcpy(m->line, h, m->len);
	}
}

static enum lineedit_result model_feed(struct model *m, char c, char *done)
{
	bool after_cr = m->after_cr;

	m->after_cr = false;
	if (m->esc == 1) {
		m->esc = c == '[' ? 2 : 0;
		return LINE_PENDING;
	}
	if (m->esc == 2) {
		if (c >= 0x40 && c <= 0x7e) {
			m->esc = 0;
			if (c == 'A')
				model_show(m, m->back + 1);
			else if (c == 'B' && m->back > 0)
				model_show(m, m->back - 1);
		}
		return LINE_PENDING;
	}
	if (c == '\n' && after_cr)
		return LINE_PENDING;
	if (c == '\r' || c == '\n') {
		m->after_cr = c == '\r';
		memcpy(done, m->line, m->len);
		done[m->len] = '\0';
		/* Remember non-empty lines that differ from the newest entry. */
		if (m->len && (m->count == 0 || strcmp(m->history[(m->count - 1) % 64], done))) {
			memcpy(m->history[m->count % 64], done, m->len + 1);
			m->count++;
		}
		m->len = 0;
		m->back = 0;
		return LINE_DONE;
	}
	if (c == '\b' || c == 0x7f) {
		if (m->len)
			m->len--;
		return LINE_PENDING;
	}
	if (c == 0x15) { /* Ctrl-U */
		m->len = 0;
		return LINE_PENDING;
	}
	if (c == 0x03) { /* Ctrl-C */
		m->len = 0;
		m->back = 0;
		done[0] = '\0';
		return LINE_CANCELLED;
	}
	if (c == 0x1b) {
		m->esc = 1;
		return LINE_PENDING;
	}
	if ((unsigned char)c < 0x20)
		return LINE_PENDING;
	if (m->len + 1 < LINEEDIT_MAX)
		m->line[m->len++] = c;
	return LINE_PENDING;
}

/* ---- random input ------------------------------------------------------------------- */

static char random_byte(uint64_t *seed, int long_lines)
{
	static const char specials[] = {'\b', 0x7f, 0x15, 0x03, '\r', '\n', 0x1b, '[',	'A', 'B',
					'C',  'D',  '~',  '1',	';',  0x01, 0x07, '\t', 0x1f};
	uint64_t r = unit_below(seed, 100);

	if (r < (uint64_t)(long_lines ? 92 : 70))
		return (char)(0x20 + unit_below(seed, 0x5f)); /* printable */
	if (r < 97)
		return specials[unit_below(seed, sizeof(specials))];
	return (char)(0x80 + unit_below(seed, 0x80)); /* bytes of UTF-8 */
}

/* Feed `n` random bytes; compare with the model and the screen after each. */
static void random_session(struct unit *t, uint64_t seed0, int n, bool with_echo)
{
	uint64_t seed = seed0;
	struct lineedit *le = malloc(sizeof(*le));
	struct model *m = calloc(1, sizeof(*m));
	struct screen *s = calloc(1, sizeof(*s));
	unsigned long lines = 0, cancels = 0, recalls = 0;
	char done[LINEEDIT_MAX + 1];

	lineedit_init(le, with_echo ? echo_to_screen : NULL, s);
	for (int i = 0; i < n; i++) {
		int long_lines = (i / 2000) % 2;
		char c = random_byte(&seed, long_lines);
		enum lineedit_result want, got;

		/* Arrows also come as whole sequences, so that the history gets used. */
		if (unit_below(&seed, 40) == 0) {
			const char *seq = unit_below(&seed, 3) ? "\x1b[A" : "\x1b[B";

			for (; *seq; seq++) {
				want = model_feed(m, *seq, done);
				got = lineedit_feed(le, *seq);
				UNIT_CHECK(t, got == want, "arrow byte %#x: result %d, model %d",
					   *seq, got, want);
			}
			recalls++;
		}
		want = model_feed(m, c, done);
		got = lineedit_feed(le, c);
		if (!UNIT_CHECK(t, got == want, "byte %d (%#x): result %d, model %d", i,
				(unsigned char)c, got, want))
			break;
		if (got == LINE_DONE) {
			lines++;
			if (!UNIT_CHECK(t, strcmp(le->buf, done) == 0,
					"byte %d: line \"%s\", "
					"model \"%s\"",
					i, le->buf, done))
				break;
			if (with_echo && !UNIT_CHECK(t, strcmp(s->last_line, done) == 0,
						     "byte %d: the screen showed \"%s\" for \"%s\"",
						     i, s->last_line, done))
				break;
		} else if (got == LINE_CANCELLED) {
			cancels++;
		} else if (!UNIT_CHECK(t,
				       le->len == m->len && memcmp(le->buf, m->line, m->len) == 0,
				       "byte %d (%#x): line of %zu bytes, model %zu", i,
				       (unsigned char)c, le->len, m->len)) {
			break;
		}
		if (with_echo && got == LINE_PENDING &&
		    !UNIT_CHECK(t, screen_shows(s, le->buf, le->len),
				"byte %d (%#x): the "
				"screen is out of step (cursor %zu, line %zu)",
				i, (unsigned char)c, s->cursor, le->len))
			break;
	}
	if (with_echo)
		UNIT_CHECK(t, s->bad_bytes == 0 && s->overflows == 0,
			   "echo sent %lu control "
			   "bytes and overran the line %lu times",
			   s->bad_bytes, s->overflows);
	UNIT_EXPECT_GT(t, lines, 10ul);
	UNIT_EXPECT_GT(t, cancels, 0ul);
	unit_note("seed %#llx: %lu lines, %lu cancelled, %lu arrow keys, %lu bells",
		  (unsigned long long)seed0, lines, cancels, recalls, s->bells);
	free(s);
	free(m);
	free(le);
}

static void random_input_matches_model_and_screen(struct unit *t)
{
	for (uint64_t seed = 1; seed <= 6; seed++)
		random_session(t, seed * 0x5eed, 12000, true);
}

static void works_without_echo(struct unit *t)
{
	random_session(t, 0xec0, 6000, false);
}

static int feed(struct lineedit *le, const char *bytes, size_t n)
{
	int r = LINE_PENDING;

	for (size_t i = 0; i < n; i++)
		r = lineedit_feed(le, bytes[i]);
	return r;
}

/* A full line rings the bell and keeps its LINEEDIT_MAX - 1 bytes; recalled from the
 * history it is still full. */
static void full_line_rings_and_recalls(struct unit *t)
{
	struct lineedit *le = malloc(sizeof(*le));
	struct screen *s = calloc(1, sizeof(*s));
	char line[LINEEDIT_MAX + 10];

	memset(line, 'x', sizeof(line));
	lineedit_init(le, echo_to_screen, s);
	UNIT_EXPECT_EQ(t, feed(le, line, sizeof(line)), LINE_PENDING);
	UNIT_EXPECT_EQ(t, le->len, (size_t)LINEEDIT_MAX - 1);
	UNIT_EXPECT_EQ(t, s->bells, 11ul);
	UNIT_EXPECT_EQ(t, feed(le, "\r", 1), LINE_DONE);
	UNIT_EXPECT_EQ(t, strlen(le->buf), (size_t)LINEEDIT_MAX - 1);
	UNIT_EXPECT_EQ(t, feed(le, "\x1b[A", 3), LINE_PENDING);
	UNIT_EXPECT_EQ(t, le->len, (size_t)LINEEDIT_MAX - 1);
	UNIT_EXPECT_EQ(t, feed(le, "y", 1), LINE_PENDING);
	UNIT_EXPECT_EQ(t, s->bells, 12ul);
	UNIT_EXPECT_TRUE(t, screen_shows(s, le->buf, le->len));
	free(s);
	free(le);
}

/* The history keeps the newest LINEEDIT_HISTORY lines: up goes no further back. */
static void history_keeps_the_newest(struct unit *t)
{
	struct lineedit *le = malloc(sizeof(*le));
	char line[16];

	lineedit_init(le, NULL, NULL);
	for (int i = 0; i < LINEEDIT_HISTORY + 3; i++) {
		int n = snprintf(line, sizeof(line), "cmd%d\r", i);

		feed(le, line, (size_t)n);
	}
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++)
		feed(le, "\x1b[A", 3);
	le->buf[le->len] = '\0';
	snprintf(line, sizeof(line), "cmd%d", 3);
	UNIT_EXPECT_STREQ(t, le->buf, line);
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++)
		feed(le, "\x1b[B", 3);
	UNIT_EXPECT_EQ(t, le->len, (size_t)0);
	free(le);
}

UNIT_SUITE(lineedit, UNIT_CASE(full_line_rings_and_recalls), UNIT_CASE(history_keeps_the_newest),
	   UNIT_CASE(works_without_echo), UNIT_CASE(random_input_matches_model_and_screen));

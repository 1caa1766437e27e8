/* Console line editing: the finished line and the exact echo a terminal receives. */
#include <string.h>

#include "ktest.h"
#include "lineedit.h"

struct capture {
	char text[256];
	size_t len;
};

static void capture_echo(const char *s, size_t len, void *ctx)
{
	struct capture *c = ctx;

	for (size_t i = 0; i < len && c->len + 1 < sizeof(c->text); i++)
		c->text[c->len++] = s[i];
	c->text[c->len] = '\0';
}

/* Feed the bytes; returns the result of the last one. */
static int feed(struct lineedit *le, const char *bytes)
{
	int r = LINE_PENDING;

	while (*bytes)
		r = lineedit_feed(le, *bytes++);
	return r;
}

static void plain_line(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	KTEST_EXPECT_EQ(t, feed(&le, "help"), LINE_PENDING);
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "help");
	KTEST_EXPECT_STREQ(t, c.text, "help\n");
}

static void backspace_and_delete(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	feed(&le, "hex\x7fl\bp"); /* DEL and BS both erase one */
	KTEST_EXPECT_EQ(t, feed(&le, "\n"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "hep");
	KTEST_EXPECT_STREQ(t, c.text, "hex\b \bl\b \bp\n");

	/* Backspace on an empty line does nothing at all. */
	c.len = 0;
	c.text[0] = '\0';
	feed(&le, "\x7f\x7f");
	KTEST_EXPECT_STREQ(t, c.text, "");
}

static void ctrl_u_erases_line(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	feed(&le, "wrong\x15ok");
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "ok");
	KTEST_EXPECT_EQ(t, strstr(c.text, "\b \b\b \b\b \b\b \b\b \b") != NULL, 1);
}

static void ctrl_c_cancels(struct ktest *t)
{
	struct lineedit le;

	lineedit_init(&le, NULL, NULL);
	KTEST_EXPECT_EQ(t, feed(&le, "poweroff\x03"), LINE_CANCELLED);
	KTEST_EXPECT_STREQ(t, le.buf, "");
	KTEST_EXPECT_EQ(t, feed(&le, "x\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "x");
}

static void crlf_ends_one_line(struct ktest *t)
{
	struct lineedit le;
	int done = 0;
	const char *input = "a\r\nb\r\n";

	lineedit_init(&le, NULL, NULL);
	for (const char *p = input; *p; p++)
		if (lineedit_feed(&le, *p) == LINE_DONE)
			done++;
	KTEST_EXPECT_EQ(t, done, 2);
	KTEST_EXPECT_STREQ(t, le.buf, "b");
	/* An empty line still finishes. */
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "");
}

static void swallows_escape_sequences(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	feed(&le, "ab\x1b[A\x1b[1;5Cc\x1bOd"); /* up, ctrl-right, then ESC O d (SS3) */
	feed(&le, "\r");
	KTEST_EXPECT_STREQ(t, le.buf, "abcd");
	KTEST_EXPECT_STREQ(t, c.text, "abcd\n");
}

static void full_line_rings_bell(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	for (int i = 0; i < LINEEDIT_MAX + 10; i++)
		lineedit_feed(&le, 'x');
	KTEST_EXPECT_EQ(t, le.len, (size_t)LINEEDIT_MAX - 1);
	KTEST_EXPECT_TRUE(t, strchr(c.text, '\a') != NULL);
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINE_DONE);
	KTEST_EXPECT_EQ(t, strlen(le.buf), (size_t)LINEEDIT_MAX - 1);
}

static void arrows_recall_history(struct ktest *t)
{
	struct lineedit le;
	struct capture c = {0};

	lineedit_init(&le, capture_echo, &c);
	feed(&le, "first\r");
	feed(&le, "second\r");
	feed(&le, "second\r"); /* a repeat takes no slot */
	feed(&le, "\r");       /* nor does an empty line */
	KTEST_EXPECT_EQ(t, feed(&le, "\x1b[A\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "second");
	KTEST_EXPECT_EQ(t, feed(&le, "\x1b[A\x1b[A\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "first");
	/* Up past the oldest stays there; down comes back; down past the newest empties. */
	feed(&le, "\x1b[A\x1b[A\x1b[A\x1b[A\x1b[B");
	KTEST_EXPECT_EQ(t, le.len, strlen("second"));
	KTEST_EXPECT_EQ(t, feed(&le, "\x1b[B\x1b[B\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "");
	/* A recalled line that runs again becomes the newest; it can be edited. */
	KTEST_EXPECT_EQ(t, feed(&le, "\x1b[A\x7f\x7f\x7fnal\r"), LINE_DONE);
	KTEST_EXPECT_STREQ(t, le.buf, "final");
}

static void history_keeps_the_newest(struct ktest *t)
{
	struct lineedit le;
	char line[8];

	lineedit_init(&le, NULL, NULL);
	for (int i = 0; i < LINEEDIT_HISTORY + 3; i++) {
		line[0] = (char)('a' + i);
		line[1] = '\r';
		line[2] = '\0';
		feed(&le, line);
	}
	for (int i = 0; i < LINEEDIT_HISTORY + 5; i++)
		feed(&le, "\x1b[A");
	KTEST_EXPECT_EQ(t, feed(&le, "\r"), LINE_DONE);
	KTEST_EXPECT_EQ(t, le.buf[0], (char)('a' + 3)); /* the oldest still kept */
}

KTEST_SUITE(lineedit, KTEST_CASE(plain_line), KTEST_CASE(backspace_and_delete),
	    KTEST_CASE(ctrl_u_erases_line), KTEST_CASE(ctrl_c_cancels),
	    KTEST_CASE(crlf_ends_one_line), KTEST_CASE(swallows_escape_sequences),
	    KTEST_CASE(full_line_rings_bell), KTEST_CASE(arrows_recall_history),
	    KTEST_CASE(history_keeps_the_newest));

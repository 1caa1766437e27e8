/* Line editing state machine; see lineedit.h. It has no I/O of its own, so the tests
 * drive it byte by byte and compare the echo with what a terminal should show. */
#include <string.h>

#include "lineedit.h"

enum { ESC_NONE, ESC_SEEN, ESC_CSI };

#define CTRL(c) ((c)&0x1f)

static void echo(struct lineedit *le, const char *s, size_t len)
{
	if (le->echo)
		le->echo(s, len, le->echo_ctx);
}

void lineedit_init(struct lineedit *le, void (*echo_fn)(const char *, size_t, void *), void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->echo = echo_fn;
	le->echo_ctx = ctx;
}

static void erase_chars(struct lineedit *le, size_t n)
{
	while (n--) {
		le->len--;
		echo(le, "\b \b", 3);
	}
}

static void remember(struct lineedit *le)
{
	unsigned int newest = le->history_count - 1;

	if (le->len == 0 ||
	    (le->history_count && strcmp(le->history[newest % LINEEDIT_HISTORY], le->buf) == 0))
		return; /* empty lines and repeats are not worth a slot */
	memcpy(le->history[le->history_count++ % LINEEDIT_HISTORY], le->buf, le->len + 1);
}

/* Replace the line on screen with history entry `back` steps back (0: an empty line). */
static void recall(struct lineedit *le, unsigned int back)
{
	unsigned int kept =
		le->history_count < LINEEDIT_HISTORY ? le->history_count : LINEEDIT_HISTORY;

	if (back > kept)
		return;
	erase_chars(le, le->len);
	le->browsing = back;
	if (back == 0)
		return;
	const char *line = le->history[(le->history_count - back) % LINEEDIT_HISTORY];

	le->len = strlen(line);
	memcpy(le->buf, line, le->len);
	echo(le, le->buf, le->len);
}

enum lineedit_result lineedit_feed(struct lineedit *le, char c)
{
	int was_cr = le->last_was_cr;

	le->last_was_cr = 0;

	/* ESC [ params final: skip until the final byte (0x40..0x7e). */
	if (le->esc_state == ESC_SEEN) {
		le->esc_state = c == '[' ? ESC_CSI : ESC_NONE;
		return LINE_PENDING;
	}
	if (le->esc_state == ESC_CSI) {
		if (c >= 0x40 && c <= 0x7e) {
			le->esc_state = ESC_NONE;
			if (c == 'A') /* up */
				recall(le, le->browsing + 1);
			else if (c == 'B' && le->browsing > 0) /* down */
				recall(le, le->browsing - 1);
		}
		return LINE_PENDING;
	}

	switch (c) {
	case '\r':
	case '\n':
		if (c == '\n' && was_cr)
			return LINE_PENDING; /* the LF of a CRLF */
		le->last_was_cr = c == '\r';
		le->buf[le->len] = '\0';
		echo(le, "\n", 1);
		remember(le);
		le->len = 0;
		le->browsing = 0;
		return LINE_DONE;
	case 0x7f:
	case '\b':
		if (le->len)
			erase_chars(le, 1);
		return LINE_PENDING;
	case CTRL('U'):
		erase_chars(le, le->len);
		return LINE_PENDING;
	case CTRL('C'):
		echo(le, "^C\n", 3);
		le->len = 0;
		le->browsing = 0;
		le->buf[0] = '\0';
		return LINE_CANCELLED;
	case 0x1b:
		le->esc_state = ESC_SEEN;
		return LINE_PENDING;
	default:
		if ((unsigned char)c < 0x20)
			return LINE_PENDING; /* other control bytes: ignored */
		if (le->len + 1 >= LINEEDIT_MAX) {
			echo(le, "\a", 1); /* full: ring the bell */
			return LINE_PENDING;
		}
		le->buf[le->len++] = c;
		echo(le, &c, 1);
		return LINE_PENDING;
	}
}

/*
 * Line editor for the serial console: feed it input bytes one at a time, it keeps the
 * line and echoes what the terminal should show through a callback. Printable bytes
 * are inserted, Backspace/DEL erases one, Ctrl-U erases the line, Ctrl-C abandons it,
 * CR or LF (CRLF counts once) finishes it. The up and down arrow keys walk through the
 * last LINEEDIT_HISTORY lines; other escape sequences are swallowed.
 */
#ifndef LINEEDIT_H
#define LINEEDIT_H

#include <stddef.h>

#define LINEEDIT_MAX	 128
#define LINEEDIT_HISTORY 8

enum lineedit_result {
	LINE_PENDING,	/* keep feeding */
	LINE_DONE,	/* buf holds a finished line */
	LINE_CANCELLED, /* Ctrl-C: the line was thrown away */
};

struct lineedit {
	char buf[LINEEDIT_MAX];
	size_t len;
	int esc_state; /* position inside an escape sequence */
	int last_was_cr;
	char history[LINEEDIT_HISTORY][LINEEDIT_MAX];
	unsigned int history_count; /* lines ever added; the newest is count - 1 */
	unsigned int browsing;	    /* how far back the arrows went; 0: the new line */
	void (*echo)(const char *s, size_t len, void *ctx);
	void *echo_ctx;
};

void lineedit_init(struct lineedit *le, void (*echo)(const char *, size_t, void *), void *ctx);
enum lineedit_result lineedit_feed(struct lineedit *le, char c);

#endif

/*
 * A ring buffer of variable-length log records. Writers never block: when the buffer is
 * full the oldest records are dropped. Each record has a sequence number, so a reader
 * can tell that it missed some.
 */
#ifndef LOGBUF_H
#define LOGBUF_H

#include <stddef.h>
#include <stdint.h>

struct logbuf {
	char *buf;
	size_t size;	    /* power of two */
	uint64_t head;	    /* byte position of the next record to write */
	uint64_t tail;	    /* byte position of the oldest record */
	uint64_t first_seq; /* sequence number of the record at tail */
	uint64_t next_seq;  /* sequence number the next record gets */
};

struct log_record {
	uint64_t seq;
	int level;
	size_t len; /* full text length, even when truncated on read */
};

/* size must be a power of two, at least 64 bytes. */
void logbuf_init(struct logbuf *lb, char *buf, size_t size);

/* Append one record; text longer than a quarter of the buffer is truncated. */
void logbuf_append(struct logbuf *lb, int level, const char *text, size_t len);

/* Read the record with the smallest sequence number >= *seq into rec and text (NUL
 * terminated, truncated to size). Returns 1 and sets *seq past it, or 0 if none. */
int logbuf_read(const struct logbuf *lb, uint64_t *seq, struct log_record *rec, char *text,
		size_t size);

#endif

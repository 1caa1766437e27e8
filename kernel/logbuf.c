/*
 * Log ring buffer. Records are laid out back to back in a power-of-two byte ring:
 * a 16-byte header (text length, level, sequence number) then the text, padded to the
 * header's alignment (8 bytes on the 64-bit targets). Positions grow without bound and are reduced
 * modulo the size on access, so head - tail is always the number of bytes in use.
 */
#include <string.h>

#include "compiler.h"
#include "logbuf.h"

struct record_header {
	uint32_t len;
	uint32_t level;
	uint64_t seq;
};

static size_t record_size(size_t len)
{
	return sizeof(struct record_header) + ALIGN_UP(len, _Alignof(struct record_header));
}

static void ring_write(struct logbuf *lb, uint64_t pos, const void *src, size_t len)
{
	size_t off = pos & (lb->size - 1);
	size_t first = len < lb->size - off ? len : lb->size - off;

	memcpy(lb->buf + off, src, first);
	memcpy(lb->buf, (const char *)src + first, len - first);
}

static void ring_read(const struct logbuf *lb, uint64_t pos, void *dst, size_t len)
{
	size_t off = pos & (lb->size - 1);
	size_t first = len < lb->size - off ? len : lb->size - off;

	memcpy(dst, lb->buf + off, first);
	memcpy((char *)dst + first, lb->buf, len - first);
}

void logbuf_init(struct logbuf *lb, char *buf, size_t size)
{
	lb->buf = buf;
	lb->size = size;
	lb->head = lb->tail = 0;
	lb->first_seq = lb->next_seq = 0;
}

void logbuf_append(struct logbuf *lb, int level, const char *text, size_t len)
{
	struct record_header h;
	size_t need;

	if (len > lb->size / 4)
		len = lb->size / 4;
	need = record_size(len);

	/* Drop the oldest records until the new one fits. */
	while (lb->head + need - lb->tail > lb->size) {
		struct record_header old;

		ring_read(lb, lb->tail, &old, sizeof(old));
		lb->tail += record_size(old.len);
		lb->first_seq++;
	}

	h.len = (uint32_t)len;
	h.level = (uint32_t)level;
	h.seq = lb->next_seq++;
	ring_write(lb, lb->head, &h, sizeof(h));
	ring_write(lb, lb->head + sizeof(h), text, len);
	lb->head += need;
}

int logbuf_read(const struct logbuf *lb, uint64_t *seq, struct log_record *rec, char *text,
		size_t size)
{
	uint64_t pos = lb->tail;
	struct record_header h;

	if (*seq < lb->first_seq)
		*seq = lb->first_seq;
	while (pos < lb->head) {
		ring_read(lb, pos, &h, sizeof(h));
		if (h.seq >= *seq) {
			size_t n = h.len < size - 1 ? h.len : size - 1;

			ring_read(lb, pos + sizeof(h), text, n);
			text[n] = '\0';
			rec->seq = h.seq;
			rec->level = (int)h.level;
			rec->len = h.len;
			*seq = h.seq + 1;
			return 1;
		}
		pos += record_size(h.len);
	}
	return 0;
}

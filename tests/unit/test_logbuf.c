/*
 * kernel/logbuf.c against a model: a plain list of records that drops the oldest while
 * the bytes in use (per record: a 16-byte header and the text, padded) exceed the ring.
 * Random appends and reads, on every ring size from the smallest up, with the ring and
 * every read buffer in heap blocks of exactly their size, so a copy that wraps wrong or
 * runs one byte long is an AddressSanitizer report or a wrong byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logbuf.h"
#include "unit.h"

#define MODEL_MAX 1024

struct model_record {
	uint64_t seq;
	int level;
	size_t len;
	char *text;
};

struct model {
	size_t size;
	struct model_record r[MODEL_MAX];
	size_t first, count; /* a queue in r[] */
	size_t used;	     /* bytes the records take in the ring */
	uint64_t next_seq;
};

/* The record layout of logbuf.c (tools/gdb/refkernel.py reads it too): this header,
 * then the text padded to the header's alignment: 8 bytes on the 64-bit targets, 4 on
 * i386. */
struct model_header {
	uint32_t len;
	uint32_t level;
	uint64_t seq;
};

static size_t footprint(size_t len)
{
	size_t align = _Alignof(struct model_header);

	return sizeof(struct model_header) + (len + align - 1) / align * align;
}

static struct model_record *model_at(struct model *m, size_t i)
{
	return &m->r[(m->first + i) % MODEL_MAX];
}

static void model_append(struct model *m, int level, const char *text, size_t len)
{
	struct model_record *r;

	if (len > m->size / 4)
		len = m->size / 4; /* logbuf.h: text beyond a quarter is cut */
	while (m->used + footprint(len) > m->size) {
		r = model_at(m, 0);
		m->used -= footprint(r->len);
		free(r->text);
		m->first = (m->first + 1) % MODEL_MAX;
		m->count--;
	}
	r = model_at(m, m->count++);
	r->seq = m->next_seq++;
	r->level = level;
	r->len = len;
	r->text = unit_memdup(text, len);
	m->used += footprint(len);
}

static void model_free(struct model *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(model_at(m, i)->text);
}

/* Read the whole log from `from` with reads of `size` bytes and compare. */
static bool check_read_all(struct unit *t, const struct logbuf *lb, struct model *m, uint64_t from,
			   size_t size, const char *what)
{
	char *text = malloc(size);
	uint64_t seq = from;
	size_t i = 0;
	bool ok = true;

	/* Records older than `from` are skipped; older than the oldest kept, clamped. */
	while (i < m->count && model_at(m, i)->seq < from)
		i++;
	for (;; i++) {
		struct log_record rec = {0};
		uint64_t before = seq;
		int got = logbuf_read(lb, &seq, &rec, text, size);

		if (i == m->count) {
			ok &= UNIT_CHECK(t, got == 0 && seq == before,
					 "%s: read past the newest "
					 "record gave %d",
					 what, got);
			break;
		}
		struct model_record *r = model_at(m, i);
		size_t n = r->len < size - 1 ? r->len : size - 1;

		ok &= UNIT_CHECK(t, got == 1, "%s: record %llu missing", what,
				 (unsigned long long)r->seq);
		if (!ok)
			break;
		ok &= UNIT_CHECK(t,
				 rec.seq == r->seq && rec.level == r->level && rec.len == r->len &&
					 seq == r->seq + 1,
				 "%s: record seq %llu level %d len %zu, expected %llu %d %zu", what,
				 (unsigned long long)rec.seq, rec.level, rec.len,
				 (unsigned long long)r->seq, r->level, r->len);
		ok &= UNIT_CHECK(t, memcmp(text, r->text, n) == 0 && text[n] == '\0',
				 "%s: text of record %llu (%zu of %zu bytes) differs", what,
				 (unsigned long long)r->seq, n, r->len);
		if (!ok)
			break;
	}
	free(text);
	return ok;
}

static void check_state(struct unit *t, const struct logbuf *lb, const struct model *m,
			const char *what)
{
	uint64_t first = m->count ? m->r[m->first].seq : m->next_seq;

	UNIT_CHECK(t,
		   lb->head - lb->tail == m->used && lb->first_seq == first &&
			   lb->next_seq == m->next_seq,
		   "%s: %llu bytes, seq %llu..%llu; model %zu "
		   "bytes, seq %llu..%llu",
		   what, (unsigned long long)(lb->head - lb->tail),
		   (unsigned long long)lb->first_seq, (unsigned long long)lb->next_seq, m->used,
		   (unsigned long long)first, (unsigned long long)m->next_seq);
}

static void fill_text(char *text, size_t len, uint64_t *seed)
{
	for (size_t i = 0; i < len; i++)
		text[i] = (char)unit_rand(seed); /* any byte, NUL included */
}

/* Random appends (short, long, longer than a quarter of the ring) on ring sizes 64 to
 * 4096; after each, the whole log read back with full and with short buffers, and from
 * a random sequence number. */
static void matches_model_under_random_appends(struct unit *t)
{
	uint64_t seed = 0x10cb;
	static struct model m;

	for (size_t size = 64; size <= 4096; size *= 2) {
		char *ring = malloc(size);
		struct logbuf lb;
		char what[64];

		memset(&m, 0, sizeof(m));
		m.size = size;
		logbuf_init(&lb, ring, size);
		snprintf(what, sizeof(what), "ring of %zu", size);
		check_read_all(t, &lb, &m, 0, 64, what);
		for (int op = 0; op < 1500; op++) {
			size_t len;
			char text[2048];
			int level = (int)unit_below(&seed, 8);

			switch (unit_below(&seed, 4)) {
			case 0:
				len = unit_below(&seed, 9);
				break;
			case 1:
				len = unit_below(&seed, size / 4 + 1);
				break;
			case 2:
				len = size / 4 - 8 + unit_below(&seed, 17); /* around the cut */
				break;
			default:
				len = unit_below(&seed, size < 2048 ? size : 2048);
				break;
			}
			if (len > sizeof(text))
				len = sizeof(text);
			fill_text(text, len, &seed);
			logbuf_append(&lb, level, text, len);
			model_append(&m, level, text, len);
			snprintf(what, sizeof(what), "ring of %zu, append %d", size, op);
			check_state(t, &lb, &m, what);
			size_t small = 1 + unit_below(&seed, 24), any = 1 + unit_below(&seed, 300);
			uint64_t from = unit_below(&seed, m.next_seq + 2);

			if (!check_read_all(t, &lb, &m, 0, size, what) ||
			    !check_read_all(t, &lb, &m, 0, small, what) ||
			    !check_read_all(t, &lb, &m, from, any, what))
				break;
		}
		model_free(&m);
		free(ring);
	}
}

static void empty_log_reads_nothing(struct unit *t)
{
	char *ring = malloc(64), text[8] = "x";
	struct logbuf lb;
	struct log_record rec;
	uint64_t seq = 0;

	logbuf_init(&lb, ring, 64);
	UNIT_EXPECT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 0);
	UNIT_EXPECT_EQ(t, seq, 0ull);
	seq = 12345;
	UNIT_EXPECT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 0);
	free(ring);
}

/* The smallest ring: one record of a quarter (16 bytes) takes 32 of its 64 bytes. */
static void smallest_ring_keeps_two_records(struct unit *t)
{
	char *ring = malloc(64), text[32];
	struct logbuf lb;
	struct log_record rec;
	uint64_t seq = 0;

	logbuf_init(&lb, ring, 64);
	logbuf_append(&lb, 1, "0123456789abcdefXYZ", 19); /* cut to 16 */
	logbuf_append(&lb, 2, "second", 6);
	logbuf_append(&lb, 3, "third", 5);
	UNIT_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	UNIT_EXPECT_EQ(t, rec.seq, 1ull); /* the first was dropped */
	UNIT_EXPECT_STREQ(t, text, "second");
	UNIT_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	UNIT_EXPECT_STREQ(t, text, "third");
	UNIT_EXPECT_EQ(t, rec.level, 3);
	UNIT_EXPECT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 0);

	logbuf_init(&lb, ring, 64);
	logbuf_append(&lb, 0, "0123456789abcdefXYZ", 19);
	seq = 0;
	UNIT_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	UNIT_EXPECT_EQ(t, rec.len, (size_t)16);
	UNIT_EXPECT_STREQ(t, text, "0123456789abcdef");
	free(ring);
}

/* A reader that fell behind gets the oldest record left, and can tell from its
 * sequence number how many it missed. */
static void slow_reader_sees_the_gap(struct unit *t)
{
	char *ring = malloc(256), text[64];
	struct logbuf lb;
	struct log_record rec;
	uint64_t seq = 0;

	logbuf_init(&lb, ring, 256);
	for (int i = 0; i < 100; i++) {
		char line[24];

		snprintf(line, sizeof(line), "line %d", i);
		logbuf_append(&lb, 6, line, strlen(line));
	}
	UNIT_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	UNIT_EXPECT_EQ(t, rec.seq, lb.first_seq);
	UNIT_EXPECT_GT(t, rec.seq, 80ull);
	UNIT_EXPECT_EQ(t, (uint64_t)strtoul(text + 5, NULL, 10), rec.seq);
	free(ring);
}

/* A read buffer of one byte gets just the terminator, and the full length. */
static void one_byte_reads(struct unit *t)
{
	char *ring = malloc(128), *text = malloc(1);
	struct logbuf lb;
	struct log_record rec;
	uint64_t seq = 0;

	logbuf_init(&lb, ring, 128);
	logbuf_append(&lb, 4, "hello", 5);
	UNIT_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, 1), 1);
	UNIT_EXPECT_EQ(t, text[0], '\0');
	UNIT_EXPECT_EQ(t, rec.len, (size_t)5);
	free(text);
	free(ring);
}

UNIT_SUITE(logbuf, UNIT_CASE(empty_log_reads_nothing), UNIT_CASE(smallest_ring_keeps_two_records),
	   UNIT_CASE(slow_reader_sees_the_gap), UNIT_CASE(one_byte_reads),
	   UNIT_CASE(matches_model_under_random_appends));

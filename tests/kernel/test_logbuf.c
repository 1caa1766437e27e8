/* The log ring buffer: records come back in order with their levels and sequence
 * numbers; when full, the oldest records go first and readers can tell. */
#include <stdio.h>
#include <string.h>

#include "ktest.h"
#include "logbuf.h"

static char storage[256];

static void reads_back_in_order(struct ktest *t)
{
	struct logbuf lb;
	struct log_record rec;
	char text[64];
	uint64_t seq = 0;

	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, 3, "first", 5);
	logbuf_append(&lb, 6, "second", 6);

	KTEST_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	KTEST_EXPECT_STREQ(t, text, "first");
	KTEST_EXPECT_EQ(t, rec.level, 3);
	KTEST_EXPECT_EQ(t, rec.seq, 0u);
	KTEST_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	KTEST_EXPECT_STREQ(t, text, "second");
	KTEST_EXPECT_EQ(t, rec.seq, 1u);
	KTEST_EXPECT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 0);
}

static void drops_oldest_when_full(struct ktest *t)
{
	struct logbuf lb;
	struct log_record rec;
	char text[64], want[16];
	uint64_t seq = 0, expect_seq;
	int count = 0;

	logbuf_init(&lb, storage, sizeof(storage));
	/* Each record takes 16 + 8 bytes: 100 of them wrap the 256-byte ring many times. */
	for (int i = 0; i < 100; i++) {
		snprintf(want, sizeof(want), "msg%03d", i);
		logbuf_append(&lb, i % 8, want, strlen(want));
	}
	KTEST_EXPECT_EQ(t, lb.next_seq, 100u);
	KTEST_EXPECT_LE(t, lb.head - lb.tail, (uint64_t)sizeof(storage));
	KTEST_EXPECT_GT(t, lb.first_seq, 0u);

	/* What survives is the newest, contiguous, intact. */
	expect_seq = lb.first_seq;
	while (logbuf_read(&lb, &seq, &rec, text, sizeof(text))) {
		snprintf(want, sizeof(want), "msg%03d", (int)rec.seq);
		KTEST_EXPECT_EQ(t, rec.seq, expect_seq);
		KTEST_EXPECT_STREQ(t, text, want);
		KTEST_EXPECT_EQ(t, rec.level, (int)(rec.seq % 8));
		expect_seq++;
		count++;
	}
	KTEST_EXPECT_EQ(t, expect_seq, 100u);
	KTEST_EXPECT_EQ(t, count, 256 / 24); /* as many as fit */
}

static void reader_skips_lost_records(struct ktest *t)
{
	struct logbuf lb;
	struct log_record rec;
	char text[64];
	uint64_t seq = 0;

	logbuf_init(&lb, storage, sizeof(storage));
	for (int i = 0; i < 50; i++)
		logbuf_append(&lb, 6, "x", 1);
	/* A reader that stopped at 0 resumes at the oldest record still there. */
	KTEST_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	KTEST_EXPECT_EQ(t, rec.seq, lb.first_seq);
	KTEST_EXPECT_EQ(t, seq, lb.first_seq + 1);
}

static void truncates_long_records(struct ktest *t)
{
	struct logbuf lb;
	struct log_record rec;
	char big[200], text[200];
	uint64_t seq = 0;

	memset(big, 'a', sizeof(big));
	logbuf_init(&lb, storage, sizeof(storage));
	logbuf_append(&lb, 6, big, sizeof(big));
	KTEST_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, sizeof(text)), 1);
	KTEST_EXPECT_EQ(t, rec.len, sizeof(storage) / 4); /* a quarter of the ring */
	KTEST_EXPECT_EQ(t, strlen(text), sizeof(storage) / 4);

	/* A reader's small buffer gets a terminated prefix. */
	seq = 0;
	KTEST_ASSERT_EQ(t, logbuf_read(&lb, &seq, &rec, text, 5), 1);
	KTEST_EXPECT_STREQ(t, text, "aaaa");
}

KTEST_SUITE(logbuf, KTEST_CASE(reads_back_in_order), KTEST_CASE(drops_oldest_when_full),
	    KTEST_CASE(reader_skips_lost_records), KTEST_CASE(truncates_long_records));

/* printk: levels parsed from the KERN_ prefix, every message in the ring buffer, only
 * important ones on the console. */
#include <string.h>

#include "ktest.h"
#include "printk.h"

/* The newest record in the kernel log. */
static int last_record(struct log_record *rec, char *text, size_t size)
{
	uint64_t seq = printk_log.next_seq - 1;

	return logbuf_read(&printk_log, &seq, rec, text, size);
}

static void stores_level_and_text(struct ktest *t)
{
	struct log_record rec;
	char text[128];
	int saved = console_loglevel;

	console_loglevel = 0; /* keep the test's messages off the console */
	printk(KERN_ERR "ktest error %d\n", 42);
	console_loglevel = saved;
	KTEST_ASSERT_EQ(t, last_record(&rec, text, sizeof(text)), 1);
	KTEST_EXPECT_EQ(t, rec.level, 3);
	KTEST_EXPECT_STREQ(t, text, "ktest error 42\n");
}

static void default_level_without_prefix(struct ktest *t)
{
	struct log_record rec;
	char text[128];
	int saved = console_loglevel;

	console_loglevel = 0;
	printk("plain message\n");
	pr_debug("debug message\n");
	console_loglevel = saved;
	KTEST_ASSERT_EQ(t, last_record(&rec, text, sizeof(text)), 1);
	KTEST_EXPECT_EQ(t, rec.level, 7);
	KTEST_EXPECT_STREQ(t, text, "debug message\n");
	{
		uint64_t seq = printk_log.next_seq - 2;

		KTEST_ASSERT_EQ(t, logbuf_read(&printk_log, &seq, &rec, text, sizeof(text)), 1);
		KTEST_EXPECT_EQ(t, rec.level, LOGLEVEL_DEFAULT);
	}
}

static void sequence_numbers_increase(struct ktest *t)
{
	uint64_t before = printk_log.next_seq;
	int saved = console_loglevel;

	console_loglevel = 0;
	for (int i = 0; i < 5; i++)
		pr_info("message %d\n", i);
	console_loglevel = saved;
	KTEST_EXPECT_EQ(t, printk_log.next_seq, before + 5);
}

static void returns_length(struct ktest *t)
{
	int saved = console_loglevel;
	int n;

	console_loglevel = 0;
	n = printk(KERN_INFO "%s-%d", "abc", 7);
	console_loglevel = saved;
	KTEST_EXPECT_EQ(t, n, 5);
}

KTEST_SUITE(printk, KTEST_CASE(stores_level_and_text), KTEST_CASE(default_level_without_prefix),
	    KTEST_CASE(sequence_numbers_increase), KTEST_CASE(returns_length));

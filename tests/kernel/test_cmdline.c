/* Kernel command line lookup and shell word splitting. */
#include "kernel.h"
#include "ktest.h"
#include "shell.h"

static void finds_values(struct ktest *t)
{
	const char *cmdline = "console=ttyS0  loglevel=5 quiet ktest=off";
	char buf[16];

	KTEST_EXPECT_TRUE(t, cmdline_get(cmdline, "loglevel", buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "5");
	KTEST_EXPECT_TRUE(t, cmdline_get(cmdline, "ktest", buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "off");
	KTEST_EXPECT_TRUE(t, cmdline_get(cmdline, "quiet", buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "");
}

static void matches_whole_keys(struct ktest *t)
{
	char buf[16];

	/* "log" is not "loglevel", and "console" is not "consoleblank". */
	KTEST_EXPECT_FALSE(t, cmdline_get("loglevel=5", "log", buf, sizeof(buf)));
	KTEST_EXPECT_FALSE(t, cmdline_get("consoleblank=0", "console", buf, sizeof(buf)));
	KTEST_EXPECT_FALSE(t, cmdline_get("", "quiet", buf, sizeof(buf)));
}

static void truncates_long_values(struct ktest *t)
{
	char buf[4];

	KTEST_EXPECT_TRUE(t, cmdline_get("root=/dev/vda1", "root", buf, sizeof(buf)));
	KTEST_EXPECT_STREQ(t, buf, "/de");
}

static void splits_shell_words(struct ktest *t)
{
	char line[] = "  poweroff\t 3   extra ";
	char *argv[4];
	int argc = shell_split(line, argv, 4);

	KTEST_ASSERT_EQ(t, argc, 3);
	KTEST_EXPECT_STREQ(t, argv[0], "poweroff");
	KTEST_EXPECT_STREQ(t, argv[1], "3");
	KTEST_EXPECT_STREQ(t, argv[2], "extra");
}

static void unknown_command_is_an_error(struct ktest *t)
{
	char line[] = "definitely-not-a-command";

	KTEST_EXPECT_LT(t, shell_execute(line), 0);
}

KTEST_SUITE(cmdline, KTEST_CASE(finds_values), KTEST_CASE(matches_whole_keys),
	    KTEST_CASE(truncates_long_values), KTEST_CASE(splits_shell_words),
	    KTEST_CASE(unknown_command_is_an_error));

/* The console shell. Commands are a table below; each prints its own output. */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "console.h"
#include "errors.h"
#include "kernel.h"
#include "lineedit.h"
#include "printk.h"
#include "shell.h"
#include "trap.h"

#define SHELL_MAX_ARGS 8

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_printf("refkernel %s %s (%s) %s, libc %s\n", kernel_version, arch_name,
		       TARGET_NAME, kernel_toolchain, CONFIG_LIBC_NAME);
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	long status = 0;

	if (argc > 1) {
		char *end;

		status = strtol(argv[1], &end, 0);
		if (*end || status < 0 || status > 127) {
			console_printf("poweroff: status must be 0..127\n");
			return -E_INVAL;
		}
	}
	console_printf("Powering off (status %ld)\n", status);
	arch_poweroff((int)status);
}

static int cmd_log(int argc, char **argv)
{
	struct log_record rec;
	char text[512];
	uint64_t seq = 0;

	(void)argc;
	(void)argv;
	while (logbuf_read(&printk_log, &seq, &rec, text, sizeof(text)))
		console_printf("<%d>%s", rec.level, text);
	return 0;
}

/* Deliberate crashes, to see (and test) the crash reports. */
static int cmd_crash(int argc, char **argv)
{
	static const struct {
		const char *name;
		enum trap_kind kind;
	} kinds[] = {
		{ "illegal", TRAP_ILLEGAL_INSTRUCTION },
		{ "breakpoint", TRAP_BREAKPOINT },
		{ "misaligned", TRAP_MISALIGNED_ACCESS },
		{ "access", TRAP_BAD_ACCESS },
		{ "divide", TRAP_DIVIDE_ERROR },
	};

	if (argc == 2 && strcmp(argv[1], "panic") == 0)
		panic("deliberate panic from the shell");
	for (size_t i = 0; argc == 2 && i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(argv[1], kinds[i].name) == 0) {
			if (!arch_raise(kinds[i].kind))
				console_printf("crash: %s does not trap on %s\n", argv[1], arch_name);
			return -E_NOTSUP;
		}
	}
	console_printf("usage: crash panic|illegal|breakpoint|misaligned|access|divide\n");
	return -E_INVAL;
}

static const struct shell_command commands[] = {
	{ "help", "", "list the commands", cmd_help },
	{ "version", "", "print the kernel version and build", cmd_version },
	{ "log", "", "print the kernel log (printk ring buffer)", cmd_log },
	{ "crash", "<kind>", "crash on purpose: panic, illegal, breakpoint, access...", cmd_crash },
	{ "poweroff", "[status]", "power off; the host sees status (default 0)",
	  cmd_poweroff },
};

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		console_printf("  %-9s %-9s %s\n", commands[i].name, commands[i].args,
			       commands[i].help);
	return 0;
}

int shell_split(char *line, char **argv, int max)
{
	int argc = 0;

	while (*line && argc < max) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	while (*line == ' ' || *line == '\t')
		*line++ = '\0';
	return argc;
}

int shell_execute(char *line)
{
	char *argv[SHELL_MAX_ARGS];
	int argc = shell_split(line, argv, SHELL_MAX_ARGS);

	if (argc == 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].run(argc, argv);
	console_printf("%s: unknown command (try 'help')\n", argv[0]);
	return -E_NOENT;
}

static void echo_to_console(const char *s, size_t len, void *ctx)
{
	(void)ctx;
	console_write(s, len);
}

void shell_run(void)
{
	struct lineedit le;

	lineedit_init(&le, echo_to_console, NULL);
	for (;;) {
		console_puts("> ");
		for (;;) {
			int c = console_getc();

			if (c < 0) {
				arch_cpu_relax();
				continue;
			}
			if (lineedit_feed(&le, (char)c) != LINE_PENDING)
				break;
		}
		shell_execute(le.buf);
		le.buf[0] = '\0';
	}
}

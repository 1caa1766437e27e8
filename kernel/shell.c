/* The console shell. Commands are a table below; each prints its own output. */
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "console.h"
#include "errors.h"
#include "heap.h"
#include "irq.h"
#include "pmm.h"
#include "ktime.h"
#include "kernel.h"
#include "lineedit.h"
#include "printk.h"
#include "shell.h"
#include "thread.h"
#include "trap.h"

#define SHELL_MAX_ARGS 8

static int cmd_help(int argc, char **argv);

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_printf("refkernel %s %s (%s) %s, libc %s\n", kernel_version, arch_name, TARGET_NAME,
		       kernel_toolchain, CONFIG_LIBC_NAME);
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
		{"illegal", TRAP_ILLEGAL_INSTRUCTION},	{"breakpoint", TRAP_BREAKPOINT},
		{"misaligned", TRAP_MISALIGNED_ACCESS}, {"access", TRAP_BAD_ACCESS},
		{"divide", TRAP_DIVIDE_ERROR},
	};

	if (argc == 2 && strcmp(argv[1], "panic") == 0)
		panic("deliberate panic from the shell");
	for (size_t i = 0; argc == 2 && i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(argv[1], kinds[i].name) == 0) {
			if (!arch_raise(kinds[i].kind))
				console_printf("crash: %s does not trap on %s\n", argv[1],
					       arch_name);
			return -E_NOTSUP;
		}
	}
	console_printf("usage: crash panic|illegal|breakpoint|misaligned|access|divide\n");
	return -E_INVAL;
}

static int cmd_mem(int argc, char **argv)
{
	struct pmm_stats ps;
	struct heap_stats hs;
	uint64_t base, size;

	(void)argc;
	(void)argv;
	pmm_stats(&ps);
	heap_stats(&hs);
	for (unsigned int i = 0; pmm_usable_range(i, &base, &size); i++) {
		uint64_t end = base + size;

		console_printf("  usable %#014llx-%#014llx %8llu KiB\n", (unsigned long long)base,
			       (unsigned long long)end, (unsigned long long)(size >> 10));
	}
	console_printf("pages: %llu managed, %llu free (%llu below 4 GiB)\n",
		       (unsigned long long)ps.total_pages, (unsigned long long)ps.free_pages,
		       (unsigned long long)ps.zone_free[ZONE_DMA32]);
	console_printf("heap: %llu objects, %llu slab pages, %llu large pages\n",
		       (unsigned long long)hs.allocations, (unsigned long long)hs.slab_pages,
		       (unsigned long long)hs.large_pages);
	return 0;
}

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ns = time_now_ns();

	(void)argc;
	(void)argv;
	console_printf("up %llu.%03llu s\n", (unsigned long long)(ns / NSEC_PER_SEC),
		       (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_MSEC));
	return 0;
}

static int cmd_irqs(int argc, char **argv)
{
	const struct irq_chip *chip = irq_get_chip();
	struct irq_stat st;

	(void)argc;
	(void)argv;
	console_printf("controller: %s\n", chip ? chip->name : "none");
	console_printf("  %5s %12s  %s\n", "line", "count", "name");
	for (unsigned int i = 0; irq_stat(i, &st); i++)
		console_printf("  %5u %12llu  %s\n", st.line, (unsigned long long)st.count,
			       st.name);
	console_printf("total %llu, spurious %llu\n", (unsigned long long)irq_total(),
		       (unsigned long long)irq_spurious());
	return 0;
}

static int cmd_threads(int argc, char **argv)
{
	enum { MAX_LISTED = 64 };
	struct thread_info *info = kcalloc(MAX_LISTED, sizeof(*info));
	struct sched_stats st;
	size_t n;

	(void)argc;
	(void)argv;
	if (!info)
		return -E_NOSPC;
	n = thread_list(info, MAX_LISTED);
	console_printf("%4s %-16s %-8s %4s %3s %12s %13s\n", "id", "name", "state", "prio", "cpu",
		       "run ms", "stack used");
	for (size_t i = 0; i < n && i < MAX_LISTED; i++)
		console_printf("%4u %-16s %-8s %2d%s %3u %12llu %6zu/%-6zu\n", info[i].id,
			       info[i].name, thread_state_name(info[i].state), info[i].prio,
			       info[i].prio != info[i].base_prio ? "*" : " ", info[i].cpu,
			       (unsigned long long)(info[i].run_ns / NSEC_PER_MSEC),
			       info[i].stack_used, info[i].stack_size);
	if (n > MAX_LISTED)
		console_printf("... and %zu more\n", n - MAX_LISTED);
	sched_stats(&st);
	console_printf("%u threads, %llu context switches (%llu preemptions)\n", st.live,
		       (unsigned long long)st.context_switches, (unsigned long long)st.preemptions);
	kfree(info);
	return 0;
}

static int cmd_sleep(int argc, char **argv)
{
	char *end;
	unsigned long ms = argc == 2 ? strtoul(argv[1], &end, 0) : 0;

	if (argc != 2 || *end || ms > 60000) {
		console_printf("usage: sleep <milliseconds, up to 60000>\n");
		return -E_INVAL;
	}
	sleep_ns(ms * NSEC_PER_MSEC);
	return 0;
}

/* Timer-event latency: arm one event at a time and note, in counter ticks, how late the
 * interrupt entered (irq_enter) and how late the event's function ran. */
struct latency_probe {
	struct timer timer;
	uint64_t deadline;
	volatile bool done;
	uint64_t entry, handler;
};

static void latency_event(struct timer *t, void *arg)
{
	struct latency_probe *p = arg;

	p->handler = arch_counter();
	p->entry = irq_entry_counter();
	p->deadline = t->deadline;
	p->done = true;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

static void print_spread(const char *what, uint64_t *v, unsigned int n)
{
	sort_u64(v, n);
	console_printf("%s: min %llu, median %llu, max %llu ticks (median %llu ns)\n", what,
		       (unsigned long long)v[0], (unsigned long long)v[n / 2],
		       (unsigned long long)v[n - 1],
		       (unsigned long long)time_ticks_to_ns(v[n / 2]));
}

static int cmd_latency(int argc, char **argv)
{
	static uint64_t entry[256], handler[256];
	unsigned long n = argc == 2 ? strtoul(argv[1], NULL, 0) : 100;
	struct latency_probe p;

	if (n == 0 || n > ARRAY_SIZE(entry)) {
		console_printf("usage: latency [runs, 1..%zu]\n", ARRAY_SIZE(entry));
		return -E_INVAL;
	}
	for (unsigned long i = 0; i < n; i++) {
		unsigned long flags = arch_irq_save();

		/* Idle until the event, so that its interrupt is the only one pending. */
		p.done = false;
		timer_init(&p.timer, latency_event, &p);
		timer_start(&p.timer, NSEC_PER_MSEC);
		while (!p.done)
			arch_wait_for_interrupt();
		arch_irq_restore(flags);
		/* An event can also run in an interrupt that entered just before it was due
		 * (the console's): that counts as no entry latency. */
		entry[i] = p.entry > p.deadline ? p.entry - p.deadline : 0;
		handler[i] = p.handler - p.deadline;
	}
	console_printf("timer at %llu Hz, %lu events\n", (unsigned long long)arch_counter_hz(), n);
	print_spread("deadline to interrupt entry", entry, (unsigned int)n);
	print_spread("deadline to event handler", handler, (unsigned int)n);
	return 0;
}

static int cmd_console(int argc, char **argv)
{
	struct console_rx_stats st;

	(void)argc;
	(void)argv;
	console_rx_stats(&st);
	console_printf("receive: %s, %llu bytes, %llu dropped (buffer full), %llu interrupts, "
		       "%u of %u waiting\n",
		       st.interrupt_driven ? "interrupts" : "polling",
		       (unsigned long long)st.received, (unsigned long long)st.overflows,
		       (unsigned long long)st.interrupts, st.waiting, st.capacity);
	return 0;
}

#ifdef CONFIG_IKCONFIG
extern const char kernel_config[]; /* the embedded .config (Makefile, IKCONFIG) */

static int cmd_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_puts(kernel_config);
	return 0;
}
#endif

static int cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_printf("Rebooting\n");
	arch_reboot();
}

static const struct shell_command commands[] = {
	{"help", "", "list the commands", cmd_help},
	{"version", "", "print the kernel version and build", cmd_version},
	{"log", "", "print the kernel log (printk ring buffer)", cmd_log},
#ifdef CONFIG_IKCONFIG
	{"config", "", "print the configuration this kernel was built with", cmd_config},
#endif
	{"mem", "", "the memory map, free pages and the heap", cmd_mem},
	{"uptime", "", "time since boot", cmd_uptime},
	{"irqs", "", "interrupt lines with their counts", cmd_irqs},
	{"console", "", "serial console receive statistics", cmd_console},
	{"threads", "", "every thread: state, priority (* inherited), CPU, run time, stack",
	 cmd_threads},
	{"sleep", "<ms>", "sleep (the CPU idles), without reading input", cmd_sleep},
	{"latency", "[runs]", "timer-event and interrupt-entry latency", cmd_latency},
	{"bench", "<what> [n]", "pages, kmalloc, switch, ipi, loop: cost per operation", cmd_bench},
	{"crash", "<kind>", "crash on purpose: panic, illegal, breakpoint, access...", cmd_crash},
	{"poweroff", "[status]", "power off; the host sees status (default 0)", cmd_poweroff},
	{"reboot", "", "reset the machine", cmd_reboot},
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
		while (lineedit_feed(&le, (char)console_getc_wait()) == LINE_PENDING)
			;
		shell_execute(le.buf);
		le.buf[0] = '\0';
	}
}

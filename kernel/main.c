/* kmain: the portable kernel, from boot information to the shell or the test run. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "console.h"
#include "ktime.h"
#include "pmm.h"
#include "kernel.h"
#include "printk.h"
#include "shell.h"
#include "smp.h"
#include "thread.h"
#include "vm.h"

#ifdef CONFIG_LIBC_PICOLIBC
#include <picolibc.h>
#define LIBC_DESCRIPTION "picolibc " __PICOLIBC_VERSION__
#else
#define LIBC_DESCRIPTION "minimal (in-tree)"
#endif

void kernel_early_init(void)
{
#ifdef CONFIG_LIBC_PICOLIBC
	tls_init();
#endif
}

static void print_banner(const struct boot_info *bi, bool console_from_boot)
{
	uint64_t mem = boot_info_mem_total(bi);

	pr_info("refkernel %s %s (%s)\n", kernel_version, arch_name, TARGET_NAME);
	pr_info("  toolchain %s, libc %s\n", kernel_toolchain, LIBC_DESCRIPTION);
	pr_info("  firmware  %s, boot protocol %s\n", bi->firmware[0] ? bi->firmware : "unknown",
		bi->protocol);
	if (bi->bootloader)
		pr_info("  loader    U-Boot %s%s%s\n", bi->bootloader,
			bi->boot_config ? ", FIT " : "", bi->boot_config ? bi->boot_config : "");
	else
		pr_info("  loader    none (booted directly)\n");
	pr_info("  cpu       id %" PRIu64 " (%s), %u CPU%s found\n", arch_cpu_id(), arch_cpu_mode(),
		bi->cpu_count, bi->cpu_count == 1 ? "" : "s");
	pr_info("  memory    %" PRIu64 " MiB in %u range%s, %u reserved\n", mem >> 20,
		bi->mem_count, bi->mem_count == 1 ? "" : "s", bi->reserved_count);
	pr_info("  console   %s at %#" PRIx64 "%s\n", console_name(),
		console_from_boot ? bi->console.base : (uint64_t)TARGET_EARLY_UART_BASE,
		console_from_boot ? "" : " (early UART: the boot information names none)");
	if (bi->irq_controller)
		pr_info("  irq       %s at %#" PRIx64 "\n", bi->irq_controller,
			bi->irq_controller_base);
	if (bi->timer_hz)
		pr_info("  timer     %" PRIu64 " Hz\n", bi->timer_hz);
	if (bi->acpi_rsdp)
		pr_info("  acpi      RSDP at %#" PRIx64 "\n", bi->acpi_rsdp);
	pr_info("  cmdline   \"%s\"\n", bi->cmdline);
}

void kmain(const struct boot_info *bi)
{
	char value[16];
	bool console_from_boot = console_init(&bi->console) == 0;

	if (cmdline_get(bi->cmdline, "loglevel", value, sizeof(value)))
		console_loglevel = value[0] >= '0' && value[0] <= '8' ? value[0] - '0' : 7;
	print_banner(bi, console_from_boot);

	pmm_init(bi);
	vm_init(bi);
	arch_irq_init(bi);
	time_init();
	sched_init();
	if (console_rx_interrupts(bi->console.irq) < 0)
		pr_warn("console: no receive interrupt (line %d), polling\n", bi->console.irq);
	arch_irq_enable();
	smp_init(bi);

#ifdef CONFIG_KTEST
	/* The test image runs its suites unless booted with ktest=off (for shell tests). */
	if (!cmdline_get(bi->cmdline, "ktest", value, sizeof(value)) || strcmp(value, "off") != 0) {
		int failed = ktest_run_all(bi->cmdline);

		arch_poweroff(failed ? EXIT_TESTS_FAILED : EXIT_OK);
	}
#endif
	/* init=poweroff: stop right after boot (boot-time benchmarks, smoke tests). */
	if (cmdline_get(bi->cmdline, "init", value, sizeof(value)) &&
	    strcmp(value, "poweroff") == 0)
		arch_poweroff(EXIT_OK);
	pr_info("Type 'help' for the list of commands.\n");
	shell_run();
}

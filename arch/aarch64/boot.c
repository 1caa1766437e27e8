/* aarch64 boot: from the entry code's FDT pointer to kmain(). */
#include "aarch64.h"
#include "arch.h"
#include "boot_info.h"

static struct boot_info boot_info = BOOT_INFO_INIT;

__noreturn void aarch64_boot(const void *fdt);

void aarch64_boot(const void *fdt)
{
	kernel_early_init(); /* entry.S has already installed the exception vectors */
	boot_info.boot_cpu_id = arch_cpu_id();
	boot_info_from_fdt(&boot_info, fdt);
	psci_init(boot_info.fdt, boot_info.firmware, sizeof(boot_info.firmware));
	/* The generic timer's frequency, unless the FDT named one. */
	if (!boot_info.timer_hz)
		boot_info.timer_hz = read_sysreg(cntfrq_el0) & CNTFRQ_MASK;
	kmain(&boot_info);
}

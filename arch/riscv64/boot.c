/* riscv64 boot: from the entry code's (hart id, FDT) to kmain(). */
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "riscv.h"

extern char trap_entry[];

uint64_t riscv_boot_hartid;
static struct boot_info boot_info = BOOT_INFO_INIT;

__noreturn void riscv_boot(unsigned long hartid, const void *fdt);

void riscv_boot(unsigned long hartid, const void *fdt)
{
	kernel_early_init();
	/* Direct mode: every trap enters trap_entry (privileged spec 4.1.2, stvec). */
	csr_write(stvec, (unsigned long)trap_entry);
	riscv_boot_hartid = hartid;

	boot_info.boot_cpu_id = hartid;
	boot_info_from_fdt(&boot_info, fdt);
	sbi_describe(boot_info.firmware, sizeof(boot_info.firmware));
	kmain(&boot_info);
}

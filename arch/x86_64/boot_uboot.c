/*
 * x86_64 boot through U-Boot's bootelf: U-Boot loads kernel.elf's segments and calls
 * its ELF entry (uboot_start64 in entry.S) as a function, argc/argv being the words
 * after "bootelf <address>". No memory map or ACPI pointer comes with it: QEMU's fw_cfg
 * "etc/e820" gives the RAM, the BIOS area scan the RSDP.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "kernel.h"
#include "printk.h"
#include "x86.h"

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

#define E820_RAM	1
#define E820_MAX	32
#define LEGACY_AREA_END 0x100000 /* the PC's first MiB: BIOS data, EBDA, ROMs */

static struct boot_info boot_info = {
	.protocol = "U-Boot bootelf", .cmdline = "", .console = {.irq = -1}};
static char cmdline[256];

/* The command line: bootelf's arguments after the address (argv[0] is the first of
 * them), joined by spaces. */
static const char *join_args(long argc, char *const argv[])
{
	size_t len = 0;

	for (long i = 0; i < argc && argv[i]; i++) {
		int n = snprintf(cmdline + len, sizeof(cmdline) - len, "%s%s", len ? " " : "",
				 argv[i]);

		if (n < 0 || (size_t)n >= sizeof(cmdline) - len) {
			pr_warn("U-Boot: command line longer than %zu bytes, cut\n",
				sizeof(cmdline) - 1);
			break;
		}
		len += (size_t)n;
	}
	return cmdline;
}

static void read_e820(struct boot_info *bi)
{
	static struct e820_entry map[E820_MAX];
	long size = fw_cfg_read_file("etc/e820", map, sizeof(map));

	if (size <= 0)
		panic("U-Boot boot: no memory map (QEMU fw_cfg etc/e820 missing)");
	if ((unsigned long)size > sizeof(map))
		pr_warn("U-Boot boot: e820 has more than %d entries, using the first\n", E820_MAX);
	for (long i = 0; i < size / (long)sizeof(map[0]) && i < E820_MAX; i++) {
		if (map[i].type == E820_RAM && boot_info_add_mem(bi, map[i].addr, map[i].size) < 0)
			pr_warn("U-Boot boot: RAM-range table full\n");
	}
	/* fw_cfg's map does not reserve the firmware's areas (platform facts): keep the
	 * first MiB out of reach, as every PC kernel does. The SMP start-up page is low RAM
	 * in it that only U-Boot, now gone, might have used: reserved first, as ours. */
	x86_smp_reserve_trampoline(bi);
	boot_info_add_reserved(bi, 0, LEGACY_AREA_END);
}

void x86_boot_uboot(long argc, char *const argv[])
{
	struct boot_info *bi = &boot_info;

	kernel_early_init();
	x86_trap_init();

	bi->cmdline = join_args(argc, argv);
	read_e820(bi);
	bi->acpi_rsdp = acpi_find_rsdp();
	bi->bootloader = "(bootelf)";
	snprintf(bi->firmware, sizeof(bi->firmware), "U-Boot, 64-bit ELF entry");
	bi->console.kind = CONSOLE_NS16550_PIO;
	bi->console.base = COM1_PORT;
	x86_irq_describe(bi);
	kmain(bi);
}

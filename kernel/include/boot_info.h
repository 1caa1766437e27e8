/*
 * struct boot_info: everything the kernel learns from the boot protocol, in one portable
 * form. The arch fills it (from an FDT on riscv64/aarch64, from PVH's hvm_start_info on
 * x86_64) before kmain(); nothing after kmain asks which protocol booted it.
 */
#ifndef BOOT_INFO_H
#define BOOT_INFO_H

#include <stdint.h>

#define BOOT_MAX_MEM_RANGES 16
#define BOOT_MAX_RESERVED   16
#define BOOT_MAX_CPUS	    32

struct mem_range {
	uint64_t base;
	uint64_t size;
};

enum console_kind {
	CONSOLE_NONE,
	CONSOLE_NS16550_MMIO, /* 16550-compatible, memory-mapped, registers 1 << reg_shift apart */
	CONSOLE_NS16550_PIO,  /* 16550 on x86 I/O ports */
	CONSOLE_PL011,	      /* ARM PrimeCell UART */
};

struct boot_console {
	enum console_kind kind;
	uint64_t base;
	uint32_t reg_shift;
	int32_t irq; /* its interrupt line (the irq_chip's numbering), -1: none */
};

struct boot_info {
	const char *protocol;	 /* "FDT" or "PVH" */
	char firmware[64];	 /* what handed over, e.g. "OpenSBI 1.1 (SBI 1.0)" */
	const char *bootloader;	 /* e.g. "U-Boot 2023.01"; NULL when none ran */
	const char *boot_config; /* the FIT configuration it booted, if any */
	const char *cmdline;	 /* never NULL; "" when there is none */

	struct mem_range mem[BOOT_MAX_MEM_RANGES]; /* usable RAM */
	unsigned int mem_count;
	struct mem_range reserved[BOOT_MAX_RESERVED]; /* firmware/boot data inside RAM */
	unsigned int reserved_count;

	struct boot_console console;
	const char *irq_controller; /* compatible string or name; NULL if unknown */
	uint64_t irq_controller_base;
	uint64_t timer_hz; /* 0 if unknown */

	uint64_t cpu_ids[BOOT_MAX_CPUS]; /* hart ids / MPIDRs / APIC ids */
	unsigned int cpu_count;
	uint64_t boot_cpu_id;

	const void *fdt;    /* the device tree, when there is one */
	uint64_t acpi_rsdp; /* physical address of the ACPI RSDP, 0 if none */
};

/* What a struct boot_info starts as before the boot protocol is read. */
#define BOOT_INFO_INIT                                 \
	{                                              \
		.cmdline = "", .console = {.irq = -1 } \
	}

/* Sum of the usable RAM ranges, in bytes. */
uint64_t boot_info_mem_total(const struct boot_info *bi);

/* Append a range; returns 0 or -E_NOSPC when the table is full. */
int boot_info_add_mem(struct boot_info *bi, uint64_t base, uint64_t size);
int boot_info_add_reserved(struct boot_info *bi, uint64_t base, uint64_t size);

/* Fill bi from a flattened device tree; panics with a clear message on a malformed blob,
 * since there is nothing sensible to boot from then. */
void boot_info_from_fdt(struct boot_info *bi, const void *fdt);

#endif

/*
 * x86_64 boot: from PVH's struct hvm_start_info (entry.S hands over its physical
 * address) to struct boot_info and kmain(). The PVH start info carries what an FDT
 * carries elsewhere: command line, memory map, and where the ACPI tables are.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "kernel.h"
#include "printk.h"
#include "x86.h"

/* The start info and its memory map (xen/include/public/arch-x86/hvm/start_info.h). */
struct hvm_start_info {
	uint32_t magic;	  /* HVM_START_MAGIC */
	uint32_t version; /* the memory map fields exist from version 1 */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr; /* NUL-terminated, 0 if none */
	uint64_t rsdp_paddr;	/* ACPI RSDP, 0 if none */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};
_Static_assert(offsetof(struct hvm_start_info, cmdline_paddr) == 24, "start info layout");
_Static_assert(offsetof(struct hvm_start_info, rsdp_paddr) == 32, "start info layout");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40, "start info layout");
_Static_assert(offsetof(struct hvm_start_info, memmap_entries) == 48, "start info layout");

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types (ACPI 6.5, table 15.1) */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "memory map entry layout");

#define HVM_MEMMAP_TYPE_RAM 1

/* entry.S identity-maps [0, 4 GiB): physical addresses below that are usable pointers. */
#define IDENTITY_MAP_END ((uint64_t)BOOT_IDENTITY_GIB << 30)

static struct boot_info boot_info = {.protocol = "PVH", .cmdline = "", .console = {.irq = -1}};

/* A pointer to size bytes at physical address pa, or NULL if they are not mapped. */
static const void *phys_ptr(uint64_t pa, uint64_t size)
{
	if (pa == 0 || pa >= IDENTITY_MAP_END || size > IDENTITY_MAP_END - pa)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

/* The PC's first MiB: low RAM, then the EBDA, the VGA window and the BIOS. */
#define LEGACY_AREA_END 0x100000

static bool overlaps_ram(const struct boot_info *bi, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < bi->mem_count; i++) {
		if (base < bi->mem[i].base + bi->mem[i].size && bi->mem[i].base < base + size)
			return true;
	}
	return false;
}

/* Is a non-RAM memory-map entry firmware data taken out of RAM, rather than a device
 * window (MMCONFIG, the flash below 4 GiB)? Firmware takes its EBDA and ACPI tables from
 * the top of a RAM block, and owns the first MiB's BIOS area. */
static bool carved_from_ram(const struct boot_info *bi, uint64_t base)
{
	if (base < LEGACY_AREA_END)
		return true;
	for (unsigned int i = 0; i < bi->mem_count; i++) {
		if (base == bi->mem[i].base + bi->mem[i].size)
			return true;
	}
	return false;
}

static void add_reserved(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (boot_info_add_reserved(bi, base, size) < 0)
		pr_warn("PVH: reserved-range table full, dropping [%#lx, +%#lx)\n", base, size);
}

/* RAM first, so that the second pass can tell carve-outs of RAM from device ranges. */
static void read_memmap(struct boot_info *bi, const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *map;
	uint32_t n = si->memmap_entries;

	if (si->version < 1 || n == 0) {
		pr_warn("PVH: the start info (version %u) has no memory map\n", si->version);
		return;
	}
	map = phys_ptr(si->memmap_paddr, (uint64_t)n * sizeof(*map));
	if (!map) {
		pr_warn("PVH: memory map at %#lx is not mapped, ignoring it\n", si->memmap_paddr);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		pr_debug("PVH memmap: [0x%012lx, 0x%012lx) type %u\n", map[i].addr,
			 map[i].addr + map[i].size, map[i].type);
		if (map[i].type == HVM_MEMMAP_TYPE_RAM &&
		    boot_info_add_mem(bi, map[i].addr, map[i].size) < 0)
			pr_warn("PVH: RAM-range table full, dropping [%#lx, +%#lx)\n", map[i].addr,
				map[i].size);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (map[i].type != HVM_MEMMAP_TYPE_RAM && carved_from_ram(bi, map[i].addr))
			add_reserved(bi, map[i].addr, map[i].size);
	}
}

/* Only the -append text (PVH loaders do not add the kernel's name). The kernel keeps
 * pointing at it, so it is reserved like the FDT blob elsewhere. */
static const char *read_cmdline(struct boot_info *bi, uint64_t pa)
{
	const char *s;

	if (pa == 0)
		return "";
	s = phys_ptr(pa, 1);
	if (!s) {
		pr_warn("PVH: command line at %#lx is not mapped, ignoring it\n", pa);
		return "";
	}
	pr_debug("PVH command line at %#lx\n", pa);
	if (overlaps_ram(bi, pa, strlen(s) + 1))
		add_reserved(bi, pa, strlen(s) + 1);
	return s;
}

/* The hypervisor's CPUID signature (leaf 0x40000000, EBX ECX EDX), when CPUID.1:ECX[31]
 * says there is one: the only hint of who ran the PVH loader. NULL on bare metal. */
static const char *hypervisor_name(char sig[13])
{
	static const struct {
		const char *signature, *name;
	} known[] = {
		{"TCGTCGTCGTCG", "QEMU TCG"}, {"KVMKVMKVM", "KVM"},	  {"XenVMMXenVMM", "Xen"},
		{"Microsoft Hv", "Hyper-V"},  {"VMwareVMware", "VMware"},
	};
	struct cpuid_regs r = cpuid(CPUID_FEATURES);

	if (!(r.ecx & CPUID1_ECX_HYPERVISOR))
		return NULL;
	r = cpuid(CPUID_HYPERVISOR_BASE);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(sig, known[i].signature) == 0)
			return known[i].name;
	}
	return sig;
}

static void describe_loader(struct boot_info *bi, const struct hvm_start_info *si)
{
	char sig[13];
	const char *hv = hypervisor_name(sig);

	snprintf(bi->firmware, sizeof(bi->firmware), "%s (hvm_start_info v%u)",
		 hv ? hv : "PVH loader", si->version);
}

void x86_boot(uint64_t start_info_pa)
{
	struct boot_info *bi = &boot_info;
	const struct hvm_start_info *si;

	kernel_early_init();
	x86_trap_init();

	si = phys_ptr(start_info_pa, sizeof(*si));
	if (!si)
		panic("PVH: no start info (ebx = %#lx at entry): boot through a PVH loader",
		      start_info_pa);
	if (si->magic != HVM_START_MAGIC)
		panic("PVH: bad start info magic %#x at %#lx (expected %#x)", si->magic,
		      start_info_pa, HVM_START_MAGIC);

	describe_loader(bi, si);
	read_memmap(bi, si);
	bi->cmdline = read_cmdline(bi, si->cmdline_paddr);
	/* After the command line's reservation, which the start-up page must not hit. */
	x86_smp_reserve_trampoline(bi);
	bi->acpi_rsdp = si->rsdp_paddr;
	bi->console.kind = CONSOLE_NS16550_PIO;
	bi->console.base = COM1_PORT;
	/* CPUs, interrupt controllers and COM1's line, from the ACPI MADT. */
	x86_irq_describe(bi);
	kmain(bi);
}

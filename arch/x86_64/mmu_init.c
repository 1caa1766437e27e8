/*
 * x86_64 kernel page tables at boot (arch_mmu_init). They replace entry.S's identity
 * map (2 MiB pages over [0, 4 GiB), writable and executable everywhere; both ways in,
 * PVH and U-Boot, run on it) with an identity map of the kernel's own:
 *  - the image by section in 4 KiB pages, W^X: text read+exec, rodata read-only, data
 *    and bss read+write;
 *  - RAM (every boot_info range, above 4 GiB too), the firmware data boot_info reserves
 *    (ACPI tables, EBDA) and the first MiB (BIOS data, the SMP start-up page): cached,
 *    read+write, no exec; but not page 0, so that a NULL dereference faults;
 *  - the rest of [0, 4 GiB): devices (local APIC, IOAPIC, HPET, PCI windows, the VGA
 *    window), uncached, read+write, no exec;
 * with the largest pages alignment allows; then CR3, with EFER.NXE (no-exec entries) and
 * CR0.WP (ring 0 honours read-only pages). Secondary CPUs load the same root.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "kernel.h"
#include "pgtable.h"
#include "pmm.h"
#include "printk.h"
#include "x86.h"

/* The device window: what is not memory below it is a device. */
#define DEVICE_WINDOW_END ((uint64_t)1 << 32)
/* The PC's first MiB: BIOS data area, EBDA, option ROMs and the BIOS: memory. */
#define LEGACY_AREA_END	  0x100000
/* ... except the VGA frame buffer window in it, which is a device on every PC. */
#define VGA_WINDOW_START  0xa0000
#define VGA_WINDOW_END	  0xc0000
/* CPUID.80000008H absent: the physical address width is 36 bits (SDM 4.1.4). */
#define DEFAULT_PHYS_BITS 36

#define MAX_SPANS (BOOT_MAX_MEM_RANGES + BOOT_MAX_RESERVED + 1)
#define MAX_CUTS  (2 * MAX_SPANS + 7)

extern char __image_start[], __image_end[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[];

enum region {
	REGION_NONE,   /* left unmapped */
	REGION_DEVICE, /* uncached */
	REGION_MEMORY, /* RAM and firmware data */
	REGION_IMAGE,  /* mapped by section, apart */
};

struct span {
	uint64_t lo, hi;
};

struct run {
	uint64_t lo, hi;
	enum region region;
};

/* The memory spans, image bounds, and the runs the sweep finds: built once, at boot. */
static struct span memory[MAX_SPANS];
static unsigned int memory_count;
static struct span image;
static uint64_t cuts[MAX_CUTS];
static unsigned int cut_count;
static struct run runs[MAX_CUTS];
static unsigned int run_count;

static bool mmu_on;

static void add_memory(uint64_t base, uint64_t size)
{
	if (!size)
		return;
	if (memory_count == MAX_SPANS)
		panic("x86_64 mmu: more than %d memory ranges", MAX_SPANS);
	memory[memory_count++] =
		(struct span){ALIGN_DOWN(base, PAGE_SIZE), ALIGN_UP(base + size, PAGE_SIZE)};
}

static void add_cut(uint64_t a)
{
	if (cut_count == MAX_CUTS)
		panic("x86_64 mmu: more than %d region boundaries", MAX_CUTS);
	cuts[cut_count++] = a;
}

static bool in_span(uint64_t a, struct span s)
{
	return a >= s.lo && a < s.hi;
}

/* What the page at a is: page 0 first, the image, the VGA window, then memory. */
static enum region region_at(uint64_t a)
{
	if (a < PAGE_SIZE)
		return REGION_NONE;
	if (in_span(a, image))
		return REGION_IMAGE;
	if (in_span(a, (struct span){VGA_WINDOW_START, VGA_WINDOW_END}))
		return REGION_DEVICE;
	for (unsigned int i = 0; i < memory_count; i++) {
		if (in_span(a, memory[i]))
			return REGION_MEMORY;
	}
	return a < DEVICE_WINDOW_END ? REGION_DEVICE : REGION_NONE;
}

static void sort_cuts(void)
{
	for (unsigned int i = 1; i < cut_count; i++) {
		uint64_t c = cuts[i];
		unsigned int j = i;

		for (; j > 0 && cuts[j - 1] > c; j--)
			cuts[j] = cuts[j - 1];
		cuts[j] = c;
	}
}

/* Cut the address space at every span's ends; between two cuts the region is the same
 * throughout, so the runs are the stretches between cuts where it changes. */
static void find_runs(void)
{
	add_cut(0);
	add_cut(PAGE_SIZE);
	add_cut(DEVICE_WINDOW_END);
	add_cut(image.lo);
	add_cut(image.hi);
	add_cut(VGA_WINDOW_START);
	add_cut(VGA_WINDOW_END);
	for (unsigned int i = 0; i < memory_count; i++) {
		add_cut(memory[i].lo);
		add_cut(memory[i].hi);
	}
	sort_cuts();
	/* The last cut is the end of everything: nothing lies at or above it. */
	for (unsigned int i = 0; i + 1 < cut_count; i++) {
		enum region r = region_at(cuts[i]);

		if (cuts[i] == cuts[i + 1])
			continue;
		if (run_count && runs[run_count - 1].region == r &&
		    runs[run_count - 1].hi == cuts[i])
			runs[run_count - 1].hi = cuts[i + 1];
		else
			runs[run_count++] = (struct run){cuts[i], cuts[i + 1], r};
	}
}

static void map_or_panic(uint64_t lo, uint64_t hi, unsigned int prot, bool large, const char *what)
{
	int err = pt_map_locked((uintptr_t)lo, lo, hi - lo, prot, large);

	if (err)
		panic("x86_64 mmu: cannot map %s [%#" PRIx64 ", %#" PRIx64 "): %s", what, lo, hi,
		      error_name(err));
}

static void map_runs(enum region region, unsigned int prot, const char *what)
{
	for (unsigned int i = 0; i < run_count; i++) {
		if (runs[i].region == region)
			map_or_panic(runs[i].lo, runs[i].hi, prot, true, what);
	}
}

/* The image in 4 KiB pages, so that each part gets its own protection. The PVH note
 * sits before __text_start in the first page: it goes with the text. */
static void map_image(void)
{
	uint64_t text_end = (uintptr_t)__text_end, rodata_end = (uintptr_t)__rodata_end;

	if (!IS_ALIGNED(text_end, PAGE_SIZE) || !IS_ALIGNED(rodata_end, PAGE_SIZE) ||
	    text_end != (uintptr_t)__rodata_start || rodata_end != (uintptr_t)__data_start)
		panic("x86_64 mmu: the linker script must page-align text, rodata and data");
	map_or_panic(image.lo, text_end, VM_READ | VM_EXEC, false, "kernel text");
	map_or_panic(text_end, rodata_end, VM_READ, false, "kernel rodata");
	map_or_panic(rodata_end, image.hi, VM_READ | VM_WRITE, false, "kernel data");
}

/* NX is what W^X rests on: without it data would be executable. */
static void check_cpu(bool *gib_pages, unsigned int *phys_bits)
{
	uint32_t max_ext = cpuid(CPUID_EXT_MAX).eax;
	struct cpuid_regs r;

	if (max_ext < CPUID_EXT_FEATURES)
		panic("x86_64 mmu: no CPUID leaf %#x: cannot tell whether the CPU has the "
		      "execute-disable bit that W^X needs",
		      CPUID_EXT_FEATURES);
	r = cpuid(CPUID_EXT_FEATURES);
	if (!(r.edx & CPUID_EXT_EDX_NX))
		panic("x86_64 mmu: the CPU has no execute-disable bit (CPUID %#x EDX[20]), which "
		      "W^X needs (QEMU: a -cpu model with nx)",
		      CPUID_EXT_FEATURES);
	*gib_pages = r.edx & CPUID_EXT_EDX_PAGE1GB;
	*phys_bits = max_ext >= CPUID_ADDR_SIZES ? cpuid(CPUID_ADDR_SIZES).eax & 0xff
						 : DEFAULT_PHYS_BITS;
	/* VM_DEVICE is PCD|PWT, PAT entry 3: uncached as long as firmware left it so. */
	if (cpuid(CPUID_FEATURES).edx & CPUID1_EDX_PAT) {
		uint64_t pat = rdmsr(MSR_PAT);

		if (((pat >> PAT_ENTRY_SHIFT(3)) & PAT_TYPE_MASK) != PAT_TYPE_UC)
			panic("x86_64 mmu: PAT entry 3 is not uncached (IA32_PAT = %#" PRIx64
			      "): device mappings would be cached",
			      pat);
	}
}

/* This CPU onto the kernel tables: no-exec entries allowed before they are live, ring 0
 * stopped at read-only pages, and no global pages, which clearing CR4.PGE also drops
 * from the TLB (firmware's tables may have had some: U-Boot's identity map). */
static void load_tables(uint64_t root)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr(0, read_cr(0) | CR0_WP);
	write_cr(3, root);
	write_cr(4, read_cr(4) & ~CR4_PGE);
}

/* The TSC is not calibrated yet (arch_irq_init does it): cycles, not time. */
static void report(uint64_t cycles, const struct pt_stats *before_ram,
		   const struct pt_stats *after_ram, const struct pt_stats *all)
{
	pr_info("x86_64 mmu: %u page-table pages (%u KiB); leaves 1 GiB %lu, 2 MiB %lu, "
		"4 KiB %lu\n",
		all->tables, all->tables * (unsigned int)(PAGE_SIZE / 1024), all->leaves[2],
		all->leaves[1], all->leaves[0]);
	pr_info("x86_64 mmu: memory in 1 GiB %lu, 2 MiB %lu, 4 KiB %lu pages; built in %" PRIu64
		" TSC cycles\n",
		after_ram->leaves[2] - before_ram->leaves[2],
		after_ram->leaves[1] - before_ram->leaves[1],
		after_ram->leaves[0] - before_ram->leaves[0], cycles);
}

void arch_mmu_init(const struct boot_info *bi)
{
	uint64_t start = arch_counter(), root;
	struct pt_stats before_ram, after_ram, all;
	unsigned int phys_bits;
	bool gib_pages;

	check_cpu(&gib_pages, &phys_bits);
	root = pt_create(gib_pages, phys_bits);
	if (!root)
		panic("x86_64 mmu: no free page below 4 GiB for the page-table root");

	image = (struct span){ALIGN_DOWN((uintptr_t)__image_start, PAGE_SIZE),
			      ALIGN_UP((uintptr_t)__image_end, PAGE_SIZE)};
	for (unsigned int i = 0; i < bi->mem_count; i++)
		add_memory(bi->mem[i].base, bi->mem[i].size);
	for (unsigned int i = 0; i < bi->reserved_count; i++)
		add_memory(bi->reserved[i].base, bi->reserved[i].size);
	add_memory(0, LEGACY_AREA_END);
	find_runs();

	map_image();
	pt_get_stats(&before_ram);
	map_runs(REGION_MEMORY, VM_READ | VM_WRITE, "memory");
	pt_get_stats(&after_ram);
	map_runs(REGION_DEVICE, VM_READ | VM_WRITE | VM_DEVICE, "devices");
	pt_get_stats(&all);

	load_tables(root);
	mmu_on = true;
	report(arch_counter() - start, &before_ram, &after_ram, &all);
}

/* Started CPUs arrive on these tables already (trampoline.S loads the boot CPU's CR3,
 * EFER, CR0 and CR4, saved after arch_mmu_init): this makes it so whatever the way in. */
void arch_mmu_init_cpu(void)
{
	if (mmu_on)
		load_tables(pt_root());
}

uint64_t arch_mmu_root(void)
{
	return mmu_on ? pt_root() : 0;
}

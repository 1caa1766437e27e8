/*
 * The kernel's address space at boot (arch_mmu_init) and the MMU switched on, on the
 * boot CPU and then on each other CPU. Identity: virtual = physical. Mapped are
 *   - the image by section with W^X, in 4 KiB pages: text R+X, rodata R, data..end R+W;
 *   - every RAM range of boot_info around the image, R+W no-exec, 1 GiB and 2 MiB
 *     blocks where aligned;
 *   - the device window: all of [4 KiB, 4 GiB) that is neither, as Device-nGnRE R+W
 *     no-exec (on QEMU virt: flash, GIC, PL011, RTC, GPIO, virtio-mmio, PCIe windows).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "aarch64.h"
#include "aarch64_mmu.h"
#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "kernel.h"
#include "pmm.h"
#include "printk.h"

_Static_assert(offsetof(struct aarch64_mmu_regs, mair) == MMU_REGS_MAIR, "mmu regs: mair");
_Static_assert(offsetof(struct aarch64_mmu_regs, tcr) == MMU_REGS_TCR, "mmu regs: tcr");
_Static_assert(offsetof(struct aarch64_mmu_regs, ttbr0) == MMU_REGS_TTBR0, "mmu regs: ttbr0");
_Static_assert(sizeof(struct aarch64_mmu_regs) == MMU_REGS_SIZE, "mmu regs: size");

/* Read by secondary.S with the MMU off: kept clean to memory (see arch_mmu_init). */
struct aarch64_mmu_regs aarch64_mmu_regs;

/* The device window ends here: every 32-bit physical address that is not RAM. */
#define DEVICE_WINDOW_END (UL(1) << 32)

extern char __image_start[], __image_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[];

/* Map or panic: at boot a failure leaves the kernel without part of its memory. */
static void boot_map(const char *what, uint64_t base, uint64_t end, unsigned int prot, bool large)
{
	int err;

	if (end <= base)
		return;
	err = arch_map((uintptr_t)base, base, end - base, prot, large);
	if (err)
		panic("mmu: cannot map %s %#" PRIx64 "..%#" PRIx64 ": %s", what, base, end,
		      error_name(err));
}

/* The output address size this kernel uses (TCR_EL1.IPS encoding) after checking the
 * CPU has what the tables need; its limit in *limit. */
static uint64_t check_cpu(uint64_t *limit)
{
	static const unsigned int pa_bits[] = {32, 36, 40, 42, 44, 48, 52};
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
	uint64_t parange = mmfr0 & ID_AA64MMFR0_PARANGE_MASK;

	if (((mmfr0 >> ID_AA64MMFR0_TGRAN4_SHIFT) & ID_AA64MMFR0_TGRAN4_MASK) ==
	    ID_AA64MMFR0_TGRAN4_NONE)
		panic("mmu: this CPU has no 4 KiB translation granule (ID_AA64MMFR0_EL1 %#" PRIx64
		      ")",
		      mmfr0);
	if (parange >= ARRAY_SIZE(pa_bits))
		panic("mmu: unknown physical address range %" PRIu64 " in ID_AA64MMFR0_EL1",
		      parange);
	/* 52-bit output addresses need the LPA2 descriptor format: stay at 48. */
	if (parange > ID_AA64MMFR0_PARANGE_48)
		parange = ID_AA64MMFR0_PARANGE_48;
	*limit = UL(1) << pa_bits[parange];
	return parange;
}

/* RAM [base, end) minus the image, which is mapped by section. */
static void map_ram(uint64_t base, uint64_t end)
{
	uint64_t img_start = (uintptr_t)__image_start, img_end = (uintptr_t)__image_end;

	if (end <= img_start || base >= img_end) {
		boot_map("RAM", base, end, VM_READ | VM_WRITE, true);
		return;
	}
	boot_map("RAM", base, img_start, VM_READ | VM_WRITE, true);
	boot_map("RAM", img_end, end, VM_READ | VM_WRITE, true);
}

struct interval {
	uint64_t base, end;
};

/* Everything below DEVICE_WINDOW_END that is not RAM or the image, as devices. */
static void map_device_window(const struct boot_info *bi)
{
	struct interval used[BOOT_MAX_MEM_RANGES + 1];
	unsigned int n = 0;
	uint64_t at = PAGE_SIZE; /* page 0 stays unmapped: a NULL access faults */

	used[n++] = (struct interval){(uintptr_t)__image_start, (uintptr_t)__image_end};
	for (unsigned int i = 0; i < bi->mem_count; i++)
		used[n++] =
			(struct interval){ALIGN_DOWN(bi->mem[i].base, PAGE_SIZE),
					  ALIGN_UP(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE)};
	for (unsigned int i = 1; i < n; i++) /* insertion sort by base: a handful */
		for (unsigned int j = i; j > 0 && used[j - 1].base > used[j].base; j--) {
			struct interval t = used[j];

			used[j] = used[j - 1];
			used[j - 1] = t;
		}
	for (unsigned int i = 0; i < n && at < DEVICE_WINDOW_END; i++) {
		if (used[i].base > at)
			boot_map("the device window", at,
				 used[i].base < DEVICE_WINDOW_END ? used[i].base
								  : DEVICE_WINDOW_END,
				 VM_READ | VM_WRITE | VM_DEVICE, true);
		if (used[i].end > at)
			at = used[i].end;
	}
	if (at < DEVICE_WINDOW_END)
		boot_map("the device window", at, DEVICE_WINDOW_END, VM_READ | VM_WRITE | VM_DEVICE,
			 true);
}

void arch_mmu_init(const struct boot_info *bi)
{
	uint64_t t0 = arch_counter(), t1, limit, ips, root;
	struct mmu_counts before_ram, after_ram, total;

	ips = check_cpu(&limit);
	mmu_set_pa_limit(limit);
	for (unsigned int i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].base + bi->mem[i].size > limit)
			panic("mmu: RAM %#" PRIx64 "+%#" PRIx64 " lies beyond this CPU's %#" PRIx64
			      "-byte physical address space",
			      bi->mem[i].base, bi->mem[i].size, limit);
	root = mmu_tables_create();

	boot_map("kernel text", (uintptr_t)__text_start, (uintptr_t)__text_end, VM_READ | VM_EXEC,
		 false);
	boot_map("kernel rodata", (uintptr_t)__rodata_start, (uintptr_t)__rodata_end, VM_READ,
		 false);
	boot_map("kernel data", (uintptr_t)__data_start, (uintptr_t)__image_end, VM_READ | VM_WRITE,
		 false);
	mmu_counts(&before_ram);
	for (unsigned int i = 0; i < bi->mem_count; i++)
		map_ram(ALIGN_UP(bi->mem[i].base, PAGE_SIZE),
			ALIGN_DOWN(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE));
	mmu_counts(&after_ram);
	map_device_window(bi);

	aarch64_mmu_regs.mair = MAIR_EL1_KERNEL;
	aarch64_mmu_regs.tcr = ((64 - MMU_VA_BITS) << TCR_T0SZ_SHIFT) | TCR_IRGN0_WBWA |
			       TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |
			       ((64 - MMU_VA_BITS) << TCR_T1SZ_SHIFT) | TCR_EPD1 | TCR_TG1_4K |
			       (ips << TCR_IPS_SHIFT);
	aarch64_mmu_regs.ttbr0 = root;
	/* The tables were written with the caches off; the walker reads through them. */
	mmu_tables_inval_dcache();
	aarch64_mmu_on(&aarch64_mmu_regs);
	/* Secondary CPUs read the registers with their caches still off. */
	aarch64_dcache_clean_inval((uintptr_t)&aarch64_mmu_regs, sizeof(aarch64_mmu_regs));
	t1 = arch_counter();
	/* arch_counter_hz() is not set before arch_irq_init(): CNTFRQ_EL0 directly. */

	mmu_counts(&total);
	pr_info("mmu: 48-bit VA, 4 levels, %u-bit PA; %lu page-table pages (%lu KiB); RAM in "
		"%lu x 1 GiB + %lu x 2 MiB blocks + %lu pages; built and on in %" PRIu64 " us\n",
		(unsigned int)__builtin_ctzll(limit), total.table_pages,
		total.table_pages * PAGE_SIZE / 1024, after_ram.blocks[1] - before_ram.blocks[1],
		after_ram.blocks[2] - before_ram.blocks[2], after_ram.pages - before_ram.pages,
		(t1 - t0) * 1000000 / (read_sysreg(cntfrq_el0) & CNTFRQ_MASK));
}

/* secondary.S has turned the MMU on already (before the CPU had a stack): check. */
void arch_mmu_init_cpu(void)
{
	if (!aarch64_mmu_regs.ttbr0)
		return; /* no tables: the boot CPU runs with the MMU off too */
	if (!(read_sysreg(sctlr_el1) & SCTLR_EL1_M) ||
	    (read_sysreg(ttbr0_el1) & PTE_ADDR_MASK) != aarch64_mmu_regs.ttbr0)
		panic("mmu: CPU %u came up without the kernel page tables (SCTLR_EL1 %#lx, "
		      "TTBR0_EL1 %#lx)",
		      arch_cpu_index(), read_sysreg(sctlr_el1), read_sysreg(ttbr0_el1));
}

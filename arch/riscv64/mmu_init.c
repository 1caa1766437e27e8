/*
 * riscv64 boot page tables: the kernel's identity map, built once on the boot hart and
 * switched on there (arch_mmu_init) and on every other hart (arch_mmu_init_cpu).
 *
 * Layout, all in the lower half of Sv39 (virtual = physical):
 *   the image by section, 4 KiB pages: text R+X, rodata R, data..image end R+W;
 *   every RAM range around the image, R+W, with the largest pages alignment allows
 *     (this includes OpenSBI's region below the image: PMP keeps S-mode out of it
 *     whatever the tables say, and the kernel never touches it);
 *   the device window, everything below 4 GiB that is not RAM (nor page 0), R+W, VM_DEVICE.
 */
#include <inttypes.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "riscv.h"
#include "sv39.h"

#define DEVICE_WINDOW_END 0x100000000ull /* 4 GiB */

extern char __image_start[], __image_end[], __text_start[], __text_end[], __rodata_start[],
	__rodata_end[], __data_start[];

struct span {
	uint64_t base, end;
};

/* RAM as whole pages below the Sv39 lower-half limit (pmm_init clips the same way, to
 * arch_phys_limit()), sorted by base. */
static unsigned int ram_spans(const struct boot_info *bi, struct span *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < bi->mem_count; i++) {
		uint64_t base = ALIGN_UP(bi->mem[i].base, PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(bi->mem[i].base + bi->mem[i].size, PAGE_SIZE);
		unsigned int j = n;

		if (end > SV39_LOWER_HALF_END)
			end = SV39_LOWER_HALF_END;
		if (base >= end)
			continue;
		for (; j > 0 && out[j - 1].base > base; j--)
			out[j] = out[j - 1];
		out[j] = (struct span){base, end};
		n++;
	}
	return n;
}

static void map_or_panic(uint64_t base, uint64_t end, unsigned int prot, bool large,
			 const char *what)
{
	int err;

	if (base >= end)
		return;
	err = arch_map((uintptr_t)base, base, end - base, prot, large);
	if (err)
		panic("mmu: cannot map %s [%#" PRIx64 ", %#" PRIx64 "): %s", what, base, end,
		      error_name(err));
}

static void map_devices(const struct span *ram, unsigned int n)
{
	uint64_t cursor = PAGE_SIZE; /* page 0 stays unmapped: a NULL access page-faults */

	for (unsigned int i = 0; i <= n && cursor < DEVICE_WINDOW_END; i++) {
		uint64_t hole_end = i < n ? ram[i].base : DEVICE_WINDOW_END;

		if (hole_end > DEVICE_WINDOW_END)
			hole_end = DEVICE_WINDOW_END;
		map_or_panic(cursor, hole_end, VM_READ | VM_WRITE | VM_DEVICE, true,
			     "the device window");
		if (i < n && ram[i].end > cursor)
			cursor = ram[i].end;
	}
}

static void map_ram(const struct span *ram, unsigned int n)
{
	uint64_t image_start = (uintptr_t)__image_start, image_end = (uintptr_t)__image_end;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t below = ram[i].end < image_start ? ram[i].end : image_start;
		uint64_t above = ram[i].base > image_end ? ram[i].base : image_end;

		map_or_panic(ram[i].base, below, VM_READ | VM_WRITE, true, "RAM");
		map_or_panic(above, ram[i].end, VM_READ | VM_WRITE, true, "RAM");
	}
}

static void map_image(void)
{
	map_or_panic((uintptr_t)__text_start, (uintptr_t)__text_end, VM_READ | VM_EXEC, false,
		     "the kernel text");
	map_or_panic((uintptr_t)__rodata_start, (uintptr_t)__rodata_end, VM_READ, false,
		     "the kernel rodata");
	map_or_panic((uintptr_t)__data_start, (uintptr_t)__image_end, VM_READ | VM_WRITE, false,
		     "the kernel data");
}

/* Turn translation on with the kernel tables. A satp write with a MODE the hart lacks
 * has no effect at all (privileged spec 4.1.11, WARL), so reading MODE back tells. The
 * fences: the tables' stores before the first walk, and no stale translation after. */
static void mmu_enable(void)
{
	uint64_t satp = sv39_satp();

	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
	if ((csr_read(satp) & SATP_MODE_MASK) != SATP_MODE_SV39)
		panic("mmu: no Sv39 on hart %" PRIu64 ": satp reads %#lx after writing %#" PRIx64,
		      arch_cpu_id(), csr_read(satp), satp);
}

/* How RAM ended up mapped: pages of each size (4 KiB, 2 MiB, 1 GiB) over it. */
static void count_ram_pages(const struct span *ram, unsigned int n, unsigned long count[3])
{
	for (unsigned int i = 0; i < n; i++) {
		for (uint64_t va = ram[i].base; va < ram[i].end;) {
			uint64_t pa;
			unsigned int prot;
			size_t size;

			if (!arch_query((uintptr_t)va, &pa, &prot, &size))
				panic("mmu: RAM at %#" PRIx64 " is not mapped", va);
			count[size == PAGE_SIZE ? 0 : size == (2ul << 20) ? 1 : 2]++;
			va = ALIGN_DOWN(va, size) + size;
		}
	}
}

void arch_mmu_init(const struct boot_info *bi)
{
	struct span ram[BOOT_MAX_MEM_RANGES];
	unsigned int n = ram_spans(bi, ram);
	unsigned long pages[3] = {0, 0, 0};
	uint64_t start = arch_counter(), ticks;

	sv39_create_root();
	map_devices(ram, n);
	map_ram(ram, n);
	map_image();
	mmu_enable();
	ticks = arch_counter() - start;

	count_ram_pages(ram, n, pages);
	pr_info("mmu: Sv39, %lu page-table pages, RAM in %lu x 1 GiB + %lu x 2 MiB + %lu x 4 KiB "
		"pages\n",
		sv39_table_pages(), pages[2], pages[1], pages[0]);
	if (bi->timer_hz)
		pr_info("mmu: tables built and MMU on in %" PRIu64 " us\n",
			ticks * 1000000 / bi->timer_hz);
	else
		pr_info("mmu: tables built and MMU on in %" PRIu64
			" timer ticks (timebase frequency unknown)\n",
			ticks);
}

void arch_mmu_init_cpu(void)
{
	mmu_enable();
}

/*
 * Data cache maintenance by virtual address to the point of coherency (Arm ARM, "Data
 * cache maintenance instructions"): needed wherever one side of a hand-over reads or
 * writes memory with its caches off (MMU off) while the other has them on.
 */
#include <stddef.h>
#include <stdint.h>

#include "aarch64.h"
#include "kernel.h"

/* The smallest data cache line in the system, in bytes (CTR_EL0.DminLine). */
static size_t dcache_line(void)
{
	return 4ul << ((read_sysreg(ctr_el0) >> CTR_DMINLINE_SHIFT) & CTR_DMINLINE_MASK);
}

void aarch64_dcache_clean_inval(uintptr_t va, size_t size)
{
	size_t line = dcache_line();

	for (uintptr_t a = ALIGN_DOWN(va, line); a < va + size; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

/* Whole lines are dropped, so a partial line at either end would lose its neighbours'
 * data: callers pass line-aligned ranges (whole pages). */
void aarch64_dcache_inval(uintptr_t va, size_t size)
{
	size_t line = dcache_line();

	if (!IS_ALIGNED(va, line) || !IS_ALIGNED(size, line))
		panic("dcache invalidate of %#lx+%#zx: not whole %zu-byte lines", (unsigned long)va,
		      size, line);
	for (uintptr_t a = va; a < va + size; a += line)
		__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

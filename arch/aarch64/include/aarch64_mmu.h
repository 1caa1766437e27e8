/*
 * aarch64 stage 1 translation for the kernel (mmu.c, mmu_boot.c, mmu_on.S): VMSAv8-64
 * descriptors of the 4 KiB granule (Arm ARM D8.3, "Translation table descriptor
 * formats"), four levels 0..3 over a 48-bit virtual address space in TTBR0_EL1.
 */
#ifndef AARCH64_MMU_H
#define AARCH64_MMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aarch64.h"

/* Level l resolves VA bits [47 - 9l : 39 - 9l]; one entry of level l spans
 * 2^(39 - 9l) bytes: 512 GiB, 1 GiB (block), 2 MiB (block), 4 KiB (page). */
#define MMU_VA_BITS	   48
#define MMU_LEVELS	   4
#define MMU_ENTRIES	   512
#define MMU_LEAF_LEVEL	   3
#define MMU_FIRST_BLOCK_LV 1
#define MMU_LEVEL_SHIFT(l) (39 - 9 * (l))
#define MMU_LEVEL_SIZE(l)  (UL(1) << MMU_LEVEL_SHIFT(l))

/* Descriptor bits. Bits [1:0]: 0b11 = table (levels 0-2) or page (level 3), 0b01 =
 * block (levels 1 and 2), bit 0 clear = invalid. */
#define PTE_VALID      BIT(0)
#define PTE_TABLE      BIT(1) /* with PTE_VALID: a table, or at level 3 a page */
#define PTE_TYPE_MASK  UL(3)
#define PTE_ATTR_SHIFT 2 /* AttrIndx [4:2]: which MAIR_EL1 attribute */
#define PTE_ATTR_MASK  (UL(7) << PTE_ATTR_SHIFT)
#define PTE_AP_RO      BIT(7) /* AP[2]: read-only (AP[1], EL0 access, stays 0) */
#define PTE_SH_INNER   (UL(3) << 8)
#define PTE_AF	       BIT(10) /* access flag: set, so that no access flag fault is taken */
#define PTE_PXN	       BIT(53) /* no execution at EL1 */
#define PTE_UXN	       BIT(54) /* no execution at EL0 */
#define PTE_ADDR_MASK  UL(0x0000fffffffff000) /* output address / next table, [47:12] */

/* What mmu_on.S programs; the layout is aarch64.h's MMU_REGS_*. */
struct aarch64_mmu_regs {
	uint64_t mair;
	uint64_t tcr;
	uint64_t ttbr0; /* 0 while there are no tables: mmu_on.S then does nothing */
};

/* The values every CPU loads (mmu_boot.c fills them once, before any other CPU runs). */
extern struct aarch64_mmu_regs aarch64_mmu_regs;

/* Turn stage 1 translation and the caches on with regs (mmu_on.S). Needs no stack: the
 * secondary entry calls it before it has one. Uses x0-x2 only. */
void aarch64_mmu_on(const struct aarch64_mmu_regs *regs);

/* The table code (mmu.c), for the boot-time layout (mmu_boot.c). */
/* Create the empty root table; its physical address. Panics without memory. */
uint64_t mmu_tables_create(void);
/* The largest physical address + 1 a mapping may name (from IPS). */
void mmu_set_pa_limit(uint64_t limit);
/* Page-table pages in use, and blocks of level 1 (1 GiB) and 2 (2 MiB) and pages mapped
 * so far (counters only grow: for the boot report). */
struct mmu_counts {
	unsigned long table_pages;
	unsigned long blocks[MMU_LEVELS];
	unsigned long pages;
};
void mmu_counts(struct mmu_counts *out);
/* Drop every cached copy of every table page (they were written with the MMU off, the
 * walker will read them through the cache). */
void mmu_tables_inval_dcache(void);

#endif

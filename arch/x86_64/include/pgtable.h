/*
 * The x86_64 kernel page tables, between mmu.c (the tables and the arch_map family) and
 * mmu_init.c (the boot layout and turning them on). 4-level paging (SDM 4.5): level 3 is
 * the PML4, 2 the PDPT (1 GiB leaves when the CPU has them), 1 the page directory (2 MiB
 * leaves), 0 the page table (4 KiB). Tables are reached at their physical address: RAM is
 * identity-mapped, by the boot tables before arch_mmu_init and by these after it.
 */
#ifndef PGTABLE_H
#define PGTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_LEVELS    4
#define PT_TOP_LEVEL (PT_LEVELS - 1)

/* Counters of what the tables hold, for the boot report. */
struct pt_stats {
	unsigned int tables;		 /* table pages, the root included */
	unsigned long leaves[PT_LEVELS]; /* leaves by level: 4 KiB, 2 MiB, 1 GiB */
};

/* Start empty tables: allocate the root (below 4 GiB, where a starting CPU's 32-bit
 * code can load it into CR3), note whether 1 GiB leaves may be used and how many
 * physical address bits the CPU has (entries must not set bits above them). Returns the
 * root's physical address, 0 when no page is free. */
uint64_t pt_create(bool gib_pages, unsigned int phys_bits);
uint64_t pt_root(void);
void pt_get_stats(struct pt_stats *out);

/* arch_map for a caller that holds the tables' lock or runs alone (the boot CPU in
 * arch_mmu_init, before the tables are live). */
int pt_map_locked(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large);

#endif

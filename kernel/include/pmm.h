/*
 * Physical memory: the map of usable RAM (boot_info's RAM minus everything that must be
 * kept: the kernel image, the device tree, firmware regions) and a buddy allocator of
 * 4 KiB pages over it. A block of order n is 2^n pages, aligned to its size. Zones keep
 * the memory below 4 GiB (for devices that cannot address more) apart from the rest.
 */
#ifndef PMM_H
#define PMM_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

#define PAGE_SHIFT    12
#define PAGE_SIZE     (1ul << PAGE_SHIFT)
#define PMM_MAX_ORDER 10 /* blocks up to 4 MiB */

enum pmm_zone {
	ZONE_DMA32,  /* below 4 GiB */
	ZONE_NORMAL, /* the rest */
	ZONE_COUNT
};

struct boot_info;

/* Build the memory map from bi and hand every usable page to the allocator. Once. */
void pmm_init(const struct boot_info *bi);

/* A block of 2^order pages from `zone` or, for ZONE_NORMAL, from any zone (normal
 * first); returns its physical address or 0 when none is free. */
uint64_t pmm_alloc(unsigned int order, enum pmm_zone zone);
static inline uint64_t pmm_alloc_page(void)
{
	return pmm_alloc(0, ZONE_NORMAL);
}

/* Free a block pmm_alloc gave, with the same order. 0, or -E_INVAL for an address that
 * is not an allocated block of that order (a double free, a wrong order, a stray
 * pointer): reported, and with CONFIG_DEBUG_PMM a panic naming the caller. */
int pmm_free(uint64_t pa, unsigned int order);

struct pmm_stats {
	uint64_t total_pages; /* managed by the allocator */
	uint64_t free_pages;
	uint64_t zone_free[ZONE_COUNT];
	uint64_t free_blocks[PMM_MAX_ORDER + 1];
};
void pmm_stats(struct pmm_stats *out);
uint64_t pmm_free_pages(void);

/* The usable memory map, for `mem`: range i, false past the end. */
bool pmm_usable_range(unsigned int i, uint64_t *base, uint64_t *size);
/* Print the map (usable, reserved and why) with pr_info. */
void pmm_print_map(void);

#endif

/* Helpers for filling and reading struct boot_info. */
#include "boot_info.h"
#include "errors.h"

static int add_range(struct mem_range *table, unsigned int *count, unsigned int max, uint64_t base,
		     uint64_t size)
{
	if (*count >= max)
		return -E_NOSPC;
	table[*count].base = base;
	table[*count].size = size;
	(*count)++;
	return 0;
}

int boot_info_add_mem(struct boot_info *bi, uint64_t base, uint64_t size)
{
	return add_range(bi->mem, &bi->mem_count, BOOT_MAX_MEM_RANGES, base, size);
}

int boot_info_add_reserved(struct boot_info *bi, uint64_t base, uint64_t size)
{
	return add_range(bi->reserved, &bi->reserved_count, BOOT_MAX_RESERVED, base, size);
}

uint64_t boot_info_mem_total(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < bi->mem_count; i++)
		total += bi->mem[i].size;
	return total;
}

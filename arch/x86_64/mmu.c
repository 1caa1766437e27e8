/* TEMPORARY STUB: this arch's page tables are being written; replace this file. */
#include "arch.h"
#include "errors.h"

void arch_mmu_init(const struct boot_info *bi)
{
	(void)bi;
}

void arch_mmu_init_cpu(void)
{
}

int arch_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large)
{
	(void)va;
	(void)pa;
	(void)size;
	(void)prot;
	(void)large;
	return -E_NOTSUP;
}

int arch_unmap(uintptr_t va, size_t size)
{
	(void)va;
	(void)size;
	return -E_NOTSUP;
}

int arch_protect(uintptr_t va, size_t size, unsigned int prot)
{
	(void)va;
	(void)size;
	(void)prot;
	return -E_NOTSUP;
}

bool arch_query(uintptr_t va, uint64_t *pa, unsigned int *prot, size_t *page_size)
{
	(void)va;
	(void)pa;
	(void)prot;
	(void)page_size;
	return false;
}

void arch_tlb_flush_local(uintptr_t va, size_t size)
{
	(void)va;
	(void)size;
}

uint64_t arch_mmu_root(void)
{
	return 0;
}

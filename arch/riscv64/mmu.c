/*
 * riscv64 page tables (Sv39, see sv39.h): map, unmap, protect and query the kernel's one
 * address space, and this hart's TLB maintenance. The boot layout is mmu_init.c's.
 *
 * Page-table pages live in identity-mapped RAM, so a table's physical address is also
 * where the kernel reads and writes it. They are never given back to the allocator:
 * another hart may still cache a walk through a table (an SFENCE.VMA for one address
 * only drops leaf entries, privileged spec 4.2.1), and this file cannot make every hart
 * flush before the page is reused. Empty tables stay in place; where a large page later
 * fits over an empty one, the large page replaces it and the table page is left unused.
 */
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "kernel.h"
#include "pmm.h"
#include "spinlock.h"
#include "sv39.h"

static struct spinlock mmu_lock = SPINLOCK_INIT;
static uint64_t root_pa;
static unsigned long table_pages; /* allocated, under mmu_lock */

/* Flushing one page at a time beyond this costs more than refilling the whole TLB. */
#define FLUSH_ALL_PAGES 32

static size_t level_size(unsigned int level)
{
	return 1ul << (PAGE_SHIFT + 9 * level);
}

static unsigned int level_index(uintptr_t va, unsigned int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & (SV39_ENTRIES - 1);
}

/* The end of the level-`level` region holding va, clipped to end. */
static uintptr_t region_end(uintptr_t va, uintptr_t end, unsigned int level)
{
	uintptr_t next = ALIGN_DOWN(va, level_size(level)) + level_size(level);

	return next < end ? next : end;
}

static bool pte_is_leaf(pte_t pte, unsigned int level)
{
	return (pte & PTE_LEAF) || level == 0;
}

static uint64_t pte_pa(pte_t pte)
{
	return ((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static pte_t *pte_table(pte_t pte)
{
	return (pte_t *)(uintptr_t)pte_pa(pte);
}

static pte_t make_pte(uint64_t pa, pte_t bits)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | bits;
}

/* A, and D when writable, set here: without hardware A/D updating (Svadu) an access
 * with them clear faults (4.3.1). Global: the kernel's mappings are in every space. */
static pte_t prot_to_bits(unsigned int prot)
{
	pte_t bits = PTE_V | PTE_G | PTE_A;

	if (prot & VM_READ)
		bits |= PTE_R;
	if (prot & VM_WRITE)
		bits |= PTE_W | PTE_D;
	if (prot & VM_EXEC)
		bits |= PTE_X;
	if (prot & VM_DEVICE)
		bits |= PTE_SW_DEVICE;
	return bits;
}

static unsigned int bits_to_prot(pte_t pte)
{
	return ((pte & PTE_R) ? VM_READ : 0) | ((pte & PTE_W) ? VM_WRITE : 0) |
	       ((pte & PTE_X) ? VM_EXEC : 0) | ((pte & PTE_SW_DEVICE) ? VM_DEVICE : 0);
}

/* Readable always (Sv39 has no write-only encoding and vm.c asks for VM_READ), W^X. */
static bool prot_ok(unsigned int prot)
{
	return !(prot & ~VM_PROT_MASK) && (prot & VM_READ) &&
	       (prot & (VM_WRITE | VM_EXEC)) != (VM_WRITE | VM_EXEC);
}

static bool range_ok(uintptr_t va, size_t size)
{
	return size && IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       va < SV39_LOWER_HALF_END && size <= SV39_LOWER_HALF_END - va;
}

static uint64_t alloc_table(void)
{
	uint64_t pa = pmm_alloc(0, ZONE_NORMAL);

	if (!pa)
		return 0;
	memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	table_pages++;
	return pa;
}

/* Publish an entry that points to a table: its contents must be visible before any
 * hart can walk into it. */
static void set_table(pte_t *pte, uint64_t table_pa)
{
	__atomic_store_n(pte, make_pte(table_pa, PTE_V), __ATOMIC_RELEASE);
}

static void flush_all_local(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

void arch_tlb_flush_local(uintptr_t va, size_t size)
{
	if (size == 0 || size / PAGE_SIZE > FLUSH_ALL_PAGES) {
		flush_all_local();
		return;
	}
	/* One address drops every leaf entry translating it, megapages included. */
	for (uintptr_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + size; p += PAGE_SIZE)
		__asm__ volatile("sfence.vma %0, zero" ::"r"(p) : "memory");
}

/* Does [va, end) hold any mapping (*mapped) and any hole (*hole)? */
static void survey(const pte_t *table, unsigned int level, uintptr_t va, uintptr_t end,
		   bool *mapped, bool *hole)
{
	while (va < end) {
		uintptr_t next = region_end(va, end, level);
		pte_t pte = table[level_index(va, level)];

		if (!(pte & PTE_V))
			*hole = true;
		else if (pte_is_leaf(pte, level))
			*mapped = true;
		else
			survey(pte_table(pte), level - 1, va, next, mapped, hole);
		va = next;
	}
}

static bool table_is_empty(const pte_t *table)
{
	for (unsigned int i = 0; i < SV39_ENTRIES; i++)
		if (table[i] & PTE_V)
			return false;
	return true;
}

/* Map [va, end) to pa at this level; the range holds no mapping (checked by the caller).
 * *tables_changed: a pointer entry was written or replaced. */
static int map_level(pte_t *table, unsigned int level, uintptr_t va, uintptr_t end, uint64_t pa,
		     pte_t bits, bool large, bool *tables_changed)
{
	while (va < end) {
		uintptr_t next = region_end(va, end, level);
		pte_t *pte = &table[level_index(va, level)];
		bool whole = next - va == level_size(level) && IS_ALIGNED(pa, level_size(level));
		int err;

		if (level == 0 || (large && whole && !(*pte & PTE_V))) {
			*pte = make_pte(pa, bits);
		} else if (large && whole && table_is_empty(pte_table(*pte))) {
			/* A table left empty by an unmap: the large page takes its place
			 * (the table page stays unused, see the top of the file). */
			*pte = make_pte(pa, bits);
			*tables_changed = true;
		} else {
			if (!(*pte & PTE_V)) {
				uint64_t t = alloc_table();

				if (!t)
					return -E_NOMEM;
				set_table(pte, t);
				*tables_changed = true;
			}
			err = map_level(pte_table(*pte), level - 1, va, next, pa, bits, large,
					tables_changed);
			if (err)
				return err;
		}
		pa += next - va;
		va = next;
	}
	return 0;
}

/* Replace the large page at *pte (level >= 1) by a table of pages one level down with
 * the same translation and bits. */
static int split(pte_t *pte, unsigned int level)
{
	uint64_t t = alloc_table();
	pte_t *child = (pte_t *)(uintptr_t)t;
	pte_t bits = *pte & ~PTE_PPN_MASK;
	uint64_t pa = pte_pa(*pte);

	if (!t)
		return -E_NOMEM;
	for (unsigned int i = 0; i < SV39_ENTRIES; i++)
		child[i] = make_pte(pa + i * level_size(level - 1), bits);
	set_table(pte, t);
	return 0;
}

/* Make va a boundary between leaves: split any large page that straddles it. Changes no
 * translation, so a failure (-E_NOMEM) leaves every mapping as it was. */
static int split_at(uintptr_t va, bool *tables_changed)
{
	pte_t *table = (pte_t *)(uintptr_t)root_pa;

	for (unsigned int level = SV39_LEVELS - 1; level > 0; level--) {
		pte_t *pte = &table[level_index(va, level)];

		if (!(*pte & PTE_V))
			return 0;
		if (*pte & PTE_LEAF) {
			int err;

			if (IS_ALIGNED(va, level_size(level)))
				return 0;
			err = split(pte, level);
			if (err)
				return err;
			*tables_changed = true;
		}
		table = pte_table(*pte);
	}
	return 0;
}

/* Give every leaf in [va, end) the bits `bits`, or remove it when bits is 0. The edges
 * were split first, so each leaf met lies wholly inside the range. */
static void rewrite(pte_t *table, unsigned int level, uintptr_t va, uintptr_t end, pte_t bits)
{
	while (va < end) {
		uintptr_t next = region_end(va, end, level);
		pte_t *pte = &table[level_index(va, level)];

		if ((*pte & PTE_V) && pte_is_leaf(*pte, level))
			*pte = bits ? make_pte(pte_pa(*pte), bits) : 0;
		else if (*pte & PTE_V)
			rewrite(pte_table(*pte), level - 1, va, next, bits);
		va = next;
	}
}

static void flush_after_change(uintptr_t va, size_t size, bool tables_changed)
{
	/* A changed pointer entry needs the whole-TLB form to drop cached walks. */
	if (tables_changed)
		flush_all_local();
	else
		arch_tlb_flush_local(va, size);
}

int arch_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large)
{
	bool mapped = false, hole = false, tables_changed = false;
	unsigned long flags;
	int err;

	if (!range_ok(va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || !prot_ok(prot) || !root_pa)
		return -E_INVAL;
	flags = spin_lock_irqsave(&mmu_lock);
	survey((pte_t *)(uintptr_t)root_pa, SV39_LEVELS - 1, va, va + size, &mapped, &hole);
	if (mapped) {
		err = -E_BUSY;
	} else {
		err = map_level((pte_t *)(uintptr_t)root_pa, SV39_LEVELS - 1, va, va + size, pa,
				prot_to_bits(prot), large, &tables_changed);
		if (err) /* undo the part mapped: the range was empty, so is again */
			rewrite((pte_t *)(uintptr_t)root_pa, SV39_LEVELS - 1, va, va + size, 0);
		/* An invalid entry may have been cached too (4.2.1): flush even for a new
		 * mapping, on this hart. */
		flush_after_change(va, size, tables_changed);
	}
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

/* Split both edges of [va, va + size), then rewrite the leaves between them. */
static int change_range(uintptr_t va, size_t size, pte_t bits)
{
	bool tables_changed = false;
	int err = split_at(va, &tables_changed);

	if (!err)
		err = split_at(va + size, &tables_changed);
	if (!err)
		rewrite((pte_t *)(uintptr_t)root_pa, SV39_LEVELS - 1, va, va + size, bits);
	flush_after_change(va, size, tables_changed);
	return err;
}

int arch_unmap(uintptr_t va, size_t size)
{
	unsigned long flags;
	int err;

	if (!range_ok(va, size) || !root_pa)
		return -E_INVAL;
	flags = spin_lock_irqsave(&mmu_lock);
	err = change_range(va, size, 0);
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

int arch_protect(uintptr_t va, size_t size, unsigned int prot)
{
	bool mapped = false, hole = false;
	unsigned long flags;
	int err;

	if (!range_ok(va, size) || !prot_ok(prot) || !root_pa)
		return -E_INVAL;
	flags = spin_lock_irqsave(&mmu_lock);
	survey((pte_t *)(uintptr_t)root_pa, SV39_LEVELS - 1, va, va + size, &mapped, &hole);
	err = hole ? -E_INVAL : change_range(va, size, prot_to_bits(prot));
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

bool arch_query(uintptr_t va, uint64_t *pa, unsigned int *prot, size_t *page_size)
{
	const pte_t *table = (const pte_t *)(uintptr_t)root_pa;
	bool found = false;
	unsigned long flags;

	if (!root_pa || va >= SV39_LOWER_HALF_END)
		return false;
	flags = spin_lock_irqsave(&mmu_lock);
	for (int level = SV39_LEVELS - 1; level >= 0; level--) {
		pte_t pte = table[level_index(va, level)];

		if (!(pte & PTE_V))
			break;
		if (pte_is_leaf(pte, level)) {
			*pa = pte_pa(pte) + (va & (level_size(level) - 1));
			*prot = bits_to_prot(pte);
			*page_size = level_size(level);
			found = true;
			break;
		}
		table = pte_table(pte);
	}
	spin_unlock_irqrestore(&mmu_lock, flags);
	return found;
}

uint64_t arch_mmu_root(void)
{
	return root_pa;
}

void sv39_create_root(void)
{
	uint64_t pa = alloc_table();

	if (!pa)
		panic("mmu: no free page for the root page table");
	root_pa = pa;
}

unsigned long sv39_table_pages(void)
{
	return table_pages;
}

uint64_t sv39_satp(void)
{
	return SATP_MODE_SV39 | (root_pa >> PAGE_SHIFT);
}

/*
 * x86_64 kernel page tables (arch.h, "Memory management unit"): map, unmap, protect and
 * query over 4-level paging (SDM vol. 3A 4.5), with 2 MiB leaves and, where the CPU has
 * them, 1 GiB leaves; a large leaf that an unmap or protect covers only in part is split
 * first. One spinlock guards the tables. Each change ends with this CPU's TLB maintenance
 * (kernel/vm.c sends the other CPUs theirs). mmu_init.c builds the boot layout with these.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "kernel.h"
#include "pgtable.h"
#include "pmm.h"
#include "spinlock.h"
#include "x86.h"

/* The lower half of the 48-bit address space (SDM 4.5: bits 63:47 all equal). The
 * identity map lives there; the upper half waits for the kernel moving to it. */
#define VA_LIMIT (X86_UL(1) << 47)

/* Above this many pages one CR3 reload is cheaper than an INVLPG per page. */
#define FLUSH_ALL_PAGES 32

/* A leaf's attributes: everything but its address and the page-size bit. The kernel uses
 * neither PAT (bit 7 of a 4 KiB entry, bit 12 of a large one) nor global pages. */
#define LEAF_ATTRS \
	(PTE_PRESENT | PTE_WRITABLE | PTE_PWT | PTE_PCD | PTE_ACCESSED | PTE_DIRTY | PTE_NX)
/* A table entry lets everything through: the leaves alone decide the access. */
#define TABLE_ATTRS (PTE_PRESENT | PTE_WRITABLE | PTE_ACCESSED)

static struct spinlock pt_lock = SPINLOCK_INIT;
static uint64_t root;
static bool gib_leaves;
static uint64_t phys_limit; /* 1 << MAXPHYADDR: entries must leave the bits above zero */
static struct pt_stats stats;

static inline unsigned int level_shift(int level)
{
	return PAGE_SHIFT + 9 * (unsigned int)level;
}

static inline uint64_t level_span(int level)
{
	return (uint64_t)1 << level_shift(level);
}

static inline unsigned int level_index(uintptr_t va, int level)
{
	return (va >> level_shift(level)) & (PT_ENTRIES - 1);
}

/* Tables are reached at their physical address (RAM is identity-mapped). */
static inline uint64_t *table_at(uint64_t entry_or_pa)
{
	return (uint64_t *)(uintptr_t)(entry_or_pa & PTE_ADDR_MASK);
}

static inline bool present(uint64_t e)
{
	return e & PTE_PRESENT;
}

static inline bool is_leaf(uint64_t e, int level)
{
	return level == 0 || (e & PTE_LARGE);
}

/* A large leaf's address ends above the span's offset bits (bit 12 is PAT there). */
static inline uint64_t leaf_pa(uint64_t e, int level)
{
	return e & PTE_ADDR_MASK & ~(level_span(level) - 1);
}

static inline uint64_t make_leaf(uint64_t pa, uint64_t attrs, int level)
{
	return pa | attrs | (level ? PTE_LARGE : 0);
}

static inline bool can_be_leaf(int level)
{
	return level == 0 || level == 1 || (level == 2 && gib_leaves);
}

/* The page walker reads entries on its own: publish each with one store, after the
 * table it points to is complete. */
static inline void set_entry(uint64_t *e, uint64_t value)
{
	__atomic_store_n(e, value, __ATOMIC_RELEASE);
}

/* Where the entry holding va at this level ends, clipped to end. */
static inline uintptr_t entry_end(uintptr_t va, uintptr_t end, int level)
{
	uintptr_t next = ALIGN_DOWN(va, level_span(level)) + level_span(level);

	return next < end ? next : end;
}

/* Accessed and dirty are set up front: the CPU never has to write them back. */
static uint64_t attrs_of(unsigned int prot)
{
	uint64_t attrs = PTE_PRESENT | PTE_ACCESSED | PTE_DIRTY;

	if (prot & VM_WRITE)
		attrs |= PTE_WRITABLE;
	if (!(prot & VM_EXEC))
		attrs |= PTE_NX;
	if (prot & VM_DEVICE) /* PAT entry 3: uncached (mmu_init.c checks it) */
		attrs |= PTE_PCD | PTE_PWT;
	return attrs;
}

static unsigned int prot_of(uint64_t e)
{
	unsigned int prot = VM_READ; /* a present x86 page is always readable */

	if (e & PTE_WRITABLE)
		prot |= VM_WRITE;
	if (!(e & PTE_NX))
		prot |= VM_EXEC;
	if (e & PTE_PCD)
		prot |= VM_DEVICE;
	return prot;
}

/* x86 has no present page that cannot be read; W^X is the kernel's rule. */
static bool prot_valid(unsigned int prot)
{
	return !(prot & ~VM_PROT_MASK) && (prot & VM_READ) &&
	       !((prot & VM_WRITE) && (prot & VM_EXEC));
}

static bool va_range_valid(uintptr_t va, size_t size)
{
	return IS_ALIGNED(va, PAGE_SIZE) && size && IS_ALIGNED(size, PAGE_SIZE) && va < VA_LIMIT &&
	       size <= VA_LIMIT - va;
}

/* pmm pages lie below arch_phys_limit(), which the boot tables and ours both map. */
static uint64_t alloc_table(void)
{
	uint64_t pa = pmm_alloc(0, ZONE_NORMAL);

	if (!pa)
		return 0;
	memset(table_at(pa), 0, PAGE_SIZE);
	stats.tables++;
	return pa;
}

static void free_table(uint64_t pa)
{
	pmm_free(pa, 0);
	stats.tables--;
}

static bool table_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		if (table[i])
			return false;
	}
	return true;
}

uint64_t pt_create(bool gib_pages, unsigned int phys_bits)
{
	/* Below 4 GiB: trampoline.S loads CR3 in 32-bit mode on a starting CPU. */
	uint64_t pa = pmm_alloc(0, ZONE_DMA32);

	if (!pa)
		return 0;
	memset(table_at(pa), 0, PAGE_SIZE);
	root = pa;
	gib_leaves = gib_pages;
	phys_limit = (uint64_t)1 << phys_bits;
	stats.tables = 1;
	return pa;
}

uint64_t pt_root(void)
{
	return root;
}

void pt_get_stats(struct pt_stats *out)
{
	unsigned long flags = spin_lock_irqsave(&pt_lock);

	*out = stats;
	spin_unlock_irqrestore(&pt_lock, flags);
}

/* Is any page of [va, end) mapped under this table? */
static bool any_mapped(const uint64_t *table, int level, uintptr_t va, uintptr_t end)
{
	for (uintptr_t next; va < end; va = next) {
		uint64_t e = table[level_index(va, level)];

		next = entry_end(va, end, level);
		if (present(e) &&
		    (is_leaf(e, level) || any_mapped(table_at(e), level - 1, va, next)))
			return true;
	}
	return false;
}

/* Is every page of [va, end) mapped under this table? */
static bool all_mapped(const uint64_t *table, int level, uintptr_t va, uintptr_t end)
{
	for (uintptr_t next; va < end; va = next) {
		uint64_t e = table[level_index(va, level)];

		next = entry_end(va, end, level);
		if (!present(e) ||
		    (!is_leaf(e, level) && !all_mapped(table_at(e), level - 1, va, next)))
			return false;
	}
	return true;
}

/* Map [va, end) to pa under this table, which holds nothing there yet (any_mapped). A
 * large leaf where the entry is empty and the range covers it, aligned; else a table. */
static int map_range(uint64_t *table, int level, uintptr_t va, uintptr_t end, uint64_t pa,
		     uint64_t attrs, bool large)
{
	for (uintptr_t next; va < end; pa += next - va, va = next) {
		uint64_t *e = &table[level_index(va, level)];
		uint64_t span = level_span(level);
		int err;

		next = entry_end(va, end, level);
		if (level == 0 || (large && can_be_leaf(level) && !present(*e) &&
				   next - va == span && IS_ALIGNED(pa, span))) {
			set_entry(e, make_leaf(pa, attrs, level));
			stats.leaves[level]++;
			continue;
		}
		if (!present(*e)) {
			uint64_t t = alloc_table();

			if (!t)
				return -E_NOMEM;
			set_entry(e, t | TABLE_ATTRS);
		}
		err = map_range(table_at(*e), level - 1, va, next, pa, attrs, large);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Clear the leaves in [va, end), whose ends split_at() has made leaf boundaries. Tables
 * left empty go back to the allocator when free_empty: kernel/vm.c's shootdown follows
 * every unmap, and until it reaches them other CPUs can only have cached walks for the
 * addresses just unmapped (INVLPG drops those, SDM 4.10.4.1).
 */
static void unmap_range(uint64_t *table, int level, uintptr_t va, uintptr_t end, bool free_empty)
{
	for (uintptr_t next; va < end; va = next) {
		uint64_t *e = &table[level_index(va, level)];
		uint64_t *child;

		next = entry_end(va, end, level);
		if (!present(*e))
			continue;
		if (is_leaf(*e, level)) {
			if (next - va != level_span(level))
				panic("x86_64 mmu: unmap of [%#lx, %#lx) cuts a level-%d leaf", va,
				      next, level);
			set_entry(e, 0);
			stats.leaves[level]--;
			continue;
		}
		child = table_at(*e);
		unmap_range(child, level - 1, va, next, free_empty);
		if (free_empty && table_empty(child)) {
			set_entry(e, 0);
			free_table((uintptr_t)child);
		}
	}
}

/* Give every leaf in [va, end) (all mapped, ends split) the attributes. */
static void protect_range(uint64_t *table, int level, uintptr_t va, uintptr_t end, uint64_t attrs)
{
	for (uintptr_t next; va < end; va = next) {
		uint64_t *e = &table[level_index(va, level)];

		next = entry_end(va, end, level);
		if (!is_leaf(*e, level)) {
			protect_range(table_at(*e), level - 1, va, next, attrs);
			continue;
		}
		if (next - va != level_span(level))
			panic("x86_64 mmu: protect of [%#lx, %#lx) cuts a level-%d leaf", va, next,
			      level);
		set_entry(e, make_leaf(leaf_pa(*e, level), attrs, level));
	}
}

/* Replace a large leaf by a table of 512 leaves one level down, mapping the same. */
static int split_leaf(uint64_t *e, int level)
{
	uint64_t t = alloc_table();
	uint64_t pa = leaf_pa(*e, level), attrs = *e & LEAF_ATTRS;
	uint64_t *child;

	if (!t)
		return -E_NOMEM;
	child = table_at(t);
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		child[i] = make_leaf(pa + i * level_span(level - 1), attrs, level - 1);
	set_entry(e, t | TABLE_ATTRS);
	stats.leaves[level]--;
	stats.leaves[level - 1] += PT_ENTRIES;
	return 0;
}

/* Make addr a boundary between leaves: split each large leaf that spans it. The
 * translations stay the same, so only the TLB's copy of the large page goes. */
static int split_at(uintptr_t addr)
{
	uint64_t *table = table_at(root);

	for (int level = PT_TOP_LEVEL; level > 0; level--) {
		uint64_t *e = &table[level_index(addr, level)];

		if (IS_ALIGNED(addr, level_span(level)) || !present(*e))
			return 0;
		if (is_leaf(*e, level)) {
			int err = split_leaf(e, level);

			if (err)
				return err;
			invlpg(addr);
		}
		table = table_at(*e);
	}
	return 0;
}

int pt_map_locked(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large)
{
	int err;

	if (!root)
		return -E_NOTSUP;
	if (!va_range_valid(va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || pa >= phys_limit ||
	    size > phys_limit - pa || !prot_valid(prot))
		return -E_INVAL;
	if (any_mapped(table_at(root), PT_TOP_LEVEL, va, va + size))
		return -E_BUSY;
	err = map_range(table_at(root), PT_TOP_LEVEL, va, va + size, pa, attrs_of(prot), large);
	if (err) {
		/* Undo: every leaf in the range is new, none straddles its ends. The new
		 * tables stay (no other CPU has been told to forget walks through them). */
		unmap_range(table_at(root), PT_TOP_LEVEL, va, va + size, false);
		arch_tlb_flush_local(va, size);
	}
	/* No flush otherwise: x86 TLBs never hold not-present entries (SDM 4.10.4.3). */
	return err;
}

int arch_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large)
{
	unsigned long flags = spin_lock_irqsave(&pt_lock);
	int err = pt_map_locked(va, pa, size, prot, large);

	spin_unlock_irqrestore(&pt_lock, flags);
	return err;
}

int arch_unmap(uintptr_t va, size_t size)
{
	unsigned long flags;
	int err;

	if (!va_range_valid(va, size))
		return -E_INVAL;
	flags = spin_lock_irqsave(&pt_lock);
	err = root ? 0 : -E_NOTSUP;
	/* Both splits before any change: running out of memory leaves the mapping as is. */
	if (!err)
		err = split_at(va);
	if (!err)
		err = split_at(va + size);
	if (!err) {
		unmap_range(table_at(root), PT_TOP_LEVEL, va, va + size, true);
		arch_tlb_flush_local(va, size);
	}
	spin_unlock_irqrestore(&pt_lock, flags);
	return err;
}

int arch_protect(uintptr_t va, size_t size, unsigned int prot)
{
	unsigned long flags;
	int err;

	if (!va_range_valid(va, size) || !prot_valid(prot))
		return -E_INVAL;
	flags = spin_lock_irqsave(&pt_lock);
	if (!root)
		err = -E_NOTSUP;
	else if (!all_mapped(table_at(root), PT_TOP_LEVEL, va, va + size))
		err = -E_INVAL;
	else
		err = split_at(va);
	if (!err)
		err = split_at(va + size);
	if (!err) {
		protect_range(table_at(root), PT_TOP_LEVEL, va, va + size, attrs_of(prot));
		arch_tlb_flush_local(va, size);
	}
	spin_unlock_irqrestore(&pt_lock, flags);
	return err;
}

bool arch_query(uintptr_t va, uint64_t *pa, unsigned int *prot, size_t *page_size)
{
	unsigned long flags;
	bool found = false;

	if (va >= VA_LIMIT)
		return false;
	flags = spin_lock_irqsave(&pt_lock);
	if (root) {
		const uint64_t *table = table_at(root);

		for (int level = PT_TOP_LEVEL; level >= 0; level--) {
			uint64_t e = table[level_index(va, level)];

			if (!present(e))
				break;
			if (is_leaf(e, level)) {
				*pa = leaf_pa(e, level) + (va & (level_span(level) - 1));
				*prot = prot_of(e);
				*page_size = level_span(level);
				found = true;
				break;
			}
			table = table_at(e);
		}
	}
	spin_unlock_irqrestore(&pt_lock, flags);
	return found;
}

void arch_tlb_flush_local(uintptr_t va, size_t size)
{
	/* No global pages (mmu_init.c clears CR4.PGE): a CR3 load forgets everything. */
	if (size == 0 || size / PAGE_SIZE > FLUSH_ALL_PAGES) {
		write_cr(3, read_cr(3));
		return;
	}
	for (uintptr_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + size; p += PAGE_SIZE)
		invlpg(p);
}

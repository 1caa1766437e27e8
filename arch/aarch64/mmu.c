/*
 * aarch64 kernel page tables: map, unmap, protect and query over the 4-level, 4 KiB
 * granule tables of aarch64_mmu.h, identity-mapped so that a table's physical address
 * is also where the kernel reads it. One lock guards every table.
 *
 * TLB maintenance (Arm ARM D8.13, "Translation Lookaside Buffer maintenance"): a new
 * entry replacing an invalid one needs none, only a DSB so the walker sees it. A valid
 * entry that changes is followed by TLBI VAAE1IS (by VA, any ASID, every level, every
 * CPU of the inner shareable domain), then DSB ISH + ISB. A change of block size or of
 * memory type must break before make: invalid first, TLBI, then the new entry.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aarch64.h"
#include "aarch64_mmu.h"
#include "arch.h"
#include "errors.h"
#include "kernel.h"
#include "pmm.h"
#include "spinlock.h"

static struct spinlock mmu_lock = SPINLOCK_INIT;
static uint64_t *root;		 /* level 0; identity, so also its physical address */
static uint64_t pa_limit;	 /* one past the highest output address (IPS) */
static struct mmu_counts counts; /* under mmu_lock */

/* Unmapping a whole table's worth frees the table. */
static void table_free(uint64_t *table);

static unsigned int index_of(uintptr_t va, unsigned int level)
{
	return (va >> MMU_LEVEL_SHIFT(level)) & (MMU_ENTRIES - 1);
}

static uint64_t *table_of(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
}

static bool is_leaf(uint64_t e, unsigned int level)
{
	return (e & PTE_VALID) && (level == MMU_LEAF_LEVEL || !(e & PTE_TABLE));
}

/* The type bits of a leaf at level: a page at level 3, a block above. */
static uint64_t leaf_type(unsigned int level)
{
	return level == MMU_LEAF_LEVEL ? PTE_VALID | PTE_TABLE : PTE_VALID;
}

/* The descriptor bits other than type and address for prot. Kernel only: EL0 never
 * gets access (AP[1] = 0) nor execution (UXN). */
static uint64_t prot_bits(unsigned int prot)
{
	uint64_t bits = PTE_AF | PTE_UXN;

	if (prot & VM_DEVICE)
		bits |= (uint64_t)MAIR_IDX_DEVICE << PTE_ATTR_SHIFT; /* shareability ignored */
	else
		bits |= ((uint64_t)MAIR_IDX_NORMAL << PTE_ATTR_SHIFT) | PTE_SH_INNER;
	if (!(prot & VM_WRITE))
		bits |= PTE_AP_RO;
	if (!(prot & VM_EXEC))
		bits |= PTE_PXN;
	return bits;
}

static unsigned int prot_of(uint64_t e)
{
	unsigned int prot = VM_READ;

	if (!(e & PTE_AP_RO))
		prot |= VM_WRITE;
	if (!(e & PTE_PXN))
		prot |= VM_EXEC;
	if (((e & PTE_ATTR_MASK) >> PTE_ATTR_SHIFT) == MAIR_IDX_DEVICE)
		prot |= VM_DEVICE;
	return prot;
}

/* Readable always (the format has no write-only or no-access valid entry), never
 * write+exec, never executable device memory. */
static bool prot_valid(unsigned int prot)
{
	if ((prot & ~VM_PROT_MASK) || !(prot & VM_READ))
		return false;
	if ((prot & VM_WRITE) && (prot & VM_EXEC))
		return false;
	return !((prot & VM_DEVICE) && (prot & VM_EXEC));
}

static bool range_valid(uintptr_t va, size_t size)
{
	return IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) && size && va + size > va &&
	       va + size <= (UL(1) << MMU_VA_BITS);
}

/* After changing live entry(ies) for va: make the store visible, drop every CPU's
 * cached copy. The caller finishes with tlb_sync(). */
static void tlb_inval_va(uintptr_t va)
{
	__asm__ volatile("dsb ishst\n\ttlbi vaae1is, %0" ::"r"(va >> PAGE_SHIFT) : "memory");
}

static void tlb_sync(void)
{
	__asm__ volatile("dsb ish\n\tisb" ::: "memory");
}

/*
 * Break-before-make of the live entry *e (translating from va) to new, in one asm
 * statement: between the two stores the range is unmapped, so nothing here may touch
 * memory but the entry (no compiler spill in between).
 */
static void replace_live(uint64_t *e, uint64_t new, uintptr_t va)
{
	__asm__ volatile("str	xzr, [%0]\n\t"
			 "dsb	ishst\n\t"
			 "tlbi	vaae1is, %2\n\t"
			 "dsb	ish\n\t"
			 "isb\n\t"
			 "str	%1, [%0]\n\t"
			 "dsb	ishst\n\t"
			 "isb" ::"r"(e),
			 "r"(new), "r"(va >> PAGE_SHIFT)
			 : "memory");
}

static uint64_t *table_alloc(void)
{
	uint64_t pa = pmm_alloc(0, ZONE_NORMAL);

	if (!pa)
		return NULL;
	memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
	counts.table_pages++;
	return (uint64_t *)(uintptr_t)pa;
}

/* Link a new (filled) table into the invalid entry *e: its contents first. */
static void table_link(uint64_t *e, uint64_t *table)
{
	__asm__ volatile("dsb ishst" ::: "memory");
	*e = (uint64_t)(uintptr_t)table | PTE_VALID | PTE_TABLE;
}

/* The entry that decides va's translation: the first invalid or leaf entry on the
 * walk, and its level. */
static uint64_t *lookup(uintptr_t va, unsigned int *level)
{
	uint64_t *table = root;

	for (unsigned int l = 0;; l++) {
		uint64_t *e = &table[index_of(va, l)];

		if (!(*e & PTE_VALID) || is_leaf(*e, l)) {
			*level = l;
			return e;
		}
		table = table_of(*e);
	}
}

/* The end of the span of va's level-l entry, clipped to end. */
static uintptr_t span_stop(uintptr_t va, unsigned int level, uintptr_t end)
{
	uintptr_t next = ALIGN_DOWN(va, MMU_LEVEL_SIZE(level)) + MMU_LEVEL_SIZE(level);

	return next < end ? next : end;
}

/* Whether any page of [va, end) is mapped (want_mapped false), or every page is. */
static bool range_all(uintptr_t va, uintptr_t end, bool want_mapped)
{
	while (va < end) {
		unsigned int l;
		uint64_t *e = lookup(va, &l);

		if (!!(*e & PTE_VALID) != want_mapped)
			return false;
		va = span_stop(va, l, end);
	}
	return true;
}

/* Map one leaf at va, the largest allowed; its size, or 0 without memory for a table. */
static size_t map_one(uintptr_t va, uint64_t pa, size_t left, uint64_t bits, bool large)
{
	uint64_t *table = root;

	for (unsigned int l = 0;; l++) {
		uint64_t *e = &table[index_of(va, l)];
		size_t span = MMU_LEVEL_SIZE(l);

		if (l == MMU_LEAF_LEVEL ||
		    (large && l >= MMU_FIRST_BLOCK_LV && !(*e & PTE_VALID) &&
		     IS_ALIGNED(va, span) && IS_ALIGNED(pa, span) && left >= span)) {
			/* The caller checked that nothing is mapped here: *e is invalid. */
			*e = pa | bits | leaf_type(l);
			if (l == MMU_LEAF_LEVEL)
				counts.pages++;
			else
				counts.blocks[l]++;
			return span;
		}
		if (!(*e & PTE_VALID)) {
			uint64_t *next = table_alloc();

			if (!next)
				return 0;
			table_link(e, next);
		}
		table = table_of(*e);
	}
}

/* ---- Walking a range: unmap and protect ------------------------------------------- */

struct range_op {
	bool unmap;    /* else protect to bits */
	uint64_t bits; /* prot_bits() of the new protection */
};

/* A leaf at level into a table of the next level with the same mapping, installed
 * break-before-make (a block-size change). -E_NOMEM without a page for it. */
static int split(uint64_t *e, unsigned int level, uintptr_t va)
{
	uint64_t *t;
	uint64_t old = *e, pa = old & PTE_ADDR_MASK;
	uint64_t attrs = old & ~(PTE_ADDR_MASK | PTE_TYPE_MASK);
	size_t sub = MMU_LEVEL_SIZE(level + 1);
	uintptr_t base = ALIGN_DOWN(va, MMU_LEVEL_SIZE(level));

	/* In the break the block is unmapped for this CPU too: the entry's own table page
	 * must lie outside it, or the store that remakes it would fault. */
	if ((uintptr_t)e - base < MMU_LEVEL_SIZE(level))
		panic("mmu: cannot split the block at %#lx: the table holding its entry lies "
		      "inside it",
		      (unsigned long)base);
	t = table_alloc();
	if (!t)
		return -E_NOMEM;
	for (unsigned int i = 0; i < MMU_ENTRIES; i++)
		t[i] = (pa + i * sub) | attrs | leaf_type(level + 1);
	__asm__ volatile("dsb ishst" ::: "memory"); /* the new table before the link */
	replace_live(e, (uint64_t)(uintptr_t)t | PTE_VALID | PTE_TABLE, base);
	if (level + 1 == MMU_LEAF_LEVEL)
		counts.pages += MMU_ENTRIES;
	else
		counts.blocks[level + 1] += MMU_ENTRIES;
	return 0;
}

/* Apply op to the whole leaf *e, which maps va. */
static void leaf_apply(uint64_t *e, uintptr_t va, const struct range_op *op)
{
	uint64_t old = *e, new;

	if (op->unmap) {
		*e = 0;
		tlb_inval_va(va);
		return;
	}
	new = (old & (PTE_ADDR_MASK | PTE_TYPE_MASK)) | op->bits;
	if ((new &PTE_ATTR_MASK) != (old & PTE_ATTR_MASK)) {
		replace_live(e, new, va); /* memory type change: break before make */
	} else if (new != old) {
		*e = new; /* permissions only: no break needed */
		tlb_inval_va(va);
	}
}

static bool table_empty(const uint64_t *table)
{
	for (unsigned int i = 0; i < MMU_ENTRIES; i++)
		if (table[i] & PTE_VALID)
			return false;
	return true;
}

/* op over [va, end), all within the entries of table (at level). */
static int range_apply(uint64_t *table, unsigned int level, uintptr_t va, uintptr_t end,
		       const struct range_op *op)
{
	while (va < end) {
		uint64_t *e = &table[index_of(va, level)];
		uintptr_t base = ALIGN_DOWN(va, MMU_LEVEL_SIZE(level));
		uintptr_t stop = span_stop(va, level, end);
		int err;

		if (!(*e & PTE_VALID)) { /* a hole: protect checked there is none */
			va = stop;
			continue;
		}
		if (is_leaf(*e, level)) {
			if (va == base && stop - base == MMU_LEVEL_SIZE(level)) {
				leaf_apply(e, va, op);
				va = stop;
				continue;
			}
			err = split(e, level, va);
			if (err)
				return err;
		}
		err = range_apply(table_of(*e), level + 1, va, stop, op);
		if (err)
			return err;
		if (op->unmap && table_empty(table_of(*e))) {
			uint64_t *t = table_of(*e);

			*e = 0;
			table_free(t);
		}
		va = stop;
	}
	return 0;
}

/* Free a table nothing points to any more, once no CPU's walk cache can hold it. */
static void table_free(uint64_t *table)
{
	__asm__ volatile("dsb ishst\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::: "memory");
	if (pmm_free((uint64_t)(uintptr_t)table, 0))
		panic("mmu: page table %p was not a free-able page", (void *)table);
	counts.table_pages--;
}

/* ---- The arch contract ------------------------------------------------------------ */

int arch_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot, bool large)
{
	unsigned long flags;
	uint64_t bits = prot_bits(prot);
	size_t done = 0;
	int err = 0;

	if (!range_valid(va, size) || !IS_ALIGNED(pa, PAGE_SIZE) || !prot_valid(prot) ||
	    pa + size < pa || pa + size > pa_limit)
		return -E_INVAL;
	if (!root)
		return -E_NOTSUP;
	flags = spin_lock_irqsave(&mmu_lock);
	if (!range_all(va, va + size, false)) {
		err = -E_BUSY;
		goto out;
	}
	while (done < size) {
		size_t n = map_one(va + done, pa + done, size - done, bits, large);

		if (!n) {
			struct range_op undo = {.unmap = true};

			if (done)
				range_apply(root, 0, va, va + done, &undo);
			err = -E_NOMEM;
			goto out;
		}
		done += n;
	}
	/* New entries over invalid ones: visible to the walker, no TLB entry to drop. */
	__asm__ volatile("dsb ishst\n\tisb" ::: "memory");
out:
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

int arch_unmap(uintptr_t va, size_t size)
{
	struct range_op op = {.unmap = true};
	unsigned long flags;
	int err;

	if (!range_valid(va, size))
		return -E_INVAL;
	if (!root)
		return -E_NOTSUP;
	flags = spin_lock_irqsave(&mmu_lock);
	err = range_apply(root, 0, va, va + size, &op);
	tlb_sync();
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

int arch_protect(uintptr_t va, size_t size, unsigned int prot)
{
	struct range_op op = {.bits = prot_bits(prot)};
	unsigned long flags;
	int err;

	if (!range_valid(va, size) || !prot_valid(prot))
		return -E_INVAL;
	if (!root)
		return -E_NOTSUP;
	flags = spin_lock_irqsave(&mmu_lock);
	if (!range_all(va, va + size, true))
		err = -E_INVAL; /* a hole: nothing changed */
	else
		err = range_apply(root, 0, va, va + size, &op);
	tlb_sync();
	spin_unlock_irqrestore(&mmu_lock, flags);
	return err;
}

bool arch_query(uintptr_t va, uint64_t *pa, unsigned int *prot, size_t *page_size)
{
	unsigned long flags;
	unsigned int l;
	uint64_t e;
	size_t span;

	if (!root || va >= (UL(1) << MMU_VA_BITS))
		return false;
	flags = spin_lock_irqsave(&mmu_lock);
	e = *lookup(va, &l);
	spin_unlock_irqrestore(&mmu_lock, flags);
	if (!(e & PTE_VALID))
		return false;
	span = MMU_LEVEL_SIZE(l);
	*pa = (e & PTE_ADDR_MASK & ~(uint64_t)(span - 1)) + (va & (span - 1));
	*prot = prot_of(e);
	*page_size = span;
	return true;
}

/* Above this many pages one whole-TLB invalidate is cheaper than one per page. */
#define FLUSH_ALL_PAGES 64

void arch_tlb_flush_local(uintptr_t va, size_t size)
{
	__asm__ volatile("dsb nshst" ::: "memory");
	if (size == 0 || size / PAGE_SIZE > FLUSH_ALL_PAGES) {
		__asm__ volatile("tlbi vmalle1" ::: "memory");
	} else {
		for (uintptr_t a = ALIGN_DOWN(va, PAGE_SIZE); a < va + size; a += PAGE_SIZE)
			__asm__ volatile("tlbi vaae1, %0" ::"r"(a >> PAGE_SHIFT) : "memory");
	}
	__asm__ volatile("dsb nsh\n\tisb" ::: "memory");
}

uint64_t arch_mmu_root(void)
{
	return (uint64_t)(uintptr_t)root;
}

/* ---- For mmu_boot.c --------------------------------------------------------------- */

uint64_t mmu_tables_create(void)
{
	root = table_alloc();
	if (!root)
		panic("mmu: no free page for the root page table");
	return (uint64_t)(uintptr_t)root;
}

void mmu_set_pa_limit(uint64_t limit)
{
	pa_limit = limit;
}

void mmu_counts(struct mmu_counts *out)
{
	unsigned long flags = spin_lock_irqsave(&mmu_lock);

	*out = counts;
	spin_unlock_irqrestore(&mmu_lock, flags);
}

static void inval_table(uint64_t *table, unsigned int level)
{
	aarch64_dcache_inval((uintptr_t)table, PAGE_SIZE);
	if (level == MMU_LEAF_LEVEL)
		return;
	for (unsigned int i = 0; i < MMU_ENTRIES; i++)
		if ((table[i] & PTE_VALID) && !is_leaf(table[i], level))
			inval_table(table_of(table[i]), level + 1);
}

void mmu_tables_inval_dcache(void)
{
	inval_table(root, 0);
}

/*
 * The portable side of the MMU (kernel/include/vm.h): argument checks, ioremap, and TLB
 * shootdowns. The tables themselves are the arch's (arch/<arch>/mmu.c).
 */
#include <inttypes.h>

#include "arch.h"
#include "errors.h"
#include "irq.h"
#include "kernel.h"
#include "pmm.h"
#include "printk.h"
#include "smp.h"
#include "vm.h"

static uint64_t shootdowns;

struct flush_range {
	uintptr_t va;
	size_t size;
};

static bool page_aligned(uintptr_t va, uint64_t pa, size_t size)
{
	return IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(pa, PAGE_SIZE) && size &&
	       IS_ALIGNED(size, PAGE_SIZE) && va + size > va;
}

void vm_init(const struct boot_info *bi)
{
	arch_mmu_init(bi);
	if (arch_mmu_root())
		pr_info("vm: MMU on, kernel page tables at %#" PRIx64 "\n", arch_mmu_root());
	else
		pr_warn("vm: %s has no page-table support yet: the MMU stays as booted\n",
			arch_name);
}

int vm_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot)
{
	if (!page_aligned(va, pa, size) || (prot & ~VM_PROT_MASK) || !(prot & VM_READ))
		return -E_INVAL;
	return arch_map(va, pa, size, prot, true);
}

static void flush_here(void *arg)
{
	const struct flush_range *r = arg;

	arch_tlb_flush_local(r->va, r->size);
}

/* Every CPU forgets [va, va + size): each runs the flush in an IPI, this one directly
 * (by CPU index: the calling thread may move to another CPU meanwhile). */
static void shootdown(uintptr_t va, size_t size)
{
	struct flush_range r = {va, size};
	unsigned long flags;

	if (smp_cpus_online() == 1) {
		flags = arch_irq_save();
		arch_tlb_flush_local(va, size);
		arch_irq_restore(flags);
		return;
	}
	if (!arch_irqs_enabled() || in_interrupt())
		panic("vm: a mapping was taken away with interrupts off while other CPUs run: "
		      "their TLBs cannot be flushed");
	smp_call_all(flush_here, &r);
	__atomic_fetch_add(&shootdowns, 1, __ATOMIC_RELAXED);
}

void vm_flush_all_cpus(void)
{
	shootdown(0, 0); /* size 0: the whole TLB */
}

int vm_unmap_local(uintptr_t va, size_t size)
{
	if (!page_aligned(va, 0, size))
		return -E_INVAL;
	return arch_unmap(va, size);
}

int vm_unmap(uintptr_t va, size_t size)
{
	int err;

	if (!page_aligned(va, 0, size))
		return -E_INVAL;
	err = arch_unmap(va, size);
	if (!err)
		shootdown(va, size);
	return err;
}

int vm_protect(uintptr_t va, size_t size, unsigned int prot)
{
	int err;

	if (!page_aligned(va, 0, size) || (prot & ~VM_PROT_MASK) || !(prot & VM_READ))
		return -E_INVAL;
	err = arch_protect(va, size, prot);
	if (!err)
		shootdown(va, size);
	return err;
}

bool vm_query(uintptr_t va, struct vm_mapping *out)
{
	return arch_query(va, &out->pa, &out->prot, &out->page_size);
}

void *ioremap(uint64_t pa, size_t size)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - base;
	struct vm_mapping m;
	int err;

	/* Identity for now: a device already mapped (by arch_mmu_init) is reused. */
	if (vm_query((uintptr_t)base, &m) && (m.prot & VM_DEVICE) &&
	    vm_query((uintptr_t)(base + len - 1), &m) && (m.prot & VM_DEVICE))
		return (void *)(uintptr_t)pa;
	err = arch_map((uintptr_t)base, base, len, VM_READ | VM_WRITE | VM_DEVICE, false);
	if (err) {
		pr_err("ioremap: cannot map %#" PRIx64 "+%#zx: %s\n", pa, size, error_name(err));
		return NULL;
	}
	return (void *)(uintptr_t)pa;
}

uint64_t vm_shootdowns(void)
{
	return __atomic_load_n(&shootdowns, __ATOMIC_RELAXED);
}

/*
 * The kernel's virtual memory: one address space, shared by every CPU, over the arch's
 * page tables (arch.h, "Memory management unit"). RAM and the image are mapped at their
 * physical addresses; the image with W^X (text read+exec, rodata read-only, data no-exec).
 *
 * vm_unmap() and vm_protect() take permissions away, so every CPU must forget what its
 * TLB cached: they flush the caller's and send a TLB shootdown to each other online CPU
 * (a function call IPI, smp_call_on) before they return. Call them from threads with
 * interrupts on once other CPUs run.
 */
#ifndef VM_H
#define VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

struct boot_info;

struct vm_mapping {
	uint64_t pa;	   /* of the address asked about */
	unsigned int prot; /* VM_* */
	size_t page_size;  /* of the page holding it */
};

/* After pmm_init, on the boot CPU: page tables and MMU on (arch_mmu_init). */
void vm_init(const struct boot_info *bi);

/* Map [va, va + size) to pa with prot, large pages where they fit. 0 or -E_* (see
 * arch_map). */
int vm_map(uintptr_t va, uint64_t pa, size_t size, unsigned int prot);
int vm_unmap(uintptr_t va, size_t size);
int vm_protect(uintptr_t va, size_t size, unsigned int prot);
bool vm_query(uintptr_t va, struct vm_mapping *out);

/* Unmap without telling other CPUs: their TLBs may keep the old translation until the
 * caller has them flushed (vm_flush_all_cpus) before the addresses are used again. For
 * kernel/kstack.c, which frees stacks with interrupts off. */
int vm_unmap_local(uintptr_t va, size_t size);
/* Every CPU flushes its whole TLB (interrupts on, from a thread, once CPUs run). */
void vm_flush_all_cpus(void);

/* MMIO: the device registers at [pa, pa + size) mapped uncached, read+write. Returns
 * the address to use, or NULL (with the reason printed). */
void *ioremap(uint64_t pa, size_t size);

/* TLB shootdowns sent to other CPUs so far. */
uint64_t vm_shootdowns(void);

#endif

/*
 * Entry of every CPU but the boot CPU. PSCI CPU_ON (smp.c) starts the CPU here with the
 * MMU off, at EL2 or EL1 (the same EL the boot CPU was entered at), x0 = the context
 * argument: a struct aarch64_secondary_boot (aarch64.h gives its layout). The CPU
 * gets the boot CPU's EL1 state (entry.S's subroutines, shared on purpose), the
 * kernel page tables with the MMU on (mmu_on.S), its own stack and index, the boot CPU's TLS pointer, and calls smp_secondary_main(index)
 * with every exception masked.
 */
#include "aarch64.h"

	.section .text, "ax"
	.globl	aarch64_secondary_entry
aarch64_secondary_entry:
	msr	daifset, #DAIFSET_ALL
	mov	x19, x0				/* the context; x0 and x1 are scratch below */
	mrs	x0, CurrentEL
	lsr	x0, x0, #CURRENT_EL_SHIFT
	and	x0, x0, #CURRENT_EL_MASK
	cmp	x0, #2
	b.hi	aarch64_unsupported_el
	b.lo	1f
	bl	aarch64_el2_to_el1		/* returns here, at EL1 */
1:	bl	aarch64_el1_setup
	/* The MMU and caches on before the first store: a stack written with the caches
	 * off and read through them later could meet stale lines. */
	adrp	x0, aarch64_mmu_regs
	add	x0, x0, :lo12:aarch64_mmu_regs
	bl	aarch64_mmu_on

	ldr	x0, [x19, #SECONDARY_BOOT_STACK_TOP]
	mov	sp, x0
	/* picolibc's TLS is one area that every CPU shares (kernel/tls.c). */
	ldr	x0, [x19, #SECONDARY_BOOT_TLS]
	msr	tpidr_el0, x0
	/* arch_cpu_index() reads TPIDR_EL1. */
	ldr	x0, [x19, #SECONDARY_BOOT_INDEX]
	msr	tpidr_el1, x0
	/* An empty frame record ends backtraces here. */
	mov	x29, #0
	mov	x30, #0
	bl	smp_secondary_main		/* (index); never returns */
2:	wfi
	b	2b

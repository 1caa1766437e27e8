/*
 * Turn the MMU on for the calling CPU: x0 = struct aarch64_mmu_regs (aarch64_mmu.h).
 * Called by the boot CPU from C (mmu_boot.c) and by every other CPU from its entry
 * (secondary.S) before it has a stack, so that nothing it writes with the caches off
 * is later read through them (a stale line could hide it). Uses x0-x2, no stack.
 * Does nothing when regs->ttbr0 is 0 (no tables were built).
 */
#include "aarch64.h"

	.section .text, "ax"
	.globl	aarch64_mmu_on
aarch64_mmu_on:
	ldr	x1, [x0, #MMU_REGS_TTBR0]
	cbz	x1, 1f
	msr	ttbr0_el1, x1
	ldr	x1, [x0, #MMU_REGS_MAIR]
	msr	mair_el1, x1
	ldr	x1, [x0, #MMU_REGS_TCR]
	msr	tcr_el1, x1
	isb
	/* Whatever this CPU's TLBs and instruction cache hold from before (reset,
	 * firmware) must not be used with the new tables. Local: only this CPU's. */
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	/* Table stores complete, then the switch (Arm ARM: "Enabling the MMU"). */
	mrs	x1, sctlr_el1
	mov	x2, #(SCTLR_EL1_M | SCTLR_EL1_C)
	orr	x1, x1, x2
	orr	x1, x1, #SCTLR_EL1_I
	dsb	ish
	isb
	msr	sctlr_el1, x1
	isb
1:	ret

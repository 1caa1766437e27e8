/*
 * The EL1 exception vector table (Arm ARM: VBAR_EL1, "Exception vectors"): 16 entries
 * of 0x80 bytes, the table 2 KiB aligned. Every entry builds a struct trap_frame on the
 * current stack and calls aarch64_trap(frame) with the entry number in the frame;
 * if the handler returns, the registers are restored and the exception returns.
 */
#include "aarch64.h"

/* An entry has room for 32 instructions, not enough to save everything: it saves x0/x1,
 * puts its number in x0 and branches to the common code. */
.macro ventry number
	.balign	VECTOR_ENTRY_SIZE
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_REGS]
	mov	x0, #\number
	b	trap_common
.endm

	.section .text.vectors, "ax"
	.balign	VECTOR_TABLE_ALIGN
	.globl	aarch64_vectors
aarch64_vectors:
	/* Current EL using SP_EL0: synchronous, IRQ, FIQ, SError. */
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	/* Current EL using SP_EL1: where the kernel's own exceptions arrive. */
	ventry	4
	ventry	5
	ventry	6
	ventry	7
	/* Lower EL in AArch64. */
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	/* Lower EL in AArch32. */
	ventry	12
	ventry	13
	ventry	14
	ventry	15

trap_common:
	stp	x2, x3, [sp, #TF_REGS + 2 * 8]
	stp	x4, x5, [sp, #TF_REGS + 4 * 8]
	stp	x6, x7, [sp, #TF_REGS + 6 * 8]
	stp	x8, x9, [sp, #TF_REGS + 8 * 8]
	stp	x10, x11, [sp, #TF_REGS + 10 * 8]
	stp	x12, x13, [sp, #TF_REGS + 12 * 8]
	stp	x14, x15, [sp, #TF_REGS + 14 * 8]
	stp	x16, x17, [sp, #TF_REGS + 16 * 8]
	stp	x18, x19, [sp, #TF_REGS + 18 * 8]
	stp	x20, x21, [sp, #TF_REGS + 20 * 8]
	stp	x22, x23, [sp, #TF_REGS + 22 * 8]
	stp	x24, x25, [sp, #TF_REGS + 24 * 8]
	stp	x26, x27, [sp, #TF_REGS + 26 * 8]
	stp	x28, x29, [sp, #TF_REGS + 28 * 8]

	/* The interrupted SP: taken from the current EL on SP_EL1, it is just above this
	 * frame; from SP_EL0 or a lower EL it is SP_EL0, which the exception left alone. */
	add	x1, sp, #TF_SIZE
	cmp	x0, #VECTOR_CUR_SPX * VECTOR_KINDS
	b.lo	1f
	cmp	x0, #VECTOR_LOWER_A64 * VECTOR_KINDS
	b.lo	2f
1:	mrs	x1, sp_el0
2:	stp	x30, x1, [sp, #TF_REGS + 30 * 8]	/* x30, then sp at TF_SP */

	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #TF_ELR]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #TF_ESR]
	str	x0, [sp, #TF_VECTOR]

	mov	x0, sp
	bl	aarch64_trap

	/* Resume where the exception was taken (SP needs no restore: see above). */
	ldp	x1, x2, [sp, #TF_ELR]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #TF_REGS]
	ldp	x2, x3, [sp, #TF_REGS + 2 * 8]
	ldp	x4, x5, [sp, #TF_REGS + 4 * 8]
	ldp	x6, x7, [sp, #TF_REGS + 6 * 8]
	ldp	x8, x9, [sp, #TF_REGS + 8 * 8]
	ldp	x10, x11, [sp, #TF_REGS + 10 * 8]
	ldp	x12, x13, [sp, #TF_REGS + 12 * 8]
	ldp	x14, x15, [sp, #TF_REGS + 14 * 8]
	ldp	x16, x17, [sp, #TF_REGS + 16 * 8]
	ldp	x18, x19, [sp, #TF_REGS + 18 * 8]
	ldp	x20, x21, [sp, #TF_REGS + 20 * 8]
	ldp	x22, x23, [sp, #TF_REGS + 22 * 8]
	ldp	x24, x25, [sp, #TF_REGS + 24 * 8]
	ldp	x26, x27, [sp, #TF_REGS + 26 * 8]
	ldp	x28, x29, [sp, #TF_REGS + 28 * 8]
	ldr	x30, [sp, #TF_REGS + 30 * 8]
	add	sp, sp, #TF_SIZE
	eret

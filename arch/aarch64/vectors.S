/*
 * The EL1 exception vector table (Arm ARM: VBAR_EL1, "Exception vectors"): 16 entries
 * of 0x80 bytes, the table 2 KiB aligned. Every entry builds a struct trap_frame on the
 * current stack and calls aarch64_trap(frame) with the entry number in the frame;
 * if the handler returns, the registers are restored and the exception returns.
 *
 * IRQs taken from the kernel itself (current EL, SP_EL1) are the one kind expected to
 * return to the interrupted code at an arbitrary instruction; their entry also keeps
 * the FP/SIMD state that the C library may be using there (see irq_common).
 */
#include "aarch64.h"

/* An entry has room for 32 instructions, not enough to save everything: it saves x0/x1,
 * puts its number in x0 and branches to the common code. */
.macro ventry number, common=trap_common
	.balign	VECTOR_ENTRY_SIZE
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #TF_REGS]
	mov	x0, #\number
	b	\common
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
	ventry	5, irq_common		/* +0x280: the GIC's interrupts */
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

/* The rest of the trap frame, after an entry saved x0/x1 and put its number in x0. */
.macro save_frame
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
.endm

/* Resume where the exception was taken (SP needs no restore: see save_frame). */
.macro restore_frame_and_return
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
.endm

trap_common:
	save_frame
	mov	x0, sp
	bl	aarch64_trap
	restore_frame_and_return

/*
 * An IRQ can stop any code, also the C library's, which uses FP/SIMD registers (its
 * memcpy, its printf's saving of q0-q7) that the kernel's own -mgeneral-regs-only code
 * never touches. Handlers may call the same library, so the interrupted code's q0-q31,
 * FPCR and FPSR are kept below the trap frame for the handler's duration. With the
 * in-tree libc nothing uses them and there is nothing to keep.
 */
irq_common:
	save_frame
#ifdef CONFIG_LIBC_PICOLIBC
	sub	sp, sp, #FP_STATE_SIZE
	stp	q0, q1, [sp, #FP_STATE_Q + 0 * 16]
	stp	q2, q3, [sp, #FP_STATE_Q + 2 * 16]
	stp	q4, q5, [sp, #FP_STATE_Q + 4 * 16]
	stp	q6, q7, [sp, #FP_STATE_Q + 6 * 16]
	stp	q8, q9, [sp, #FP_STATE_Q + 8 * 16]
	stp	q10, q11, [sp, #FP_STATE_Q + 10 * 16]
	stp	q12, q13, [sp, #FP_STATE_Q + 12 * 16]
	stp	q14, q15, [sp, #FP_STATE_Q + 14 * 16]
	stp	q16, q17, [sp, #FP_STATE_Q + 16 * 16]
	stp	q18, q19, [sp, #FP_STATE_Q + 18 * 16]
	stp	q20, q21, [sp, #FP_STATE_Q + 20 * 16]
	stp	q22, q23, [sp, #FP_STATE_Q + 22 * 16]
	stp	q24, q25, [sp, #FP_STATE_Q + 24 * 16]
	stp	q26, q27, [sp, #FP_STATE_Q + 26 * 16]
	stp	q28, q29, [sp, #FP_STATE_Q + 28 * 16]
	stp	q30, q31, [sp, #FP_STATE_Q + 30 * 16]
	mrs	x1, fpcr
	mrs	x2, fpsr
	stp	x1, x2, [sp, #FP_STATE_FPCR]
	add	x0, sp, #FP_STATE_SIZE		/* the trap frame */
#else
	mov	x0, sp
#endif
	bl	aarch64_trap
#ifdef CONFIG_LIBC_PICOLIBC
	ldp	x1, x2, [sp, #FP_STATE_FPCR]
	msr	fpcr, x1
	msr	fpsr, x2
	ldp	q0, q1, [sp, #FP_STATE_Q + 0 * 16]
	ldp	q2, q3, [sp, #FP_STATE_Q + 2 * 16]
	ldp	q4, q5, [sp, #FP_STATE_Q + 4 * 16]
	ldp	q6, q7, [sp, #FP_STATE_Q + 6 * 16]
	ldp	q8, q9, [sp, #FP_STATE_Q + 8 * 16]
	ldp	q10, q11, [sp, #FP_STATE_Q + 10 * 16]
	ldp	q12, q13, [sp, #FP_STATE_Q + 12 * 16]
	ldp	q14, q15, [sp, #FP_STATE_Q + 14 * 16]
	ldp	q16, q17, [sp, #FP_STATE_Q + 16 * 16]
	ldp	q18, q19, [sp, #FP_STATE_Q + 18 * 16]
	ldp	q20, q21, [sp, #FP_STATE_Q + 20 * 16]
	ldp	q22, q23, [sp, #FP_STATE_Q + 22 * 16]
	ldp	q24, q25, [sp, #FP_STATE_Q + 24 * 16]
	ldp	q26, q27, [sp, #FP_STATE_Q + 26 * 16]
	ldp	q28, q29, [sp, #FP_STATE_Q + 28 * 16]
	ldp	q30, q31, [sp, #FP_STATE_Q + 30 * 16]
	add	sp, sp, #FP_STATE_SIZE
#endif
	restore_frame_and_return

/* arch_setjmp / arch_longjmp (kernel/include/arch.h): the callee-saved registers of
 * AAPCS64 that kernel code uses (x19-x28, the frame pointer x29, the link register x30)
 * and the stack pointer. d8-d15 are left out: kernel code is -mgeneral-regs-only. */
	.text
	.globl arch_setjmp
arch_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	str	x2, [x0, #96]
	mov	w0, #0
	ret

	.globl arch_longjmp
arch_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x2, [x0, #96]
	mov	sp, x2
	cmp	w1, #0			/* longjmp(buf, 0) returns 1, as in C */
	csinc	w0, w1, wzr, ne
	ret

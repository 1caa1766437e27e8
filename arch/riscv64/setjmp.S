/* arch_setjmp / arch_longjmp (kernel/include/arch.h): the callee-saved registers of the
 * RISC-V psABI (ra, sp, s0-s11), enough to resume in arch_setjmp's caller. */
	.text
	.globl arch_setjmp
arch_setjmp:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	sd	s\n, (16 + \n * 8)(a0)
	.endr
	li	a0, 0
	ret

	.globl arch_longjmp
arch_longjmp:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	ld	s\n, (16 + \n * 8)(a0)
	.endr
	seqz	t0, a1			/* longjmp(buf, 0) returns 1, as in C */
	add	a0, a1, t0
	ret

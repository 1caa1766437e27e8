/*
 * Thread switching (kernel/include/arch.h): the RISC-V psABI callee-saved registers ra,
 * s0-s11 go on the old stack, 13 of 14 slots of a 112-byte frame (sp stays 16-aligned).
 */
#define FRAME	112

	.text
	.globl arch_context_switch
arch_context_switch:
	addi	sp, sp, -FRAME
	sd	ra, 0(sp)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	sd	s\n, (8 + \n * 8)(sp)
	.endr
	sd	sp, 0(a0)
	mv	sp, a1
	ld	ra, 0(sp)
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	ld	s\n, (8 + \n * 8)(sp)
	.endr
	addi	sp, sp, FRAME
	ret

/* A new thread's first return lands here with s1 = fn and s2 = arg (arch_context_init):
 * s0 = 0 ends the frame-pointer chain; fn never returns. */
	.globl riscv_thread_start
riscv_thread_start:
	/* The outermost frame: a debugger's unwinder stops here instead of reading on
	 * into whatever lies above the stack (CFI in .debug_frame, as for C). */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined ra
	mv	a0, s2
	li	s0, 0
	jalr	s1
1:	j	1b
	.cfi_endproc

/*
 * Thread switching (kernel/include/arch.h): the System V AMD64 callee-saved registers
 * rbp, rbx, r12-r15 are pushed on the old stack; the return address is already there.
 */
	.text
	.globl arch_context_switch
arch_context_switch:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

/* A new thread's first return lands here with r12 = fn and r13 = arg
 * (arch_context_init), rsp 16-aligned: rbp = 0 ends the frame chain; fn never returns. */
	.globl x86_thread_start
x86_thread_start:
	/* The outermost frame: a debugger's unwinder stops here instead of reading on
	 * into whatever lies above the stack (CFI in .debug_frame, as for C). */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined rip
	mov	%r13, %rdi
	xor	%ebp, %ebp
	call	*%r12
1:	hlt
	jmp	1b
	.cfi_endproc

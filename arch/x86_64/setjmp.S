/* arch_setjmp / arch_longjmp (kernel/include/arch.h): the callee-saved registers of the
 * System V AMD64 ABI (rbx, rbp, r12-r15), the stack pointer and the return address. */
	.text
	.globl arch_setjmp
arch_setjmp:
	mov	%rbx, 0(%rdi)
	mov	%rbp, 8(%rdi)
	mov	%r12, 16(%rdi)
	mov	%r13, 24(%rdi)
	mov	%r14, 32(%rdi)
	mov	%r15, 40(%rdi)
	lea	8(%rsp), %rax			/* the stack pointer after our return */
	mov	%rax, 48(%rdi)
	mov	(%rsp), %rax			/* the return address */
	mov	%rax, 56(%rdi)
	xor	%eax, %eax
	ret

	.globl arch_longjmp
arch_longjmp:
	mov	%esi, %eax
	test	%eax, %eax			/* longjmp(buf, 0) returns 1, as in C */
	jnz	1f
	inc	%eax
1:	mov	0(%rdi), %rbx
	mov	8(%rdi), %rbp
	mov	16(%rdi), %r12
	mov	24(%rdi), %r13
	mov	32(%rdi), %r14
	mov	40(%rdi), %r15
	mov	48(%rdi), %rsp
	jmp	*56(%rdi)

/*
 * Entry stubs, one per vector 0..255 (SDM 6.12.1, 6.14). The CPU pushes SS, RSP, RFLAGS,
 * CS, RIP and, for some exceptions, an error code, on a 16-byte aligned stack (SDM
 * 6.14.2; also for interrupts). Each stub makes the frame uniform (a 0 error code where
 * the CPU pushes none: every interrupt) and pushes its vector; trap_common saves the
 * general registers, which completes a struct trap_frame (x86.h), and calls
 * x86_trap(frame). Exceptions 0..31 and interrupts 32..255 share the path: x86_trap
 * tells them apart by the vector.
 */
#include "x86.h"

/* Vectors are written 0x<hi><lo>, so two nested .irp loops name all 256. */
#define HEX_DIGITS 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, a, b, c, d, e, f

.macro vector_stub vector
	.balign 16
x86_vector_\vector:
	.if !VEC_HAS_ERROR_CODE(\vector)
	pushq	$0
	.endif
	pushq	$\vector
	jmp	trap_common
.endm

	.section .text.x86_vectors, "ax"
	.irp hi, HEX_DIGITS
	.irp lo, HEX_DIGITS
	vector_stub 0x\hi\lo
	.endr
	.endr

/* Stack alignment: the CPU's 5 words plus error code and vector leave RSP 8 bytes off
 * 16; the 15 registers below restore the 16-byte alignment the ABI needs at the call. */
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld				/* the ABI expects DF clear in C */
	mov	%rsp, %rdi
	call	x86_trap

	/* Interrupts come back here; exceptions do not (they panic or longjmp). */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	add	$16, %rsp		/* vector and error code */
	iretq

/* Stub addresses by vector, for trap.c to build the IDT from. */
	.section .rodata.x86_vector_stubs, "a"
	.balign 8
	.globl x86_vector_stubs
x86_vector_stubs:
	.irp hi, HEX_DIGITS
	.irp lo, HEX_DIGITS
	.quad	x86_vector_0x\hi\lo
	.endr
	.endr

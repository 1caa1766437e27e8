/*
 * Thread switching (kernel/include/arch.h): the AAPCS64 callee-saved registers x19-x30
 * and the low halves of v8-v15 (d8-d15: picolibc's code may hold values there across a
 * call; FP/SIMD is on from boot), 160 bytes in a 176-byte frame (sp stays 16-aligned).
 */
#define FRAME	176

	.text
	.globl arch_context_switch
arch_context_switch:
	sub	sp, sp, #FRAME
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x2, sp
	str	x2, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #FRAME
	ret

/* A new thread's first return lands here with x19 = fn and x20 = arg
 * (arch_context_init): x29 = 0 ends the frame-record chain; fn never returns. */
	.globl aarch64_thread_start
aarch64_thread_start:
	/* The outermost frame: a debugger's unwinder stops here instead of reading on
	 * into whatever lies above the stack (CFI in .debug_frame, as for C). */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined x30
	mov	x0, x20
	mov	x29, #0
	blr	x19
1:	b	1b
	.cfi_endproc

/*
 * aarch64 part of the lz4 stub: an arm64 Image whose text_offset puts it at STUB_BASE,
 * so QEMU (and booti) load it above the kernel and enter it with x0 = FDT, at EL2 or
 * EL1. The stub changes no system register: the kernel's own entry still sees the CPU
 * as the boot protocol left it, apart from x0 being handed on unchanged.
 */
#define IMAGE_FLAGS_LE_4K_NEAR_BASE	0x2
#define IMAGE_MAGIC			0x644d5241	/* "ARM\x64" */
#define KERNEL_TEXT_OFFSET		0x200000	/* arch/aarch64: base = RAM + this */

	.section .text.entry, "ax"
	.globl _start
_start:
	b	1f					/* code0 */
	.long	0					/* code1 */
	.quad	STUB_BASE - (TARGET_KERNEL_BASE - KERNEL_TEXT_OFFSET)	/* text_offset */
	.quad	__stub_size				/* image_size */
	.quad	IMAGE_FLAGS_LE_4K_NEAR_BASE
	.quad	0, 0, 0					/* res2-res4 */
	.long	IMAGE_MAGIC
	.long	0					/* res5 */

1:	mov	x19, x0
	adrp	x0, stub_stack_top
	add	sp, x0, :lo12:stub_stack_top
	bl	stub_main				/* returns the kernel's entry */
	mov	x16, x0
	mov	x0, x19
	/* The kernel's code was written as data: make instruction fetch see it. */
	dsb	ish
	ic	iallu
	dsb	ish
	isb
	br	x16

	.text
	.globl arch_cpu_relax
arch_cpu_relax:
	yield
	ret

/* stub_poweroff(status): semihosting SYS_EXIT with ADP_Stopped_ApplicationExit. */
	.globl stub_poweroff
stub_poweroff:
	adrp	x1, exit_block
	add	x1, x1, :lo12:exit_block
	str	x0, [x1, #8]
	mov	x0, #0x18				/* SYS_EXIT */
	hlt	#0xf000
2:	wfi
	b	2b

	.data
	.balign 8
exit_block:
	.quad	0x20026					/* ADP_Stopped_ApplicationExit */
	.quad	0

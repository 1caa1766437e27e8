/*
 * riscv64 entry. OpenSBI (or U-Boot's booti) enters here in S-mode with the MMU off,
 * a0 = hart id, a1 = physical address of the FDT. Only the boot hart arrives: the others
 * stay stopped in the SBI HSM until the kernel starts them.
 */

	.section .text.entry, "ax"
	.option push
	.option norvc		/* the header's first word must be one 4-byte jump */
	.globl _start
_start:
	/* Linux RISC-V Image header (boot-image-header.rst): lets booti and QEMU load the
	 * raw image at RAM base + text_offset. */
	j	1f			/* code0: jump past the 64-byte header */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset from the start of RAM */
	.dword	__image_size		/* image_size, .bss included */
	.dword	0			/* flags: little endian */
	.word	2			/* header version 0.2 */
	.word	0			/* res1 */
	.dword	0			/* res2 */
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2: what U-Boot checks */
	.word	0			/* res3 */
	.option pop

1:	csrw	sie, zero
	csrw	sscratch, zero		/* arch_cpu_index(): the boot hart is CPU 0 */
	la	sp, __boot_stack_top

	/* Clear .bss (the stack is in it: nothing is on it yet). a0/a1 survive. */
	la	t0, __bss_start
	la	t1, __bss_end
2:	bgeu	t0, t1, 3f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	2b

3:	call	riscv_boot		/* (hartid, fdt); never returns */
4:	wfi
	j	4b

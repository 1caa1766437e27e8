/*
 * x86_64 part of the lz4 stub, in 32-bit protected mode (paging off) throughout: a PVH
 * note makes QEMU load it at STUB_BASE and enter _start with ebx = hvm_start_info, as it
 * would enter the kernel. The stub (built -m32) decompresses the kernel and jumps to the
 * kernel's own PVH entry with ebx unchanged; the kernel switches to long mode itself.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 4, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.long	_start

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	mov	%ebx, %esi		/* callee-saved across the C call (i386 ABI) */
	mov	$stub_stack_top, %esp
	call	stub_main		/* returns the kernel's entry in eax */
	mov	%esi, %ebx
	jmp	*%eax

	.text
	.globl arch_cpu_relax
arch_cpu_relax:
	pause
	ret

/* uint8_t arch_pio_read8(uint16_t port), void arch_pio_write8(port, value): cdecl. */
	.globl arch_pio_read8
arch_pio_read8:
	mov	4(%esp), %edx
	xor	%eax, %eax
	inb	%dx, %al
	ret

	.globl arch_pio_write8
arch_pio_write8:
	mov	4(%esp), %edx
	mov	8(%esp), %eax
	outb	%al, %dx
	ret

/* stub_poweroff(status): QEMU's isa-debug-exit device. */
	.globl stub_poweroff
stub_poweroff:
	mov	4(%esp), %eax
	mov	$TARGET_EXIT_PORT, %edx
	outb	%al, %dx
1:	hlt
	jmp	1b

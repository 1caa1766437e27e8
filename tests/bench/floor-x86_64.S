/* Boot-time floor payload for x86_64: a PVH entry note and a 32-bit entry that writes 0
 * to isa-debug-exit at once (QEMU exits with 1), for tools/bench-boot. */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 8, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.quad	_start

	.section .text
	.code32
	.globl _start
_start:
	mov	$TARGET_EXIT_PORT, %dx
	xor	%eax, %eax
	out	%al, %dx
1:	hlt
	jmp	1b

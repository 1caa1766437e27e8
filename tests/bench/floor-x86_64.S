/* Boot-time floor payload for x86_64: writes 0 to isa-debug-exit at once (QEMU exits
 * with 1), for tools/bench-boot. Its few instructions encode the same in 32- and 64-bit
 * mode, so one entry serves both ways in: PVH (the note, 32-bit) and U-Boot's bootelf
 * (the ELF entry, 64-bit). */
	.section .note.Xen, "a", @note
	.balign 4
	.long	4, 8, 18		/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.quad	_start

	.section .text
	.globl _start
_start:
	mov	$TARGET_EXIT_PORT, %dx
	xor	%eax, %eax
	out	%al, %dx
1:	hlt
	jmp	1b

/* Boot-time floor payload for aarch64 (an ELF, entered at EL1 or EL2): semihosting
 * SYS_EXIT with ADP_Stopped_ApplicationExit and status 0, at once (tools/bench-boot). */
	.section .text
	.globl _start
_start:
	mov	x0, #0x18		/* SYS_EXIT */
	adr	x1, exit_block
	hlt	#0xf000
1:	b	1b

	.balign 8
exit_block:
	.quad	0x20026			/* ADP_Stopped_ApplicationExit */
	.quad	0			/* status */

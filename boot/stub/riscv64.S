/*
 * riscv64 part of the lz4 stub. OpenSBI (fw_dynamic) loads this ELF at STUB_BASE and
 * enters _start in S-mode with a0 = hart id, a1 = FDT, exactly as it would enter the
 * kernel: keep both, decompress, then enter the kernel with them.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	mv	s0, a0
	mv	s1, a1
	la	sp, stub_stack_top
	call	stub_main		/* returns the kernel's entry address */
	mv	t0, a0
	mv	a0, s0
	mv	a1, s1
	/* fence.i (Zifencei; spelled as .insn for assemblers that want the extension
	 * named): the kernel's code was written as data, instruction fetch must see it. */
	.insn	i 0x0f, 1, x0, x0, 0
	jr	t0

	.text
	.globl arch_cpu_relax
arch_cpu_relax:
	ret

/* stub_poweroff(status): QEMU's sifive_test device, as arch/riscv64/cpu.c does. */
	.globl stub_poweroff
stub_poweroff:
	li	t0, TARGET_EXIT_BASE
	li	t1, 0x5555		/* pass: exit status 0 */
	beqz	a0, 1f
	slli	t1, a0, 16
	li	t2, 0x3333		/* fail: exit status (code << 16) */
	or	t1, t1, t2
1:	sw	t1, 0(t0)
2:	wfi
	j	2b

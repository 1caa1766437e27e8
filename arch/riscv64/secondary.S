/*
 * Entry of a secondary hart, started by arch_cpu_start() (smp.c) through SBI HSM
 * hart_start: S-mode, MMU off (satp 0), interrupts off, a0 = hart id, a1 = opaque = its
 * struct riscv_secondary_start. Gives it the boot hart's state (trap vector, TLS
 * pointer, FP unit state), its CPU index in sscratch, then smp_secondary_main(index).
 */
#include "riscv.h"

	.section .text
	.balign 4
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero			/* no interrupt is wanted before the kernel asks */
	ld	sp, SECONDARY_STACK_TOP(a1)
	ld	tp, SECONDARY_TP(a1)
	ld	t0, SECONDARY_INDEX(a1)
	csrw	sscratch, t0			/* arch_cpu_index() from the first C instruction */

	/* Direct mode, the boot hart's vector (privileged spec 4.1.2, stvec). */
	la	t1, trap_entry
	csrw	stvec, t1

	li	t1, SSTATUS_FS
	csrc	sstatus, t1
	ld	t1, SECONDARY_SSTATUS_FS(a1)
	csrs	sstatus, t1

	mv	a0, t0
	li	s0, 0				/* the frame-pointer chain ends here */
	call	smp_secondary_main		/* never returns */
1:	wfi
	j	1b

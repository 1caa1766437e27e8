/*
 * aarch64 entry. QEMU's -kernel and U-Boot's booti load this image at DRAM base +
 * text_offset and jump to its first byte with the MMU and D-cache off, x0 = physical
 * address of the FDT, x1-x3 = 0 (Linux Documentation/arch/arm64/booting.rst). The CPU is
 * at EL1, or at EL2 when the machine has virtualization; the kernel always runs at EL1.
 */
#include "aarch64.h"

	.section .text.entry, "ax"
	.globl _start
_start:
	/* arm64 Image header: 64 bytes, little endian. */
	b	1f				/* code0: branch past the header */
	.long	0				/* code1 */
	.quad	IMAGE_TEXT_OFFSET		/* text_offset from a 2 MiB aligned base */
	.quad	__image_size			/* image_size, .bss and boot stack included */
	.quad	IMAGE_FLAGS_LE | IMAGE_FLAGS_4K | IMAGE_FLAGS_NEAR_BASE
	.quad	0				/* res2 */
	.quad	0				/* res3 */
	.quad	0				/* res4 */
	.long	IMAGE_MAGIC			/* magic */
	.long	0				/* res5: no PE/COFF header */

1:	msr	daifset, #DAIFSET_ALL
	mov	x19, x0				/* the FDT, kept until the C call */
	mrs	x20, CurrentEL
	lsr	x20, x20, #CURRENT_EL_SHIFT
	and	x20, x20, #CURRENT_EL_MASK	/* the boot EL, recorded below */
	cmp	x20, #2
	b.hi	unsupported_el
	b.lo	2f
	bl	aarch64_el2_to_el1		/* returns here, at EL1 */
2:	bl	aarch64_el1_setup
	/* arch_cpu_index() reads TPIDR_EL1: the boot CPU is index 0 from the first C. */
	msr	tpidr_el1, xzr

	adrp	x0, __boot_stack_top
	add	x0, x0, :lo12:__boot_stack_top
	mov	sp, x0

	/* Clear .bss (the stack is in it: nothing is on it yet). Both ends are 16-byte
	 * aligned, and aligned stores keep this safe with the MMU off. */
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
3:	cmp	x0, x1
	b.hs	4f
	stp	xzr, xzr, [x0], #16
	b	3b

4:	adrp	x0, aarch64_boot_el
	str	x20, [x0, :lo12:aarch64_boot_el]
	mov	x0, x19
	bl	aarch64_boot			/* (fdt); never returns */
halt:	wfi
	b	halt

	/*
	 * The EL1 state every CPU starts C with (the boot CPU above, the others in
	 * secondary.S), a subroutine so that both set it alike. Uses x0 only; no stack.
	 */
	.globl	aarch64_el1_setup
aarch64_el1_setup:
	/* A known SCTLR_EL1: MMU, caches and alignment checks off, little endian. */
	ldr	x0, =SCTLR_EL1_RES1
	msr	sctlr_el1, x0
	/* FP/SIMD on before any C: picolibc's variadic functions (printf and friends)
	 * save q0-q7 in their prologue, even though the kernel's own code uses none. */
	mov	x0, #CPACR_EL1_FPEN_NONE
	msr	cpacr_el1, x0
	msr	spsel, #1			/* run on SP_EL1, as exceptions to EL1 do */
	/* Exceptions go to aarch64_trap() from the first instruction of C on, so that
	 * even a fault in kernel_early_init() is reported rather than a silent hang. */
	adrp	x0, aarch64_vectors
	add	x0, x0, :lo12:aarch64_vectors
	msr	vbar_el1, x0
	isb
	ret

	/*
	 * Called at EL2 (by every CPU entered there): configure just enough of EL2 for an
	 * AArch64 EL1 that owns the CPU, then drop to EL1 with an exception return to the
	 * caller's return address (Arm ARM: HCR_EL2, CNTHCTL_EL2, CNTVOFF_EL2, CPTR_EL2,
	 * HSTR_EL2, VPIDR_EL2, VMPIDR_EL2, ICC_SRE_EL2, SPSR_EL2, ELR_EL2). Nothing stays
	 * at EL2: VBAR_EL2 is never set, so HVC is made undefined instead of entering it.
	 * Every register but x0, x1 and SP_EL1 (not yet set) is kept. EL2's registers are
	 * per CPU, so each CPU must run this itself.
	 */
	.globl	aarch64_el2_to_el1
aarch64_el2_to_el1:
	ldr	x0, =HCR_EL2_RW | HCR_EL2_HCD
	msr	hcr_el2, x0
	mov	x0, #CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr		/* virtual count = physical count */
	ldr	x0, =CPTR_EL2_KERNEL
	msr	cptr_el2, x0
	msr	hstr_el2, xzr			/* no AArch32 system register traps */
	/* EL1 reads of MIDR_EL1 and MPIDR_EL1 return VPIDR_EL2 and VMPIDR_EL2, whose
	 * reset values are UNKNOWN: make them this CPU's real ones. */
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0

	/* With a GICv3 CPU interface, let EL1 use its system registers. */
	mrs	x0, id_aa64pfr0_el1
	lsr	x0, x0, #ID_AA64PFR0_GIC_SHIFT
	and	x0, x0, #ID_AA64PFR0_GIC_MASK
	cbz	x0, 1f
	mrs	x0, icc_sre_el2
	mov	x1, #ICC_SRE_EL2_SRE | ICC_SRE_EL2_ENABLE
	orr	x0, x0, x1
	msr	icc_sre_el2, x0

1:	mov	x0, #SPSR_EL1H_MASKED		/* EL1h, all of DAIF masked */
	msr	spsr_el2, x0
	msr	elr_el2, x30
	eret

	/* EL3 (QEMU secure=on) would need a secure monitor set up first: not supported.
	 * Nothing can be printed this early; stop here where a debugger shows why. */
	.globl	aarch64_unsupported_el
aarch64_unsupported_el:
unsupported_el:
	wfe
	b	unsupported_el

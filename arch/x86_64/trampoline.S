/*
 * Where a started CPU begins (smp.c sends it INIT, then STARTUP naming the page at
 * X86_TRAMPOLINE_PA). It wakes in real mode at CS = page << 8, IP = 0 (SDM vol. 3A,
 * "MP Initialization": 9.4 in current editions), with the state INIT leaves: paging and
 * protection off, caches off (CR0.CD/NW), EFER 0 (SDM 10.1.1, table 10-1).
 *
 * Three stages:
 *  - x86_trampoline: the only code that runs from the low page, so the only part that
 *    is copied there. It addresses nothing but its own page, through CS = DS, which
 *    makes it position-independent within any page below 1 MiB. It loads the kernel's
 *    GDT (entry.S) and jumps to the kernel image in 32-bit protected mode.
 *  - x86_ap_start32, in the kernel image (paging off: linear = physical, and the image
 *    is linked at its physical address): long mode the way entry.S reached it (SDM
 *    10.8.5), but with the boot CPU's own CR3, EFER and CR0, which smp.c saved.
 *  - ap_long_mode: the boot CPU's CR4, then this CPU's struct x86_cpu found by its APIC
 *    id, GS base at it, its stack, and C: x86_secondary_boot(cpu), interrupts off.
 */
#include "x86.h"

	.section .text.x86_trampoline, "ax"
	.code16
	.globl x86_trampoline_start, x86_trampoline_end
x86_trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	/* lgdtl: with the 32-bit operand size all 32 bits of the base are loaded (with
	 * 16 bits only 24, SDM vol. 2A, LGDT): the GDT may lie above 16 MiB. */
	lgdtl	trampoline_gdtr - x86_trampoline_start
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	/* A far jump with a 32-bit offset, into the 32-bit code segment. */
	ljmpl	$GDT_BOOT_CS32, $x86_ap_start32

	.balign 8
trampoline_gdtr:
	.word	GDT_ENTRIES * 8 - 1
	.long	x86_gdt				/* the image is below 2 GiB */
x86_trampoline_end:

	.section .text.x86_ap_start, "ax"
	.code32
x86_ap_start32:
	mov	$GDT_KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss

	/* Long mode needs PAE in CR4 before paging goes on; the rest of the boot CPU's
	 * CR4 waits for long mode (some bits, like PCIDE, are refused before it). */
	mov	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	x86_ap_cr3, %eax		/* below 4 GiB: smp.c checks */
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	mov	x86_ap_efer, %eax		/* LME set, LMA clear (smp.c) */
	mov	x86_ap_efer + 4, %edx
	wrmsr
	/* PG on activates long mode; the boot CPU's CR0 also turns the caches back on. */
	mov	x86_ap_cr0, %eax
	mov	%eax, %cr0
	ljmp	$GDT_KERNEL_CS, $ap_long_mode

	.code64
ap_long_mode:
	.cfi_startproc
	.cfi_undefined rip
	mov	x86_ap_cr4, %rax
	mov	%rax, %cr4
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs

	/* Which CPU is this? The entry of x86_cpus (past the boot CPU's) that smp.c
	 * filled for its APIC id: the one with a stack. Started CPUs never share a
	 * handover slot, so one that arrives late still finds its own. */
	mov	$CPUID_FEATURES, %eax
	xor	%ecx, %ecx
	cpuid
	shr	$CPUID1_EBX_APIC_ID_SHIFT, %ebx
	mov	$x86_cpus + X86_CPU_SIZE, %rdi
	mov	$x86_cpus + X86_CPU_SIZE * CONFIG_NR_CPUS, %rsi
1:	cmp	%rsi, %rdi
	jae	3f
	cmpq	$0, X86_CPU_STACK_TOP(%rdi)
	je	2f
	cmp	X86_CPU_APIC_ID(%rdi), %ebx
	je	ap_cpu_found
2:	add	$X86_CPU_SIZE, %rdi
	jmp	1b
3:	cli					/* not started by us: stay parked */
	hlt
	jmp	3b

ap_cpu_found:
	mov	$MSR_GS_BASE, %ecx
	mov	%edi, %eax
	mov	%rdi, %rdx
	shr	$32, %rdx
	wrmsr
	mov	X86_CPU_STACK_TOP(%rdi), %rsp	/* 16-byte aligned (smp.c checks) */
	pushq	$0				/* known RFLAGS: IF, DF and the rest clear */
	popfq
	xor	%ebp, %ebp			/* ends the frame-pointer chain */
	call	x86_secondary_boot		/* rdi = its struct x86_cpu; never returns */
4:	cli
	hlt
	jmp	4b
	.cfi_endproc

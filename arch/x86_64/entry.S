/*
 * x86_64 entry through PVH (Xen's "x86/HVM direct boot ABI", docs/misc/pvh.pandoc in the
 * Xen tree). A PVH loader (QEMU's -kernel, Xen, Firecracker) finds the
 * XEN_ELFNOTE_PHYS32_ENTRY note below and jumps to that physical address in 32-bit
 * protected mode: paging off, interrupts off, flat 4 GiB code and data segments,
 * ebx = physical address of struct hvm_start_info, and no stack we may use.
 *
 * From there: our own GDT, .bss cleared, boot page tables identity-mapping the first
 * 4 GiB with 2 MiB pages, long mode (SDM 10.8.5, "Initializing IA-32e Mode"), the boot
 * stack, then x86_boot(start info) in C.
 *
 * The ELF entry point is the other way in: uboot_start64, for U-Boot's bootelf, which
 * calls it already in long mode. It takes the CPU over the same way (GDT, .bss, page
 * tables, stack) and calls x86_boot_uboot(argc, argv).
 */
#include "x86.h"

/*
 * Clear .bss, then identity map [0, 4 GiB): PML4[0] -> PDPT, PDPT[0..3] -> the four page
 * directories, whose 2048 entries map consecutive 2 MiB pages (SDM 4.5, figure 4-9).
 * The same instructions assemble in 32- and 64-bit mode; `idx` is the index register
 * of the mode (%ecx or %rcx). Only the low halves of the entries are written: the upper
 * ones stay 0 from the clearing. Clobbers eax, ecx, edi; ebx survives.
 */
.macro clear_bss_and_map_4gib idx
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	mov	$boot_pdpt + (PTE_PRESENT | PTE_WRITABLE), %eax
	mov	%eax, boot_pml4

	mov	$boot_pd + (PTE_PRESENT | PTE_WRITABLE), %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pdpt(, \idx, 8)
	add	$PAGE_SIZE, %eax
	inc	%ecx
	cmp	$BOOT_IDENTITY_GIB, %ecx
	jb	1b

	mov	$(PTE_PRESENT | PTE_WRITABLE | PTE_LARGE), %eax
	xor	%ecx, %ecx
2:	mov	%eax, boot_pd(, \idx, 8)
	add	$(1 << LARGE_PAGE_SHIFT), %eax
	inc	%ecx
	cmp	$(BOOT_IDENTITY_GIB * PT_ENTRIES), %ecx
	jb	2b
.endm

/*
 * The PVH entry note (ELF gABI, "Note Section": namesz, descsz, type, then the name and
 * the descriptor, each padded to 4 bytes). The linker script keeps this section and gives
 * it a PT_NOTE program header, which is where loaders look. The descriptor is 8 bytes
 * although only the low 32 are used: QEMU reads a full 64-bit word there.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long	2f - 1f				/* namesz, with the NUL */
	.long	4f - 3f				/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY	/* type */
1:	.asciz	"Xen"
2:	.balign 4
3:	.quad	pvh_start32			/* linked where it runs: virtual = physical */
4:	.balign 4

	.section .text.entry, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld

	/* PVH fixes what the segments contain, not their selectors or where the GDT is:
	 * load our own before reloading any segment register. */
	lgdt	gdt_pointer
	mov	$GDT_KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	ljmp	$GDT_BOOT_CS32, $3f

	/* .bss holds the page tables: clear it before building them. The size is a
	 * multiple of 16 (linker/sections.lds.h). */
3:	clear_bss_and_map_4gib %ecx

	/* SDM 10.8.5: PAE on, CR3 = PML4, EFER.LME on, then paging on activates long
	 * mode; the far jump into a 64-bit code segment leaves compatibility mode. */
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4

	mov	$boot_pml4, %eax
	mov	%eax, %cr3

	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr

	mov	%cr0, %eax
	or	$(CR0_PE | CR0_WP | CR0_PG), %eax
	mov	%eax, %cr0
	ljmp	$GDT_KERNEL_CS, $long_mode

	.code64
long_mode:
	/* Call-frame information for debuggers only (.debug_frame: .eh_frame is discarded):
	 * this is the outermost frame, there is no caller to unwind to. */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined rip
	lgdt	gdt_pointer(%rip)		/* again, now with its 64-bit base */
	mov	%ebx, %edi			/* zero-extended: x86_boot(start_info_pa) */
	mov	$x86_boot, %r12
	jmp	enter_c

	/*
	 * U-Boot's bootelf calls the ELF entry point as a function in long mode: its own
	 * GDT, page tables and stack, interrupts off, rdi = argc, rsi = argv (the words
	 * after "bootelf <address>", in U-Boot's memory, which our .bss clear leaves alone).
	 */
	.globl uboot_start64
uboot_start64:
	cli
	cld
	mov	%rdi, %r13
	mov	%rsi, %r14
	lgdt	gdt_pointer(%rip)
	pushq	$GDT_KERNEL_CS			/* no far jump to an immediate in 64-bit mode: */
	lea	5f(%rip), %rax			/* reload CS with a far return */
	pushq	%rax
	lretq
5:	clear_bss_and_map_4gib %rcx
	mov	$boot_pml4, %eax
	mov	%rax, %cr3
	mov	%r13, %rdi			/* x86_boot_uboot(argc, argv) */
	mov	%r14, %rsi
	mov	$x86_boot_uboot, %r12

	/* Both ways in end here: data segments, the boot stack, then C (function in r12,
	 * arguments in rdi/rsi). FS and GS are null selectors; GS's base, set through its
	 * MSR after the selector (loading a selector may clear the base), is the boot
	 * CPU's struct x86_cpu, whose index is 0 from the .bss clearing. */
enter_c:
	mov	$GDT_KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$MSR_GS_BASE, %ecx
	mov	$x86_cpus, %eax			/* below 2 GiB: the high half is 0 */
	xor	%edx, %edx
	wrmsr

	mov	$__boot_stack_top, %rsp		/* 16-byte aligned, as the ABI wants at a call */
	pushq	$0				/* known RFLAGS: IF, DF, AC and the rest clear */
	popfq
	xor	%ebp, %ebp			/* ends the frame-pointer chain */
	call	*%r12

4:	cli					/* never returns; just in case */
	hlt
	jmp	4b
	.cfi_endproc

/*
 * The GDT (SDM 3.4.5): flat segments for both modes and a slot for the TSS descriptor.
 * Every CPU starts on this one (the boot CPU here, the others in trampoline.S), then
 * trap.c moves it to its own copy with its own TSS in the slot. In .data, not .bss: it
 * must be valid before .bss is cleared.
 */
	.section .data.x86_gdt, "aw"
	.balign 16
	.globl x86_gdt
x86_gdt:
	.quad	0
	.quad	SEG_FLAT(SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW | SEG_ACCESSED, \
			 SEG_GRAN_4K | SEG_LONG)	/* GDT_KERNEL_CS */
	.quad	SEG_FLAT(SEG_PRESENT | SEG_CODE_DATA | SEG_RW | SEG_ACCESSED, \
			 SEG_GRAN_4K | SEG_DB_32)	/* GDT_KERNEL_DS */
	.quad	SEG_FLAT(SEG_PRESENT | SEG_CODE_DATA | SEG_EXEC | SEG_RW | SEG_ACCESSED, \
			 SEG_GRAN_4K | SEG_DB_32)	/* GDT_BOOT_CS32 */
	.quad	0, 0				/* GDT_TSS, 16 bytes */
gdt_end:

/* lgdt operand: 16-bit limit, then the base. 32-bit mode reads the low 4 bytes of the
 * base, 64-bit mode all 8, so one pointer serves both. */
	.balign 8
gdt_pointer:
	.word	gdt_end - x86_gdt - 1
	.quad	x86_gdt

/* The boot page tables, 4 KiB aligned as CR3 and every table entry require. */
	.section .bss.x86_boot_page_tables, "aw", @nobits
	.balign PAGE_SIZE
boot_pml4:
	.skip	PAGE_SIZE
boot_pdpt:
	.skip	PAGE_SIZE
boot_pd:
	.skip	BOOT_IDENTITY_GIB * PAGE_SIZE

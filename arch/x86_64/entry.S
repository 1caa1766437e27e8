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
 */
#include "x86.h"

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
	ljmp	$GDT_BOOT_CS32, $1f

	/* Clear .bss before anything lives in it: the page tables below are part of it.
	 * rep stos uses eax, ecx, edi only; ebx (the start info) survives. The size is a
	 * multiple of 16 (linker/sections.lds.h). */
1:	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl

	/* Identity map [0, 4 GiB): PML4[0] -> PDPT, PDPT[0..3] -> the four page directories,
	 * whose 2048 entries map consecutive 2 MiB pages (SDM 4.5, figure 4-9). The upper
	 * halves of all entries stay 0 from the clearing above. */
	mov	$boot_pdpt + (PTE_PRESENT | PTE_WRITABLE), %eax
	mov	%eax, boot_pml4

	mov	$boot_pd + (PTE_PRESENT | PTE_WRITABLE), %eax
	xor	%ecx, %ecx
2:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$PAGE_SIZE, %eax
	inc	%ecx
	cmp	$BOOT_IDENTITY_GIB, %ecx
	jb	2b

	mov	$(PTE_PRESENT | PTE_WRITABLE | PTE_LARGE), %eax
	xor	%ecx, %ecx
3:	mov	%eax, boot_pd(, %ecx, 8)
	add	$(1 << LARGE_PAGE_SHIFT), %eax
	inc	%ecx
	cmp	$(BOOT_IDENTITY_GIB * PT_ENTRIES), %ecx
	jb	3b

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
	/* Reload GDTR with its 64-bit base, and the data segments with our selector.
	 * FS and GS are null: nothing uses them yet. */
	lgdt	gdt_pointer(%rip)
	mov	$GDT_KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs

	mov	$__boot_stack_top, %rsp		/* 16-byte aligned, as the ABI wants at a call */
	pushq	$0				/* known RFLAGS: IF, DF, AC and the rest clear */
	popfq
	xor	%ebp, %ebp			/* ends the frame-pointer chain */
	mov	%ebx, %edi			/* zero-extended: x86_boot(start_info_pa) */
	call	x86_boot

4:	cli					/* x86_boot never returns; just in case */
	hlt
	jmp	4b
	.cfi_endproc

/*
 * The GDT (SDM 3.4.5): flat segments for both modes and a slot for the TSS descriptor,
 * which trap.c fills in once it knows the TSS address. In .data, not .bss: it must be
 * valid before .bss is cleared, and trap.c writes the TSS slot.
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

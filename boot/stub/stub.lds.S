/*
 * Layout of the self-decompressing image: linked at STUB_BASE (the kernel's link address
 * + 16 MiB, passed by the Makefile), where QEMU loads it, so the kernel can be
 * decompressed to its own link address below. KERNEL_END and KERNEL_ENTRY come from the
 * kernel's ELF: it must end below the stub, and the stub jumps to its entry.
 */
ENTRY(_start)

SECTIONS
{
	. = STUB_BASE;
	__stub_start = .;
	.note.Xen : ALIGN(4) {
		KEEP(*(.note.Xen))
	}
	.text : {
		KEEP(*(.text.entry))
		*(.text .text.*)
	}
	.rodata : ALIGN(16) {
		*(.rodata .rodata.* .srodata .srodata.*)
	}
	.payload : ALIGN(16) {
		KEEP(*(.payload))
	}
	.data : ALIGN(16) {
		*(.data .data.* .sdata .sdata.* .got .got.*)
	}
	.bss (NOLOAD) : ALIGN(16) {
		*(.bss .bss.* .sbss .sbss.* COMMON)
		. = ALIGN(16);
		. += 0x4000;
		stub_stack_top = .;
	}
	__stub_end = .;
	__stub_size = __stub_end - __stub_start;
	stub_kernel_entry = KERNEL_ENTRY;	/* where the decompressed kernel starts */
	/DISCARD/ : {
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
		*(.note.GNU-stack .note.gnu.build-id .note.gnu.property)
	}
}

ASSERT(KERNEL_END <= STUB_BASE, "the kernel (with .bss) overlaps the lz4 stub: raise STUB_BASE")

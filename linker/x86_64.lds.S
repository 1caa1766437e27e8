/* x86_64 kernel image: one ELF64 at TARGET_KERNEL_BASE (0x200000 on QEMU, above U-Boot's
 * stack), entered through PVH in 32-bit mode at the physical address the Xen note gives.
 * It is linked where it runs (virtual = physical), which -mcmodel=kernel accepts since
 * every address fits in a sign-extended 32-bit immediate. */
#include "sections.lds.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
/* The ELF entry is the 64-bit one U-Boot's bootelf calls; PVH loaders use the note. */
ENTRY(uboot_start64)

SECTIONS
{
	. = TARGET_KERNEL_BASE;
	/* The PVH entry note. Its own output section of type SHT_NOTE gets a PT_NOTE program
	 * header, where loaders look for it; KEEP because nothing references it. */
	.note.Xen : ALIGN(4) {
		KEEP(*(.note.Xen))
	}
	KERNEL_SECTIONS
}

/* -mcmodel=kernel code linked this low addresses its symbols as sign-extended 32-bit
 * values: all must be below 2 GiB (which also keeps them inside entry.S's 4 GiB
 * identity map and within reach of the 32-bit entry code). */
ASSERT(__image_end <= 0x80000000, "x86_64 kernel image must end below 2 GiB")

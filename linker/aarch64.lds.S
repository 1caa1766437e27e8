/* aarch64 kernel image: one blob at TARGET_KERNEL_BASE (0x40200000 on QEMU virt: DRAM
 * base + the Image header's text_offset, where QEMU and U-Boot booti both load it). It
 * runs where it is linked, with the MMU off. */
#include "sections.lds.h"

OUTPUT_ARCH(aarch64)
ENTRY(_start)

SECTIONS
{
	. = TARGET_KERNEL_BASE;
	KERNEL_SECTIONS
}

/* The Image header must be the image's first bytes, and the loader puts the image
 * text_offset (2 MiB) above a 2 MiB aligned base. */
ASSERT(_start == __image_start, "the Image header (_start) is not at the start of the image")
ASSERT(TARGET_KERNEL_BASE % 0x200000 == 0, "TARGET_KERNEL_BASE is not 2 MiB aligned")
/* VBAR_EL1 ignores its low 11 bits. */
ASSERT(aarch64_vectors % 0x800 == 0, "the exception vector table is not 2 KiB aligned")

/* riscv64 kernel image: one blob at TARGET_KERNEL_BASE (0x80200000 on QEMU virt, where
 * OpenSBI jumps). It must stay below kernel base + 32 MiB, where fw_jump puts the FDT. */
#include "sections.lds.h"

OUTPUT_ARCH(riscv)
ENTRY(_start)

SECTIONS
{
	. = TARGET_KERNEL_BASE;
	KERNEL_SECTIONS
}

ASSERT(__image_end - __image_start < 0x2000000, "kernel image overlaps the FDT at +32 MiB")

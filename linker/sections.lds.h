/*
 * The section layout every arch shares, included by linker/<arch>.lds.S after it has
 * set the location counter to TARGET_KERNEL_BASE. The entry code comes first (it may
 * carry a boot image header). Symbols used by C:
 *   __image_start/__image_end  the whole image including .bss (page-aligned end)
 *   __text_start/__text_end    code, read+execute          } page-aligned, so that
 *   __rodata_start/__rodata_end read-only data             } the MMU can protect
 *   __data_start/__data_end    data, TLS, bss: read+write  } each part (W^X)
 *   __ktest_suites_start/_end  the test suites (KTEST_SUITE)
 *   __tdata_*, __tbss_*        the TLS template (kernel/tls.c)
 *   __bss_start/__bss_end      cleared by the entry code
 *   __boot_stack_top           the boot CPU's stack, BOOT_STACK_SIZE bytes, above
 *   __boot_stack_guard         a guard region where an overflow lands (kernel/trap.c)
 */
#define BOOT_STACK_SIZE 0x4000
#define BOOT_STACK_GUARD 0x1000
#define PAGE_ALIGN_LDS	 0x1000

#define KERNEL_SECTIONS							\
	__image_start = .;							\
	__text_start = .;							\
	.text : {								\
		KEEP(*(.text.entry))						\
		*(.text.unlikely .text.unlikely.*)				\
		*(.text .text.*)						\
	}									\
	. = ALIGN(PAGE_ALIGN_LDS);						\
	__text_end = .;								\
	__rodata_start = .;							\
	.rodata : {								\
		KEEP(*(.rodata.kernel_config))	/* read by debuggers too */	\
		*(.rodata .rodata.*)						\
		*(.srodata .srodata.*)						\
		. = ALIGN(8);							\
		__ktest_suites_start = .;					\
		KEEP(*(.ktest_suites))						\
		__ktest_suites_end = .;						\
	}									\
	. = ALIGN(PAGE_ALIGN_LDS);						\
	__rodata_end = .;							\
	__data_start = .;							\
	.data : {								\
		*(.data .data.*)						\
		*(.sdata .sdata.*)						\
		*(.got .got.*)							\
	}									\
	/* Align outside .tdata: GNU ld drops an empty output section but keeps	\
	 * an ALIGN inside it for the symbols, which then disagree (-8 bytes). */	\
	. = ALIGN(16);								\
	.tdata : {								\
		__tdata_start = .;						\
		*(.tdata .tdata.*)						\
		__tdata_end = .;						\
	}									\
	.tbss : {								\
		__tbss_start = .;						\
		*(.tbss .tbss.*)						\
		*(.tcommon)							\
		__tbss_end = .;							\
	}									\
	.bss (NOLOAD) : ALIGN(16) {						\
		__bss_start = .;						\
		*(.sbss .sbss.*)						\
		*(.bss .bss.*)							\
		*(COMMON)							\
		. = ALIGN(PAGE_ALIGN_LDS);					\
		__boot_stack_guard = .;						\
		. += BOOT_STACK_GUARD;						\
		__boot_stack_bottom = .;					\
		. += BOOT_STACK_SIZE;						\
		__boot_stack_top = .;						\
		__bss_end = .;							\
	}									\
	. = ALIGN(PAGE_ALIGN_LDS);						\
	__data_end = .;								\
	__image_end = .;							\
	__image_size = __image_end - __image_start;				\
	/DISCARD/ : {								\
		*(.comment)							\
		*(.eh_frame .eh_frame_hdr)					\
		*(.note.GNU-stack .note.gnu.build-id .note.gnu.property)	\
	}									\
	ASSERT(ALIGNOF(.tdata) <= 16, "TLS alignment above 16: fix the TLS layout")

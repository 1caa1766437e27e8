/* The test device tree (tests/kernel/test.dts, compiled by dtc) as data. */
	.section .rodata.test_fdt, "a"
	.balign 8
	.globl test_fdt_blob
	.globl test_fdt_blob_end
test_fdt_blob:
	.incbin TEST_DTB
test_fdt_blob_end:

/* The kernel's raw image as an lz4 frame (<O>/kernel.bin.lz4), as stub data. */
	.section .payload, "a"
	.globl stub_payload
	.globl stub_payload_end
stub_payload:
	.incbin STUB_PAYLOAD
stub_payload_end:

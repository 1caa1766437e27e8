/*
 * aarch64: what arch_context_switch (switch.S) leaves at a switched-out thread's saved
 * sp. switch.S stores with literal offsets; arch/aarch64/thread.c checks this struct
 * against them, builds new threads' frames with it, and tools/gdb/refkernel.py (kbt,
 * kthreads) reads sleeping threads' registers through it in the DWARF: each field named
 * after a general register is loaded into that register, and `ret` jumps to x30.
 */
#ifndef SWITCH_FRAME_H
#define SWITCH_FRAME_H

/* The AAPCS64 callee-saved registers: x19-x30, then the low halves of v8-v15 as raw
 * bits; the pad keeps sp 16-aligned. */
struct switch_frame {
	unsigned long x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
	unsigned long x29; /* the frame pointer */
	unsigned long x30; /* the link register */
	unsigned long d8, d9, d10, d11, d12, d13, d14, d15;
	unsigned long pad[2];
};

#define SWITCH_FRAME_SIZE 176 /* FRAME in switch.S */

#endif

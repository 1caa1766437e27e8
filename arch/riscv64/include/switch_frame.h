/*
 * riscv64: what arch_context_switch (switch.S) leaves at a switched-out thread's saved
 * sp. switch.S stores with literal offsets; arch/riscv64/thread.c checks this struct
 * against them, builds new threads' frames with it, and tools/gdb/refkernel.py (kbt,
 * kthreads) reads sleeping threads' registers through it in the DWARF: each field named
 * after a register is loaded into that register, and `ret` jumps to ra.
 */
#ifndef SWITCH_FRAME_H
#define SWITCH_FRAME_H

/* The psABI callee-saved registers; the pad keeps sp 16-aligned. */
struct switch_frame {
	unsigned long ra;
	unsigned long s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	unsigned long pad;
};

#define SWITCH_FRAME_SIZE 112 /* FRAME in switch.S */

#endif

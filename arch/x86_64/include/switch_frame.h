/*
 * x86_64: what arch_context_switch (switch.S) leaves at a switched-out thread's saved
 * sp: the callee-saved registers it pushed, above them the return address its `ret`
 * pops into rip. switch.S pops in a fixed order; arch/x86_64/thread.c checks this
 * struct against it, builds new threads' frames with it, and tools/gdb/refkernel.py
 * (kbt, kthreads) reads sleeping threads' registers through it in the DWARF: each field
 * named after a register is loaded into that register.
 */
#ifndef SWITCH_FRAME_H
#define SWITCH_FRAME_H

/* Lowest address first: the reverse of switch.S's pushes. */
struct switch_frame {
	unsigned long r15, r14, r13, r12, rbx, rbp;
	unsigned long rip; /* the return address */
};

#define SWITCH_FRAME_SIZE 56 /* six pushes and the return address */

#endif

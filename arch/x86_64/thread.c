/* x86_64: the initial frame of a new thread, matching switch.S's pops. */
#include "arch.h"

void x86_thread_start(void);

/* Popped in this order: r15 r14 r13 r12 rbx rbp, then the return address. */
enum { SLOT_R15, SLOT_R14, SLOT_R13, SLOT_R12, SLOT_RBX, SLOT_RBP, SLOT_RET, FRAME_SLOTS };

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	/* After the seven pops rsp is stack_top: 16-aligned before the trampoline's call,
	 * as the ABI wants. */
	unsigned long *frame = (unsigned long *)(stack_top - FRAME_SLOTS * sizeof(long));

	for (int i = 0; i < FRAME_SLOTS; i++)
		frame[i] = 0;
	frame[SLOT_R12] = (unsigned long)fn;
	frame[SLOT_R13] = (unsigned long)arg;
	frame[SLOT_RET] = (unsigned long)x86_thread_start;
	return (uintptr_t)frame;
}

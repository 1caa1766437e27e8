/* riscv64: the initial frame of a new thread, matching switch.S's layout. */
#include "arch.h"

void riscv_thread_start(void);

enum { SLOT_RA, SLOT_S0, SLOT_S1, SLOT_S2, FRAME_SLOTS = 14 };

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	unsigned long *frame = (unsigned long *)(stack_top - FRAME_SLOTS * sizeof(long));

	for (int i = 0; i < FRAME_SLOTS; i++)
		frame[i] = 0;
	frame[SLOT_RA] = (unsigned long)riscv_thread_start;
	frame[SLOT_S1] = (unsigned long)fn;
	frame[SLOT_S2] = (unsigned long)arg;
	return (uintptr_t)frame;
}

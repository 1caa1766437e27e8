/* aarch64: the initial frame of a new thread, matching switch.S's layout. */
#include "arch.h"

void aarch64_thread_start(void);

enum { SLOT_X19, SLOT_X20, SLOT_X30 = 11, FRAME_SLOTS = 22 };

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	unsigned long *frame = (unsigned long *)(stack_top - FRAME_SLOTS * sizeof(long));

	for (int i = 0; i < FRAME_SLOTS; i++)
		frame[i] = 0;
	frame[SLOT_X19] = (unsigned long)fn;
	frame[SLOT_X20] = (unsigned long)arg;
	frame[SLOT_X30] = (unsigned long)aarch64_thread_start;
	return (uintptr_t)frame;
}

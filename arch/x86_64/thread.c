/* x86_64: the initial frame of a new thread, in switch.S's layout (switch_frame.h). */
#include <stddef.h>

#include "arch.h"
#include "switch_frame.h"

/* switch.S pops r15 r14 r13 r12 rbx rbp, then ret pops the return address. */
_Static_assert(sizeof(struct switch_frame) == SWITCH_FRAME_SIZE, "switch.S pops 7 words");
_Static_assert(offsetof(struct switch_frame, r15) == 0, "switch.S: r15 popped first");
_Static_assert(offsetof(struct switch_frame, rbp) == 40, "switch.S: rbp popped sixth");
_Static_assert(offsetof(struct switch_frame, rip) == 48, "switch.S: then ret");

void x86_thread_start(void);

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	/* After the pops and ret, rsp is stack_top: 16-aligned before the trampoline's
	 * call, as the ABI wants. */
	struct switch_frame *frame = (struct switch_frame *)(stack_top - sizeof(*frame));

	/* The first switch to the thread "returns" to x86_thread_start with r12 = fn and
	 * r13 = arg; rbp = 0 there ends the frame chain. */
	*frame = (struct switch_frame){
		.r12 = (unsigned long)fn,
		.r13 = (unsigned long)arg,
		.rip = (unsigned long)x86_thread_start,
	};
	return (uintptr_t)frame;
}

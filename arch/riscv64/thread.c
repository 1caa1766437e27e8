/* riscv64: the initial frame of a new thread, in switch.S's layout (switch_frame.h). */
#include <stddef.h>

#include "arch.h"
#include "switch_frame.h"

/* switch.S stores ra at 0 and s<n> at 8 + 8n, in a frame of FRAME bytes. */
_Static_assert(sizeof(struct switch_frame) == SWITCH_FRAME_SIZE, "switch.S FRAME");
_Static_assert(offsetof(struct switch_frame, ra) == 0, "switch.S: ra at 0(sp)");
_Static_assert(offsetof(struct switch_frame, s0) == 8, "switch.S: s0 at 8(sp)");
_Static_assert(offsetof(struct switch_frame, s11) == 8 + 11 * 8, "switch.S: s11 at 96(sp)");

void riscv_thread_start(void);

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	struct switch_frame *frame = (struct switch_frame *)(stack_top - sizeof(*frame));

	/* The first switch to the thread "returns" to riscv_thread_start with s1 = fn and
	 * s2 = arg; s0 = 0 there ends the frame-pointer chain. */
	*frame = (struct switch_frame){
		.ra = (unsigned long)riscv_thread_start,
		.s1 = (unsigned long)fn,
		.s2 = (unsigned long)arg,
	};
	return (uintptr_t)frame;
}

/* aarch64: the initial frame of a new thread, in switch.S's layout (switch_frame.h). */
#include <stddef.h>

#include "arch.h"
#include "switch_frame.h"

/* switch.S stores register pairs: x19,x20 at 0 ... x29,x30 at 80, d8,d9 at 96 ...
 * d14,d15 at 144, in a frame of FRAME bytes. */
_Static_assert(sizeof(struct switch_frame) == SWITCH_FRAME_SIZE, "switch.S FRAME");
_Static_assert(offsetof(struct switch_frame, x19) == 0, "switch.S: x19 at [sp, #0]");
_Static_assert(offsetof(struct switch_frame, x29) == 80, "switch.S: x29 at [sp, #80]");
_Static_assert(offsetof(struct switch_frame, x30) == 88, "switch.S: x30 at [sp, #88]");
_Static_assert(offsetof(struct switch_frame, d8) == 96, "switch.S: d8 at [sp, #96]");
_Static_assert(offsetof(struct switch_frame, d15) == 152, "switch.S: d15 at [sp, #152]");

void aarch64_thread_start(void);

uintptr_t arch_context_init(uintptr_t stack_top, void (*fn)(void *), void *arg)
{
	struct switch_frame *frame = (struct switch_frame *)(stack_top - sizeof(*frame));

	/* The first switch to the thread "returns" to aarch64_thread_start with x19 = fn
	 * and x20 = arg; x29 = 0 there ends the frame-record chain. */
	*frame = (struct switch_frame){
		.x19 = (unsigned long)fn,
		.x20 = (unsigned long)arg,
		.x30 = (unsigned long)aarch64_thread_start,
	};
	return (uintptr_t)frame;
}

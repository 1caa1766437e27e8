/*
 * riscv64 traps: decode scause into a portable struct trap_info and hand it to
 * trap_exception() (kernel/trap.c), which reports or resumes an expecting test. Also
 * the arch's crash-report helpers: register dump, frame-pointer unwinding, and
 * arch_raise() for the trap tests.
 */
#include "arch.h"
#include "kernel.h"
#include "printk.h"
#include "riscv.h"
#include "trap.h"

void riscv_trap(struct trap_frame *tf);

/* Exception codes, privileged spec table 4.2, with their portable kind. */
static const struct {
	const char *name;
	enum trap_kind kind;
} exceptions[] = {
	[0] = {"instruction address misaligned", TRAP_BAD_FETCH},
	[1] = {"instruction access fault", TRAP_BAD_FETCH},
	[2] = {"illegal instruction", TRAP_ILLEGAL_INSTRUCTION},
	[3] = {"breakpoint", TRAP_BREAKPOINT},
	[4] = {"load address misaligned", TRAP_MISALIGNED_ACCESS},
	[5] = {"load access fault", TRAP_BAD_ACCESS},
	[6] = {"store/AMO address misaligned", TRAP_MISALIGNED_ACCESS},
	[7] = {"store/AMO access fault", TRAP_BAD_ACCESS},
	[8] = {"environment call from U-mode", TRAP_SYSTEM_CALL},
	[9] = {"environment call from S-mode", TRAP_SYSTEM_CALL},
	[12] = {"instruction page fault", TRAP_BAD_FETCH},
	[13] = {"load page fault", TRAP_BAD_ACCESS},
	[15] = {"store/AMO page fault", TRAP_BAD_ACCESS},
};

/* Which exceptions put a data address in stval (privileged spec 4.1.11). */
static bool stval_is_address(unsigned long code)
{
	return code == 0 || code == 1 || (code >= 4 && code <= 7) || code >= 12;
}

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp",	 "t0",	"t1", "t2", "s0", "s1", "a0",
	"a1",	"a2", "a3", "a4", "a5",	 "a6",	"a7", "s2", "s3", "s4", "s5",
	"s6",	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void arch_dump_registers(const struct trap_frame *tf)
{
	for (int i = 1; i < 32; i += 3) {
		for (int j = i; j < i + 3 && j < 32; j++)
			printk(KERN_EMERG "  %4s %016lx", reg_names[j], tf->regs[j]);
		printk(KERN_EMERG "\n");
	}
	pr_emerg("  sstatus %016lx  scause %016lx  stval %016lx\n", tf->sstatus, tf->scause,
		 tf->stval);
}

/* With -fno-omit-frame-pointer, s0 points just above the frame: the return address is
 * at s0 - 8 and the caller's s0 at s0 - 16 (RISC-V psABI, frame pointer convention).
 * GCC 12 gives leaf functions a frame without the return address (it has no
 * -mno-omit-leaf-frame-pointer for RISC-V): the caller's s0 is then at s0 - 8 and the
 * return address still in ra. Only a trap can stop in a leaf, so only the first step
 * from a trap frame looks for that, as Linux's unwinder does. */
bool arch_unwind_frame(uintptr_t *fp, uintptr_t *pc, const struct trap_frame *tf)
{
	uintptr_t frame = *fp;
	const unsigned long *saved = (const unsigned long *)frame;

	if (!IS_ALIGNED(frame, 8) || !kernel_stack_contains(frame - 16, 16))
		return false;
	if (tf && saved[-1] > frame && kernel_stack_contains(saved[-1], 16)) {
		*pc = tf->regs[1];
		*fp = saved[-1];
		return true;
	}
	*pc = saved[-1];
	*fp = saved[-2];
	return *fp > frame; /* callers' frames are higher up the stack */
}

void riscv_trap(struct trap_frame *tf)
{
	unsigned long code = tf->scause & ~SCAUSE_INTERRUPT;
	struct trap_info ti = {
		.kind = TRAP_UNKNOWN,
		.what = "unknown exception",
		.pc = tf->sepc,
		.sp = tf->regs[2],
		.fp = tf->regs[8],
	};

	/* An interrupt is the other regular way in: check the stack there too. */
	if ((tf->scause & SCAUSE_INTERRUPT) && !stack_pointer_in_guard(tf->regs[2])) {
		riscv_interrupt(tf);
		return;
	}
	if (code < ARRAY_SIZE(exceptions) && exceptions[code].name) {
		ti.what = exceptions[code].name;
		ti.kind = exceptions[code].kind;
	}
	if (stval_is_address(code)) {
		ti.address = tf->stval;
		ti.has_address = true;
	}
	trap_exception(&ti, tf);
}

/* An address where QEMU's virt machine has nothing (64 GiB): accesses fault. */
#define UNMAPPED_ADDRESS 0x1000000000ul

bool arch_raise(enum trap_kind kind)
{
	static volatile uint32_t words[2];

	switch (kind) {
	case TRAP_ILLEGAL_INSTRUCTION:
		__asm__ volatile(".insn i 0x73, 0, x0, x0, 0x7ff"); /* no such SYSTEM op */
		return true;
	case TRAP_BREAKPOINT:
		__asm__ volatile("ebreak");
		return true;
	case TRAP_MISALIGNED_ACCESS:
		/* An atomic on a misaligned address always traps (A extension, 8.4). */
		__asm__ volatile("amoadd.w zero, zero, (%0)" ::"r"((char *)words + 1) : "memory");
		return true;
	case TRAP_BAD_ACCESS:
		(void)*(volatile uint32_t *)UNMAPPED_ADDRESS;
		return true;
	default:
		return false; /* RISC-V integer division by zero does not trap */
	}
}

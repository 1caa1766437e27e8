/*
 * riscv64 trap handling. Nothing is expected to trap yet (interrupts stay off), so every
 * trap is reported with its cause in words, the faulting pc and address, and all
 * registers, and then the kernel panics.
 */
#include "arch.h"
#include "kernel.h"
#include "printk.h"
#include "riscv.h"

void riscv_trap(struct trap_frame *tf);

/* Exception codes, privileged spec table 4.2. */
static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
};

static const char *const reg_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2",
	"a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
	"s10", "s11", "t3", "t4", "t5", "t6",
};

static void dump_registers(const struct trap_frame *tf)
{
	for (int i = 1; i < 32; i += 3) {
		for (int j = i; j < i + 3 && j < 32; j++)
			printk(KERN_EMERG " %4s %016lx", reg_names[j], tf->regs[j]);
		printk(KERN_EMERG "\n");
	}
	pr_emerg(" sstatus %016lx\n", tf->sstatus);
}

void riscv_trap(struct trap_frame *tf)
{
	unsigned long code = tf->scause & ~SCAUSE_INTERRUPT;
	const char *what;

	if (tf->scause & SCAUSE_INTERRUPT) {
		panic("unexpected interrupt %lu at pc %#lx", code, tf->sepc);
	}
	what = code < sizeof(exception_names) / sizeof(exception_names[0]) &&
	       exception_names[code] ? exception_names[code] : "unknown exception";
	pr_emerg("Unexpected exception: %s (scause %lu)\n", what, code);
	pr_emerg(" pc %016lx  address %016lx\n", tf->sepc, tf->stval);
	dump_registers(tf);
	panic("unexpected exception: %s at pc %#lx, address %#lx", what, tf->sepc, tf->stval);
}

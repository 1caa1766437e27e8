/*
 * Portable side of synchronous exceptions: resuming tests that expect a trap, and the
 * crash report for everything else (cause, pc and address with symbols, registers,
 * backtrace), ending in a panic that the test runner reports as a crash.
 */
#include <stdio.h>

#include "arch.h"
#include "kallsyms.h"
#include "kernel.h"
#include "printk.h"
#include "thread.h"
#include "trap.h"

static const char *const kind_names[TRAP_KINDS] = {
	[TRAP_UNKNOWN] = "unknown",
	[TRAP_ILLEGAL_INSTRUCTION] = "illegal instruction",
	[TRAP_BREAKPOINT] = "breakpoint",
	[TRAP_MISALIGNED_ACCESS] = "misaligned access",
	[TRAP_BAD_ACCESS] = "bad data access",
	[TRAP_BAD_FETCH] = "bad instruction fetch",
	[TRAP_DIVIDE_ERROR] = "divide error",
	[TRAP_STACK_OVERFLOW] = "kernel stack overflow",
	[TRAP_SYSTEM_CALL] = "system call",
};

const char *trap_kind_name(enum trap_kind kind)
{
	return (unsigned int)kind < TRAP_KINDS ? kind_names[kind] : "invalid";
}

/* ---- stacks -------------------------------------------------------------------- */

/* The boot stack and the guard region below it (linker/sections.lds.h). */
extern char __boot_stack_guard[], __boot_stack_bottom[], __boot_stack_top[];
/* The boot and trap stacks live in .bss; every other one is a thread's. */
extern char __bss_start[], __bss_end[];

bool kernel_stack_contains(uintptr_t p, size_t len)
{
	return (p >= (uintptr_t)__bss_start && p + len <= (uintptr_t)__bss_end && p + len > p) ||
	       thread_stack_contains(p, len);
}

/* Without an MMU nothing faults when a stack overruns: the guard region below the boot
 * stack is where an overflow lands first, and every trap checks for it. */
bool stack_pointer_in_guard(uintptr_t sp)
{
	return (sp >= (uintptr_t)__boot_stack_guard && sp < (uintptr_t)__boot_stack_bottom) ||
	       thread_sp_in_guard(sp);
}

/* ---- tests that expect a trap ---------------------------------------------------- */

static struct {
	bool armed;
	arch_jmp_buf resume;
	struct trap_info seen;
} expected;

bool trap_expect(void (*fn)(void *), void *arg, struct trap_info *seen)
{
	unsigned long flags = arch_irq_save();
	bool trapped;

	expected.armed = true;
	if (arch_setjmp(expected.resume) == 0) {
		fn(arg);
		trapped = false;
	} else {
		*seen = expected.seen;
		trapped = true;
	}
	expected.armed = false;
	arch_irq_restore(flags);
	return trapped;
}

/* ---- reports -------------------------------------------------------------------- */

void backtrace_print(uintptr_t pc, uintptr_t fp, const struct trap_frame *tf)
{
	char sym[96];

	/* A return address points after the call: symbolize the call itself. */
	pr_emerg("  Backtrace:\n");
	pr_emerg("    #0  %016lx  %s\n", (unsigned long)pc,
		 kallsyms_format(tf ? pc : pc - 1, sym, sizeof(sym)));
	for (int depth = 1; depth < 32 && arch_unwind_frame(&fp, &pc, tf); depth++) {
		tf = NULL;
		if (pc == 0)
			break;
		pr_emerg("    #%-2d %016lx  %s\n", depth, (unsigned long)pc,
			 kallsyms_format(pc - 1, sym, sizeof(sym)));
	}
}

void trap_exception(const struct trap_info *ti, const struct trap_frame *tf)
{
	struct trap_info info = *ti;
	char where[96];

	if (stack_pointer_in_guard(info.sp)) {
		info.kind = TRAP_STACK_OVERFLOW;
		info.what = "kernel stack overflow (stack pointer in the guard region)";
	}
	if (expected.armed) {
		expected.armed = false;
		expected.seen = info;
		arch_longjmp(expected.resume, 1);
	}
	/* Reports must come out, whatever the log level. */
	console_loglevel = 8;
	kallsyms_format(info.pc, where, sizeof(where));
	pr_emerg("\nUnexpected exception: %s\n", info.what);
	pr_emerg("  pc      %016lx  %s\n", (unsigned long)info.pc, where);
	if (info.has_address)
		pr_emerg("  address %016lx\n", (unsigned long)info.address);
	pr_emerg("  sp      %016lx\n", (unsigned long)info.sp);
	arch_dump_registers(tf);
	backtrace_print(info.pc, info.fp, tf);
	if (info.has_address)
		panic_quiet("unexpected exception: %s at %s, address %#lx", info.what, where,
			    (unsigned long)info.address);
	panic_quiet("unexpected exception: %s at %s", info.what, where);
}

/*
 * Traps: synchronous exceptions, as portable code sees them. Each arch decodes its own
 * cause registers into a struct trap_info and hands it to trap_exception(), which either
 * resumes a test that expected the trap (ktest_expect_trap) or reports it (cause in
 * words, pc and address with symbols, all registers, a backtrace) and panics.
 */
#ifndef TRAP_H
#define TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "compiler.h"

enum trap_kind {
	TRAP_UNKNOWN,
	TRAP_ILLEGAL_INSTRUCTION, /* undefined or illegal encoding */
	TRAP_BREAKPOINT,	  /* ebreak, brk, int3 */
	TRAP_MISALIGNED_ACCESS,	  /* a load or store the CPU will not do unaligned */
	TRAP_BAD_ACCESS,	  /* access fault or page fault on a data address */
	TRAP_BAD_FETCH,		  /* instruction fetch from a bad address */
	TRAP_DIVIDE_ERROR,	  /* integer division by zero (x86 #DE) */
	TRAP_STACK_OVERFLOW,	  /* the stack pointer ran into the guard region */
	TRAP_SYSTEM_CALL,	  /* ecall, svc, syscall */
	TRAP_KINDS
};

struct trap_frame; /* each arch's own register layout */

struct trap_info {
	enum trap_kind kind;
	const char *what;  /* the cause in words: "load page fault" */
	uintptr_t pc;	   /* the faulting instruction */
	uintptr_t address; /* the faulting data address, if has_address */
	bool has_address;
	uintptr_t sp; /* the interrupted stack and frame pointers */
	uintptr_t fp;
};

const char *trap_kind_name(enum trap_kind kind);

/* Called by the arch's trap handler for a synchronous exception it does not handle
 * itself, with interrupts off. Never returns: it resumes the test that expected this
 * trap, or reports and panics. */
__noreturn void trap_exception(const struct trap_info *ti, const struct trap_frame *tf);

/* Print a symbolized backtrace starting at (pc, fp), through arch_unwind_frame(). tf
 * is the trap frame when pc is the trapping instruction; NULL when pc is a return
 * address (then the call before it is what gets named). */
void backtrace_print(uintptr_t pc, uintptr_t fp, const struct trap_frame *tf);

/* Is [p, p + len) inside a kernel stack? For unwinders, which must not follow a
 * corrupt frame pointer anywhere else. */
bool kernel_stack_contains(uintptr_t p, size_t len);

/* Is sp in the guard region below a kernel stack (an overflow)? Checked on every trap. */
bool stack_pointer_in_guard(uintptr_t sp);

/* Run fn(arg) expecting it to trap. Returns true and fills *seen if it did (execution
 * resumes here instead of at the faulting instruction), false if fn returned. */
bool trap_expect(void (*fn)(void *), void *arg, struct trap_info *seen);

#endif

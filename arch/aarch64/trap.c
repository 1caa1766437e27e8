/*
 * aarch64 exception handling: the cause in words from ESR_EL1 (class, fault status,
 * level), the PC (ELR_EL1) and the address (FAR_EL1) when there is one, handed to
 * trap_exception() (kernel/trap.c) as a portable struct trap_info. The one exception
 * survived here is a semihosting call without semihosting, so that arch_poweroff() can
 * fall back to something else. IRQs from the kernel go on to the GIC (irq.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aarch64.h"
#include "arch.h"
#include "kernel.h"
#include "printk.h"
#include "trap.h"

void aarch64_trap(struct trap_frame *tf);

_Static_assert(offsetof(struct trap_frame, regs) == TF_REGS, "trap frame: regs");
_Static_assert(offsetof(struct trap_frame, sp) == TF_SP, "trap frame: sp");
_Static_assert(offsetof(struct trap_frame, elr) == TF_ELR, "trap frame: elr");
_Static_assert(offsetof(struct trap_frame, spsr) == TF_SPSR, "trap frame: spsr");
_Static_assert(offsetof(struct trap_frame, esr) == TF_ESR, "trap frame: esr");
_Static_assert(offsetof(struct trap_frame, far) == TF_FAR, "trap frame: far");
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "trap frame: vector");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame: size");

/* What else an exception class tells: the ISS field and whether FAR_EL1 is valid. */
enum syndrome_kind {
	SYNDROME_RAW,	/* print the ISS as a number */
	SYNDROME_ABORT, /* fault status code; FAR_EL1 valid unless ISS.FnV */
	SYNDROME_IMM16, /* the immediate of SVC, HVC, SMC, BRK, BKPT */
	SYNDROME_FAR,	/* FAR_EL1 holds the address (PC alignment, watchpoint) */
};

struct exception_class {
	const char *name;
	enum syndrome_kind kind;
	enum trap_kind trap; /* the portable kind, when it has one */
};

/* ESR_EL1.EC, the exception class (Arm ARM, ESR_EL1 field descriptions). */
static const struct exception_class exception_classes[64] = {
	/* EC 0, "unknown reason": mostly undefined or unallocated encodings. */
	[0x00] = {"undefined instruction", SYNDROME_RAW, TRAP_ILLEGAL_INSTRUCTION},
	[0x01] = {"trapped WFI or WFE", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x03] = {"trapped AArch32 MCR or MRC (coproc 15)", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x04] = {"trapped AArch32 MCRR or MRRC (coproc 15)", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x05] = {"trapped AArch32 MCR or MRC (coproc 14)", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x06] = {"trapped AArch32 LDC or STC", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x07] = {"FP/SIMD access trap", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x0c] = {"trapped AArch32 MRRC (coproc 14)", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x0d] = {"branch target exception", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x0e] = {"illegal execution state", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x11] = {"SVC from AArch32", SYNDROME_IMM16, TRAP_UNKNOWN},
	[0x15] = {"SVC", SYNDROME_IMM16, TRAP_SYSTEM_CALL},
	[0x16] = {"HVC", SYNDROME_IMM16, TRAP_UNKNOWN},
	[0x17] = {"SMC", SYNDROME_IMM16, TRAP_UNKNOWN},
	[0x18] = {"trapped MSR, MRS or system instruction", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x19] = {"SVE access trap", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x1c] = {"pointer authentication failure", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x1d] = {"SME access trap", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x20] = {"instruction abort from lower EL", SYNDROME_ABORT, TRAP_BAD_FETCH},
	[0x21] = {"instruction abort from current EL", SYNDROME_ABORT, TRAP_BAD_FETCH},
	[0x22] = {"PC alignment fault", SYNDROME_FAR, TRAP_BAD_FETCH},
	[0x24] = {"data abort from lower EL", SYNDROME_ABORT, TRAP_BAD_ACCESS},
	[0x25] = {"data abort from current EL", SYNDROME_ABORT, TRAP_BAD_ACCESS},
	[0x26] = {"SP alignment fault", SYNDROME_RAW, TRAP_MISALIGNED_ACCESS},
	[0x28] = {"AArch32 floating-point exception", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x2c] = {"floating-point exception", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x2f] = {"SError interrupt", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x30] = {"breakpoint from lower EL", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x31] = {"breakpoint from current EL", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x32] = {"software step from lower EL", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x33] = {"software step from current EL", SYNDROME_RAW, TRAP_UNKNOWN},
	[0x34] = {"watchpoint from lower EL", SYNDROME_FAR, TRAP_UNKNOWN},
	[0x35] = {"watchpoint from current EL", SYNDROME_FAR, TRAP_UNKNOWN},
	[0x38] = {"BKPT instruction (AArch32)", SYNDROME_IMM16, TRAP_UNKNOWN},
	[0x3c] = {"BRK instruction", SYNDROME_IMM16, TRAP_BREAKPOINT},
};

/*
 * Fault status codes of instruction and data aborts (ISS.IFSC/DFSC, Arm ARM ESR_EL1,
 * "ISS encoding for an exception from a Data Abort"). The ones marked per_level come
 * in groups of four, the low two bits being the translation table level (0..3).
 */
struct fault_status {
	uint8_t code;
	bool per_level;
	const char *name;
};

static const struct fault_status fault_statuses[] = {
	{0x00, true, "address size fault"},
	{0x04, true, "translation fault"},
	{0x08, true, "access flag fault"},
	{0x0c, true, "permission fault"},
	{0x10, false, "synchronous external abort"},
	{0x11, false, "synchronous tag check fault"},
	{0x14, true, "synchronous external abort on translation table walk"},
	{0x18, false, "synchronous parity or ECC error"},
	{0x1c, true, "synchronous parity or ECC error on translation table walk"},
	{0x21, false, "alignment fault"},
	{0x30, false, "TLB conflict abort"},
	{0x31, false, "unsupported atomic hardware update fault"},
	{0x34, false, "IMPLEMENTATION DEFINED fault (lockdown)"},
	{0x35, false, "IMPLEMENTATION DEFINED fault (unsupported exclusive or atomic)"},
};
#define FSC_LEVEL_MASK 3u

static const char *const vector_sources[] = {
	[VECTOR_CUR_SP0] = "current EL, SP_EL0",
	[VECTOR_CUR_SPX] = "current EL, SP_EL1",
	[VECTOR_LOWER_A64] = "lower EL, AArch64",
	[VECTOR_LOWER_A32] = "lower EL, AArch32",
};

static const char *const vector_kinds[VECTOR_KINDS] = {
	[VECTOR_SYNC] = "synchronous exception",
	[VECTOR_IRQ] = "IRQ",
	[VECTOR_FIQ] = "FIQ",
	[VECTOR_SERROR] = "SError",
};

static unsigned int esr_ec(unsigned long esr)
{
	return (esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
}

/* "translation fault level 2", "alignment fault", ... into buf. */
static void describe_fault_status(unsigned int fsc, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(fault_statuses); i++) {
		const struct fault_status *fs = &fault_statuses[i];

		if (fs->per_level && (fsc & ~FSC_LEVEL_MASK) == fs->code) {
			snprintf(buf, size, "%s level %u", fs->name, fsc & FSC_LEVEL_MASK);
			return;
		}
		if (!fs->per_level && fsc == fs->code) {
			snprintf(buf, size, "%s", fs->name);
			return;
		}
	}
	snprintf(buf, size, "fault status %#x", fsc);
}

/* The cause in words, from ESR_EL1; sets *far_valid when FAR_EL1 means something. */
static void describe_syndrome(unsigned long esr, char *buf, size_t size, bool *far_valid)
{
	unsigned int ec = esr_ec(esr);
	unsigned long iss = esr & ESR_ISS_MASK;
	const struct exception_class *c = &exception_classes[ec];
	const char *name = c->name ? c->name : "reserved exception class";
	char fault[80];

	*far_valid = false;
	switch (c->name ? c->kind : SYNDROME_RAW) {
	case SYNDROME_ABORT:
		describe_fault_status(iss & ISS_ABORT_FSC_MASK, fault, sizeof(fault));
		*far_valid = !(iss & ISS_ABORT_FNV);
		if (ec == EC_DATA_ABORT_CUR || ec == EC_DATA_ABORT_LOWER)
			snprintf(buf, size, "%s (%s): %s", name,
				 iss & ISS_ABORT_WNR ? "write" : "read", fault);
		else
			snprintf(buf, size, "%s: %s", name, fault);
		break;
	case SYNDROME_IMM16:
		snprintf(buf, size, "%s #%#lx", name, iss & ISS_IMM16_MASK);
		break;
	case SYNDROME_FAR:
		*far_valid = true;
		snprintf(buf, size, "%s", name);
		break;
	case SYNDROME_RAW:
		snprintf(buf, size, "%s (EC %#x, ISS %#lx)", name, ec, iss);
		break;
	}
}

/* x0..x28 three to a line, then x29 and x30 by their roles, and the stack pointer. */
void arch_dump_registers(const struct trap_frame *tf)
{
	static const char *const extra_names[] = {"fp", "lr", "sp"};
	unsigned long extra[] = {tf->regs[29], tf->regs[30], tf->sp};

	for (int i = 0; i < 29; i += 3) {
		for (int j = i; j < i + 3 && j < 29; j++)
			printk(KERN_EMERG "  x%-2d %016lx", j, tf->regs[j]);
		printk(KERN_EMERG "\n");
	}
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
		printk(KERN_EMERG "  %-3s %016lx", extra_names[i], extra[i]);
	printk(KERN_EMERG "\n  spsr %08lx  esr %08lx\n", tf->spsr, tf->esr);
}

/* A semihosting HLT with semihosting disabled (or absent) is undefined: step over it and
 * let the caller see the call fail. */
static bool skip_semihosting_trap(struct trap_frame *tf)
{
	if (esr_ec(tf->esr) != EC_UNKNOWN || *(const uint32_t *)tf->elr != SEMIHOSTING_HLT_INSN)
		return false;
	tf->elr += 4;
	return true;
}

/* AAPCS64 frame records (-fno-omit-frame-pointer, -mno-omit-leaf-frame-pointer): x29
 * points at {the caller's x29, the return address}. entry.S starts with x29 = 0. */
bool arch_unwind_frame(uintptr_t *fp, uintptr_t *pc, const struct trap_frame *tf)
{
	uintptr_t frame = *fp;
	const unsigned long *record = (const unsigned long *)frame;

	(void)tf;
	if (!IS_ALIGNED(frame, 16) || !kernel_stack_contains(frame, 16))
		return false;
	*fp = record[0];
	*pc = record[1];
	return *fp > frame;
}

/* The portable kind of a synchronous exception: the class's, refined for aborts whose
 * fault status says alignment. */
static enum trap_kind trap_kind_of(unsigned long esr)
{
	unsigned int ec = esr_ec(esr);
	enum trap_kind kind = exception_classes[ec].trap;

	if ((ec == EC_DATA_ABORT_CUR || ec == EC_DATA_ABORT_LOWER) &&
	    (esr & ISS_ABORT_FSC_MASK) == FSC_ALIGNMENT)
		return TRAP_MISALIGNED_ACCESS;
	return kind;
}

void aarch64_trap(struct trap_frame *tf)
{
	unsigned int source = tf->vector / VECTOR_KINDS, kind = tf->vector % VECTOR_KINDS;
	bool far_valid = false;
	static char what[160];
	struct trap_info ti = {
		.what = what,
		.pc = tf->elr,
		.sp = tf->sp,
		.fp = tf->regs[29],
	};

	/* An IRQ from the kernel itself is the regular way in (the others are reported
	 * below). It checks the stack too: an overflow is reported, not handled on. */
	if (tf->vector == VECTOR_CUR_SPX * VECTOR_KINDS + VECTOR_IRQ &&
	    !stack_pointer_in_guard(tf->sp)) {
		aarch64_interrupt(tf);
		return;
	}
	if (kind == VECTOR_SYNC && skip_semihosting_trap(tf))
		return;
	/* The report uses the C library's printf, whose prologue saves q0-q7: should
	 * FP/SIMD have been switched off (the trap would be EC 0x07), it would trap
	 * again. Nothing returns from here, so switch it on for good. */
	write_sysreg(cpacr_el1, CPACR_EL1_FPEN_NONE);
	isb();

	if (kind == VECTOR_IRQ || kind == VECTOR_FIQ) {
		snprintf(what, sizeof(what), "unexpected %s (%s)", vector_kinds[kind],
			 vector_sources[source]);
	} else { /* synchronous exceptions and SErrors have a syndrome */
		describe_syndrome(tf->esr, what, sizeof(what), &far_valid);
		if (kind == VECTOR_SYNC)
			ti.kind = trap_kind_of(tf->esr);
	}
	ti.address = tf->far;
	ti.has_address = far_valid;
	trap_exception(&ti, tf);
}

/* An address with nothing behind it on QEMU's virt machine (508 GiB: above any RAM size
 * we use, below the high PCIe window): accesses abort. */
#define UNMAPPED_ADDRESS 0x7f00000000ul

bool arch_raise(enum trap_kind kind)
{
	static volatile uint64_t words[2];

	switch (kind) {
	case TRAP_ILLEGAL_INSTRUCTION:
		__asm__ volatile("udf #0");
		return true;
	case TRAP_BREAKPOINT:
		__asm__ volatile("brk #0");
		return true;
	case TRAP_MISALIGNED_ACCESS: {
		/* Exclusive loads need natural alignment whatever SCTLR_EL1.A says. */
		unsigned long v;

		__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"((char *)words + 4) : "memory");
		return true;
	}
	case TRAP_BAD_ACCESS:
		(void)*(volatile uint32_t *)UNMAPPED_ADDRESS;
		return true;
	default:
		return false; /* AArch64 integer division by zero gives 0, it never traps */
	}
}

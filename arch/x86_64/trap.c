/*
 * x86_64 traps: each CPU's TSS with its interrupt stacks, the IDT, and the handler. Interrupts
 * (vectors 32..255) go to x86_interrupt() (irq.c) once the stack is known to be sound.
 * Each exception is decoded (mnemonic, error code, #PF's CR2) into a portable struct
 * trap_info for trap_exception() (kernel/trap.c), which reports it or resumes a test
 * that expected it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "kallsyms.h"
#include "kernel.h"
#include "printk.h"
#include "trap.h"
#include "x86.h"

void x86_trap(struct trap_frame *tf);

_Static_assert(sizeof(struct x86_tss) == 104, "TSS layout (SDM figure 8-11)");

/* 64-bit IDT gate (SDM 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;	   /* bits 0-2: IST slot, 0 for the current stack */
	uint8_t type_attr; /* P, DPL, type */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout (SDM figure 6-8)");

/* Operand of lgdt/lidt: limit, then the 64-bit linear base (SDM 3.5.1). */
struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* Each CPU's own interrupt stacks (in .bss, where backtraces look for kernel stacks). */
static char ist_stacks[NR_CPUS][IST_SLOTS_USED][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Every vector has a gate: exceptions 0..31, interrupts 32..255 (irq.c decides which
 * interrupt vectors are in use and reports the others). */
static struct idt_gate idt[X86_NUM_VECTORS];

/* Some exceptions must not run on the interrupted stack, which may be the reason for the
 * fault (a stack overflow ends in #DF), or may be mid-update (NMI, #MC): SDM 6.14.5. */
static unsigned int ist_slot(unsigned int vector)
{
	switch (vector) {
	case VEC_DF:
		return IST_DOUBLE_FAULT;
	case VEC_NMI:
		return IST_NMI;
	case VEC_MC:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

/* A 64-bit TSS descriptor takes two GDT slots (SDM 8.2.3, figure 8-4): limit 15:0,
 * base 23:0, type and P, limit 19:16, base 31:24; then base 63:32. */
static void gdt_set_tss(uint64_t *gdt, const struct x86_tss *t)
{
	uint64_t base = (uintptr_t)t;
	uint64_t limit = sizeof(*t) - 1;
	uint64_t *slot = &gdt[GDT_TSS / sizeof(uint64_t)];

	slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		  ((uint64_t)(SEG_PRESENT | SYS_TSS_AVAILABLE) << 40) |
		  (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	slot[1] = base >> 32;
}

static void idt_set_gate(unsigned int vector, uint64_t handler, unsigned int ist)
{
	struct idt_gate *g = &idt[vector];

	g->offset_low = (uint16_t)handler;
	g->selector = GDT_KERNEL_CS;
	g->ist = (uint8_t)ist;
	g->type_attr = GATE_PRESENT | GATE_INTERRUPT; /* DPL 0 */
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_high = (uint32_t)(handler >> 32);
	g->reserved = 0;
}

/* A TSS can be loaded on one CPU only (ltr marks its descriptor busy, SDM 8.2.3), and
 * the interrupt stacks in it must be that CPU's own: each CPU has a TSS, and a copy of
 * the GDT whose TSS slot describes it. The code and data descriptors are the same, so
 * the segment registers need no reload. */
void x86_trap_init_cpu(struct x86_cpu *c)
{
	struct descriptor_pointer gdtr = {sizeof(c->gdt) - 1, (uintptr_t)c->gdt};
	struct descriptor_pointer idtr = {sizeof(idt) - 1, (uintptr_t)idt};

	_Static_assert(sizeof(c->gdt) == sizeof(x86_gdt), "per-CPU GDT size");
	for (unsigned int slot = 1; slot <= IST_SLOTS_USED; slot++)
		c->tss.ist[slot - 1] = (uintptr_t)ist_stacks[c->index][slot - 1] + IST_STACK_SIZE;
	c->tss.iomap_base = sizeof(c->tss);
	memcpy(c->gdt, x86_gdt, sizeof(c->gdt));
	gdt_set_tss(c->gdt, &c->tss);
	__asm__ volatile("lgdt %0" : : "m"(gdtr) : "memory");
	__asm__ volatile("ltr %w0" : : "r"(GDT_TSS) : "memory");
	__asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

void x86_trap_init(void)
{
	for (unsigned int v = 0; v < X86_NUM_VECTORS; v++)
		idt_set_gate(v, x86_vector_stubs[v], ist_slot(v));
	x86_trap_init_cpu(x86_this_cpu());
}

/* Mnemonic and name of each exception (SDM table 6-1; 28-30 from AMD APM vol. 2 8.2). */
static const struct {
	const char *mnemonic;
	const char *name;
} exceptions[X86_NUM_EXCEPTIONS] = {
	[0] = {"#DE", "divide error"},
	[1] = {"#DB", "debug exception"},
	[2] = {"NMI", "non-maskable interrupt"},
	[3] = {"#BP", "breakpoint"},
	[4] = {"#OF", "overflow"},
	[5] = {"#BR", "BOUND range exceeded"},
	[6] = {"#UD", "invalid opcode"},
	[7] = {"#NM", "device not available (no FPU)"},
	[8] = {"#DF", "double fault"},
	[9] = {"#CSO", "coprocessor segment overrun"},
	[10] = {"#TS", "invalid TSS"},
	[11] = {"#NP", "segment not present"},
	[12] = {"#SS", "stack-segment fault"},
	[13] = {"#GP", "general protection fault"},
	[14] = {"#PF", "page fault"},
	[16] = {"#MF", "x87 floating-point error"},
	[17] = {"#AC", "alignment check"},
	[18] = {"#MC", "machine check"},
	[19] = {"#XM", "SIMD floating-point exception"},
	[20] = {"#VE", "virtualization exception"},
	[21] = {"#CP", "control protection exception"},
	[28] = {"#HV", "hypervisor injection exception"},
	[29] = {"#VC", "VMM communication exception"},
	[30] = {"#SX", "security exception"},
};

static const char *exception_mnemonic(uint64_t vector)
{
	return vector < X86_NUM_EXCEPTIONS && exceptions[vector].mnemonic
		       ? exceptions[vector].mnemonic
		       : "#??";
}

static const char *exception_name(uint64_t vector)
{
	return vector < X86_NUM_EXCEPTIONS && exceptions[vector].name ? exceptions[vector].name
								      : "reserved exception";
}

static const char *page_fault_access(uint64_t err)
{
	if (err & PF_INSTR_FETCH)
		return "instruction fetch";
	return err & PF_WRITE ? "write" : "read";
}

static void explain_page_fault(uint64_t err, uint64_t address)
{
	pr_emerg("  address %016lx: %s, %s in %s mode%s%s%s\n", address,
		 err & PF_PROTECTION ? "protection violation" : "page not present",
		 page_fault_access(err), err & PF_USER ? "user" : "supervisor",
		 err & PF_RESERVED_BIT ? ", reserved bit set in a paging entry" : "",
		 err & PF_PROT_KEY ? ", protection key" : "",
		 err & PF_SHADOW_STACK ? ", shadow-stack access" : "");
}

/* #TS, #NP, #SS and #GP report the selector or IDT vector involved, if any. */
static void explain_selector_error(uint64_t err)
{
	uint64_t index = err >> SELERR_INDEX_SHIFT;
	const char *ext = err & SELERR_EXTERNAL ? " (during delivery of an external event)" : "";

	if (err == 0)
		return;
	/* The index is the vector on hardware; QEMU's TCG (7.2) reports vector * 2 in long
	 * mode (it scales the vector by the 16-byte gate size, not by 8). */
	if (err & SELERR_IDT)
		pr_emerg("  error code: IDT index %lu (the vector; QEMU TCG doubles it)%s\n", index,
			 ext);
	else
		pr_emerg("  error code: %s selector %#lx%s\n", err & SELERR_LDT ? "LDT" : "GDT",
			 index << SELERR_INDEX_SHIFT, ext);
}

void arch_dump_registers(const struct trap_frame *tf)
{
	const struct {
		const char *name;
		uint64_t value;
	} regs[] = {
		{"rax", tf->rax},    {"rbx", tf->rbx},	  {"rcx", tf->rcx},
		{"rdx", tf->rdx},    {"rsi", tf->rsi},	  {"rdi", tf->rdi},
		{"rbp", tf->rbp},    {"rsp", tf->rsp},	  {"r8", tf->r8},
		{"r9", tf->r9},	     {"r10", tf->r10},	  {"r11", tf->r11},
		{"r12", tf->r12},    {"r13", tf->r13},	  {"r14", tf->r14},
		{"r15", tf->r15},    {"rip", tf->rip},	  {"rflags", tf->rflags},
		{"cs", tf->cs},	     {"ss", tf->ss},	  {"cr0", read_cr(0)},
		{"cr2", read_cr(2)}, {"cr3", read_cr(3)}, {"cr4", read_cr(4)},
	};
	_Static_assert(ARRAY_SIZE(regs) % 3 == 0, "three registers per line");

	for (size_t i = 0; i < ARRAY_SIZE(regs); i += 3)
		pr_emerg("  %6s %016lx %6s %016lx %6s %016lx\n", regs[i].name, regs[i].value,
			 regs[i + 1].name, regs[i + 1].value, regs[i + 2].name, regs[i + 2].value);
}

#define X86_PUSH_RBP 0x55

/* Did the trap stop before the function built its frame: in a function without one
 * (GCC leaves some leaf functions frameless even with -mno-omit-leaf-frame-pointer),
 * or on the push %rbp that starts it? rbp is then still the caller's, and the return
 * address is on top of the stack. */
static bool trapped_outside_frame(const struct trap_frame *tf)
{
	const char *name;
	uintptr_t offset, size;

	if (!kallsyms_lookup(tf->rip, &name, &offset, &size))
		return false;
	return *(const uint8_t *)(tf->rip - offset) != X86_PUSH_RBP || offset == 0;
}

/* The frame-pointer chain (-fno-omit-frame-pointer): [rbp] is the caller's rbp,
 * [rbp + 8] the return address. entry.S starts the chain with rbp = 0. */
bool arch_unwind_frame(uintptr_t *fp, uintptr_t *pc, const struct trap_frame *tf)
{
	uintptr_t frame = *fp;
	const uint64_t *saved = (const uint64_t *)frame;

	if (tf && trapped_outside_frame(tf) && kernel_stack_contains(tf->rsp, 8)) {
		*pc = *(const uint64_t *)tf->rsp;
		return true; /* *fp stays: it is the caller's frame */
	}
	if (!IS_ALIGNED(frame, 8) || !kernel_stack_contains(frame, 16))
		return false;
	*pc = saved[1];
	*fp = saved[0];
	return *fp > frame;
}

/* Portable kind of each exception vector (the rest are TRAP_UNKNOWN). */
static enum trap_kind vector_kind(uint64_t vector)
{
	switch (vector) {
	case VEC_DE:
		return TRAP_DIVIDE_ERROR;
	case VEC_BP:
		return TRAP_BREAKPOINT;
	case VEC_UD:
		return TRAP_ILLEGAL_INSTRUCTION;
	case VEC_AC:
		return TRAP_MISALIGNED_ACCESS;
	case VEC_GP:
	case VEC_SS:
		return TRAP_BAD_ACCESS;
	default:
		return TRAP_UNKNOWN;
	}
}

void x86_trap(struct trap_frame *tf)
{
	uint64_t cr2 = read_cr(2); /* before anything else can fault and change it */
	uint64_t vec = tf->vector;
	static char what[96];
	struct trap_info ti = {
		.kind = vector_kind(vec),
		.what = what,
		.pc = tf->rip,
		.sp = tf->rsp,
		.fp = tf->rbp,
	};

	/* An interrupt is the other regular way in: check the stack there too. A stack
	 * pointer in the guard region is reported below as an overflow. */
	if (vec >= X86_NUM_EXCEPTIONS && !stack_pointer_in_guard(tf->rsp)) {
		x86_interrupt(tf);
		return;
	}
	/* #BP is a trap: rip is past the int3. Point at the instruction itself. */
	if (vec == VEC_BP)
		ti.pc--;
	if (vec >= X86_NUM_EXCEPTIONS)
		snprintf(what, sizeof(what), "interrupt (vector %lu)", vec);
	else if (VEC_HAS_ERROR_CODE(vec))
		snprintf(what, sizeof(what), "%s(%#lx) %s", exception_mnemonic(vec), tf->error_code,
			 exception_name(vec));
	else
		snprintf(what, sizeof(what), "%s %s", exception_mnemonic(vec), exception_name(vec));

	if (vec == VEC_PF) {
		ti.kind = tf->error_code & PF_INSTR_FETCH ? TRAP_BAD_FETCH : TRAP_BAD_ACCESS;
		ti.address = cr2;
		ti.has_address = true;
		explain_page_fault(tf->error_code, cr2);
	} else if (vec == VEC_TS || vec == VEC_NP || vec == VEC_SS || vec == VEC_GP) {
		explain_selector_error(tf->error_code);
	} else if (vec == VEC_DF) {
		pr_emerg("  (a double fault's saved rip is undefined: SDM 6.15)\n");
	}
	trap_exception(&ti, tf);
}

/* The last page of the lower half: neither the boot tables ([0, 4 GiB)) nor the
 * kernel's (RAM, which may start at 4 GiB, and devices below 4 GiB) map it. */
#define UNMAPPED_ADDRESS ((1ul << 47) - PAGE_SIZE)

bool arch_raise(enum trap_kind kind)
{
	switch (kind) {
	case TRAP_ILLEGAL_INSTRUCTION:
		__asm__ volatile("ud2");
		return true;
	case TRAP_BREAKPOINT:
		__asm__ volatile("int3");
		return true;
	case TRAP_BAD_ACCESS:
		(void)*(volatile uint32_t *)UNMAPPED_ADDRESS;
		return true;
	case TRAP_DIVIDE_ERROR: {
		uint32_t eax = 1, edx = 0, zero = 0;

		__asm__ volatile("divl %2" : "+a"(eax), "+d"(edx) : "r"(zero));
		return true;
	}
	default:
		/* Misaligned kernel accesses never fault on x86 (#AC needs ring 3). */
		return false;
	}
}

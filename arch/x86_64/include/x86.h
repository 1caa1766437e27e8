/*
 * x86_64 internals shared by the files of this arch (never included outside it). The
 * constants are also used by the assembly files, so everything that is not a plain
 * number sits in the #ifndef __ASSEMBLY__ part. "SDM" is the Intel 64 and IA-32
 * Architectures Software Developer's Manual, volume 3A unless noted.
 */
#ifndef X86_H
#define X86_H

#ifdef __ASSEMBLY__
#define X86_UL(x) x
#else
#define X86_UL(x) x##ul
#endif

/* Control registers (SDM 2.5). */
#define CR0_PE	(X86_UL(1) << 0)  /* protected mode */
#define CR0_WP	(X86_UL(1) << 16) /* honour read-only pages in ring 0 too */
#define CR0_PG	(X86_UL(1) << 31) /* paging */
#define CR4_PAE (X86_UL(1) << 5)  /* 64-bit page-table entries; long mode needs it */
#define CR4_PGE (X86_UL(1) << 7)  /* global pages: survive CR3 loads */

/* Extended feature enable register (SDM 2.2.1, vol. 4 table 2-2). */
#define MSR_EFER 0xc0000080
#define EFER_LME (X86_UL(1) << 8)  /* long mode enable; active once CR0.PG is set */
#define EFER_LMA (X86_UL(1) << 10) /* long mode active: set by the CPU, not by software */
#define EFER_NXE (X86_UL(1) << 11) /* bit 63 of page-table entries is execute-disable */

/* The GS segment's base in 64-bit mode (SDM vol. 4 table 2-2, IA32_GS_BASE): each CPU's
 * points at its struct x86_cpu, so %gs-relative loads read the caller's own. */
#define MSR_GS_BASE 0xc0000101

/* RFLAGS (SDM vol. 1 3.4.3). */
#define RFLAGS_IF (X86_UL(1) << 9) /* maskable interrupts enabled */

/* 4 KiB pages: the assembly files' own PAGE_SIZE; C has the portable one (pmm.h). */
#ifdef __ASSEMBLY__
#define PAGE_SIZE 4096
#else
#include "pmm.h"
#endif

/* Page-table entry bits, 4-level paging (SDM 4.5, tables 4-15 to 4-18). */
#define PTE_PRESENT	  (X86_UL(1) << 0)
#define PTE_WRITABLE	  (X86_UL(1) << 1)
#define PTE_PWT		  (X86_UL(1) << 3) /* write-through */
#define PTE_PCD		  (X86_UL(1) << 4) /* cache disable; with PWT: uncached (UC) */
#define PTE_ACCESSED	  (X86_UL(1) << 5)
#define PTE_DIRTY	  (X86_UL(1) << 6)  /* leaves only */
#define PTE_LARGE	  (X86_UL(1) << 7)  /* in a PD: 2 MiB page; in a PDPT: 1 GiB page */
#define PTE_NX		  (X86_UL(1) << 63) /* no instruction fetch (needs EFER.NXE) */
#define PTE_ADDR_MASK	  X86_UL(0x000ffffffffff000) /* bits 51:12 */
#define LARGE_PAGE_SHIFT  21			     /* 2 MiB */
#define PT_ENTRIES	  512			     /* entries in every paging structure */
#define BOOT_IDENTITY_GIB 4			     /* the boot page tables map [0, 4 GiB) */

/*
 * Segment descriptors (SDM 3.4.5, figure 3-8). In long mode base and limit are ignored
 * for code and data, but the boot GDT also serves the 32-bit entry code, so every
 * segment is flat: base 0, limit 0xfffff pages (4 GiB).
 */
#define SEG_ACCESSED  0x01 /* set here so the CPU never writes the GDT */
#define SEG_RW	      0x02 /* code: readable; data: writable */
#define SEG_EXEC      0x08 /* code segment */
#define SEG_CODE_DATA 0x10 /* S: code/data (clear for system descriptors) */
#define SEG_PRESENT   0x80
#define SEG_GRAN_4K   0x8 /* flags nibble: limit counts 4 KiB units */
#define SEG_DB_32     0x4 /* flags nibble: 32-bit default operand size */
#define SEG_LONG      0x2 /* flags nibble: 64-bit code segment */

#ifdef __ASSEMBLY__
/* A flat segment descriptor from its access byte and flags nibble (assembler only:
 * its expressions are 64 bits wide, C would need casts). */
#define SEG_FLAT(access, flags) ((0xf << 48) | 0xffff | ((access) << 40) | ((flags) << 52))
#endif

/* The kernel's GDT (entry.S). Each CPU runs on a copy of it in its struct x86_cpu,
 * whose 16-byte TSS descriptor trap.c fills in; the original keeps that slot empty. */
#define GDT_KERNEL_CS 0x08 /* 64-bit code */
#define GDT_KERNEL_DS 0x10 /* data, for both modes */
#define GDT_BOOT_CS32 0x18 /* 32-bit code, only for the PVH entry */
#define GDT_TSS	      0x20
#define GDT_ENTRIES   6 /* null, 3 segments, TSS (2 slots) */

/* System-descriptor and gate types (SDM 3.5, table 3-2) and the gate fields (SDM 6.14.1). */
#define SYS_TSS_AVAILABLE 0x9 /* 64-bit TSS, not busy */
#define GATE_INTERRUPT	  0xe /* 64-bit interrupt gate: clears RFLAGS.IF on entry */
#define GATE_PRESENT	  0x80

/* COM1, the PC's first serial port: the console PVH implies (no device tree names one). */
#define COM1_PORT 0x3f8

/* PVH start of day (xen/include/public/arch-x86/hvm/start_info.h). */
#define HVM_START_MAGIC		 0x336ec578
#define XEN_ELFNOTE_PHYS32_ENTRY 18

/* Interrupt stack table slots of the TSS (SDM 6.14.5): exceptions that must run on a
 * known-good stack whatever the interrupted stack looks like. Slot 0 means "no IST". */
#define IST_DOUBLE_FAULT  1
#define IST_NMI		  2
#define IST_MACHINE_CHECK 3
#define IST_SLOTS_USED	  3
#define IST_STACK_SIZE	  8192

/* Exception vectors (SDM 6.3.1, table 6-1). Vectors 32..255 are interrupts. */
#define X86_NUM_EXCEPTIONS 32
#define X86_NUM_VECTORS	   256
#define VEC_DE		   0 /* divide error */
#define VEC_DB		   1 /* debug */
#define VEC_NMI		   2
#define VEC_BP		   3  /* breakpoint (int3) */
#define VEC_UD		   6  /* invalid opcode */
#define VEC_DF		   8  /* double fault */
#define VEC_TS		   10 /* invalid TSS */
#define VEC_NP		   11 /* segment not present */
#define VEC_SS		   12 /* stack-segment fault */
#define VEC_GP		   13 /* general protection */
#define VEC_PF		   14 /* page fault */
#define VEC_AC		   17 /* alignment check */
#define VEC_MC		   18 /* machine check */
#define VEC_CP		   21 /* control protection */
#define VEC_VC		   29 /* VMM communication (AMD SEV-ES) */
#define VEC_SX		   30 /* security exception (AMD) */

/* The exceptions for which the CPU pushes an error code (SDM table 6-1, AMD APM vol. 2
 * 8.2). A preprocessor expression so that idt.S and trap.c share it. */
#define VEC_HAS_ERROR_CODE(v)                                                                   \
	((v) == VEC_DF || ((v) >= VEC_TS && (v) <= VEC_PF) || (v) == VEC_AC || (v) == VEC_CP || \
	 (v) == VEC_VC || (v) == VEC_SX)

/* Page-fault error code (SDM 4.7, figure 4-12). */
#define PF_PROTECTION	(X86_UL(1) << 0) /* 0: page not present */
#define PF_WRITE	(X86_UL(1) << 1)
#define PF_USER		(X86_UL(1) << 2)
#define PF_RESERVED_BIT (X86_UL(1) << 3)
#define PF_INSTR_FETCH	(X86_UL(1) << 4)
#define PF_PROT_KEY	(X86_UL(1) << 5)
#define PF_SHADOW_STACK (X86_UL(1) << 6)

/* Selector error code of #TS, #NP, #SS, #GP (SDM 6.13, figure 6-6). */
#define SELERR_EXTERNAL	   (X86_UL(1) << 0) /* caused by an external event */
#define SELERR_IDT	   (X86_UL(1) << 1) /* index refers to the IDT */
#define SELERR_LDT	   (X86_UL(1) << 2) /* else the GDT (when not IDT) */
#define SELERR_INDEX_SHIFT 3

/* CPUID (SDM vol. 2A, CPUID). */
#define CPUID_FEATURES		   1
#define CPUID1_EBX_APIC_ID_SHIFT   24	      /* initial local APIC id, EBX[31:24] */
#define CPUID1_EDX_APIC		   (1u << 9)  /* there is a local APIC */
#define CPUID1_EDX_PAT		   (1u << 16) /* page attribute table (IA32_PAT) */
#define CPUID1_ECX_TSC_DEADLINE	   (1u << 24) /* local APIC timer has TSC-deadline mode */
#define CPUID1_ECX_HYPERVISOR	   (1u << 31) /* set by hypervisors (reserved on hardware) */
#define CPUID_HYPERVISOR_BASE	   0x40000000 /* hypervisor signature leaf */
#define CPUID_EXT_MAX		   0x80000000 /* eax: the highest extended leaf */
#define CPUID_POWER_MGMT	   0x80000007 /* advanced power management leaf */
#define CPUID_EXT_FEATURES	   0x80000001
#define CPUID_EXT_EDX_NX	   (1u << 20) /* execute-disable bit (EFER.NXE) */
#define CPUID_EXT_EDX_PAGE1GB	   (1u << 26) /* 1 GiB pages in the PDPT */
#define CPUID_ADDR_SIZES	   0x80000008 /* eax[7:0]: physical address bits */
/* EDX[8]: the TSC rate never changes (SDM vol. 3B, "Invariant TSC"). */
#define CPUID_PM_EDX_INVARIANT_TSC (1u << 8)

/* Local APIC base MSR (SDM 11.4.4, figure 11-5). The APIC chapter is 11 in the current
 * SDM and 10 in older editions (before the "User Interrupts" chapter was added). */
#define MSR_APIC_BASE	    0x1b
#define APIC_BASE_X2APIC    (X86_UL(1) << 10) /* x2APIC mode: MSR access, no MMIO */
#define APIC_BASE_ENABLE    (X86_UL(1) << 11) /* global enable */
#define APIC_BASE_ADDR_MASK X86_UL(0x000ffffffffff000)
#define MSR_TSC_DEADLINE    0x6e0 /* IA32_TSC_DEADLINE (SDM 11.5.4.1) */

/* Page attribute table (SDM 13.12.2): eight 8-bit entries, chosen by an entry's PAT, PCD
 * and PWT bits; PCD|PWT picks entry 3, uncached (type 0) after reset. */
#define MSR_PAT		   0x277
#define PAT_ENTRY_SHIFT(n) (8 * (n))
#define PAT_TYPE_MASK	   0x7
#define PAT_TYPE_UC	   0

/*
 * Per-CPU data: NR_CPUS structs x86_cpu (smp.c), X86_CPU_SIZE bytes apart; the GS base
 * of each CPU points at its own from the first instruction of C (entry.S, trampoline.S).
 * The offsets below are the fields the assembly code uses (checked in smp.c).
 */
#define X86_CPU_INDEX	  0 /* uint32_t: arch_cpu_index() */
#define X86_CPU_APIC_ID	  4 /* uint32_t: its local APIC id */
#define X86_CPU_STACK_TOP 8 /* uint64_t: first stack of a CPU being started, else 0 */
#define X86_CPU_SIZE	  256

/* The page below 1 MiB that a STARTUP IPI names (SDM vol. 3A, "MP Initialization";
 * the vector is the page number): trampoline.S's real-mode start is copied there. Low
 * RAM that nothing else uses on a PC; boot.c and boot_uboot.c reserve it. */
#define X86_TRAMPOLINE_PA 0x8000

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "boot_info.h"
#include "smp.h"

/* 64-bit TSS (SDM 8.7, figure 8-11). In long mode it only holds stack pointers: RSP0-2
 * for privilege changes (none yet: no user mode) and the interrupt stack table. */
struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7]; /* IST slot n is ist[n - 1] */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base; /* offset of the I/O bitmap; past the limit: none */
} __attribute__((packed));

/* What each CPU has of its own: GS base points here. */
struct x86_cpu {
	uint32_t index;	    /* X86_CPU_INDEX */
	uint32_t apic_id;   /* X86_CPU_APIC_ID */
	uint64_t stack_top; /* X86_CPU_STACK_TOP */
	uint64_t gdt[GDT_ENTRIES];
	struct x86_tss tss;
} __attribute__((aligned(X86_CPU_SIZE)));

extern struct x86_cpu x86_cpus[NR_CPUS];

/* The calling CPU's struct x86_cpu. */
static inline struct x86_cpu *x86_this_cpu(void)
{
	return &x86_cpus[arch_cpu_index()];
}

/* The stack layout idt.S builds on every exception: general registers (pushed by the
 * stub, last pushed first), vector and error code (pushed by the stub, or the CPU for
 * the error code), then the frame the CPU pushes in 64-bit mode (SDM 6.14.2). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code; /* 0 for exceptions without one */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Entry stubs of all 256 vectors (idt.S), indexed by vector. */
extern const uint64_t x86_vector_stubs[X86_NUM_VECTORS];

/* The GDT of entry.S, which every CPU starts on (its TSS slot stays empty). */
extern uint64_t x86_gdt[GDT_ENTRIES];

/* Build the IDT, then x86_trap_init_cpu() for the boot CPU (trap.c). */
void x86_trap_init(void);
/* Load the calling CPU's own GDT (a copy of x86_gdt with its TSS), its TSS with its
 * interrupt stacks, and the IDT. */
void x86_trap_init_cpu(struct x86_cpu *c);

/* C entry, called by entry.S in long mode with the PVH start info's physical address. */
__attribute__((noreturn)) void x86_boot(uint64_t start_info_pa);
__attribute__((noreturn)) void x86_boot_uboot(long argc, char *const argv[]);

/* QEMU's fw_cfg (fw_cfg.c): read the named file into buf; returns its size (which may
 * exceed size: only size bytes are copied), or -1 when there is no such file. */
long fw_cfg_read_file(const char *name, void *buf, unsigned long size);

/* Physical address of the ACPI RSDP found in the BIOS area, or 0 (acpi.c). */
uint64_t acpi_find_rsdp(void);

/* What the ACPI MADT (ACPI 6.5, 5.2.12) says about interrupts and CPUs, as acpi.c reads
 * it. ISA IRQ n reaches GSI isa[n].gsi with isa[n].flags (MPS INTI flags, below). */
#define MADT_MAX_IOAPICS 4
#define ISA_IRQS	 16

struct madt_info {
	uint64_t lapic_base;
	bool pcat_compat; /* dual 8259 PICs present (they must be masked) */
	struct {
		uint32_t id;
		uint64_t base;
		uint32_t gsi_base;
	} ioapic[MADT_MAX_IOAPICS];
	unsigned int ioapic_count;
	struct {
		uint32_t gsi;
		uint16_t flags;
	} isa[ISA_IRQS];
	uint64_t cpu_apic_ids[BOOT_MAX_CPUS]; /* enabled processors' local APIC ids */
	unsigned int cpu_count;		      /* how many the MADT lists (may exceed the array) */
};

/* MPS INTI flags of an interrupt source override (ACPI 6.5 5.2.12.5; MPS 1.4 table 4-10).
 * "Conforms" means the bus's own convention: ISA is edge-triggered and active high. */
#define MPS_POLARITY_MASK 0x3
#define MPS_POLARITY_HIGH 0x1
#define MPS_POLARITY_LOW  0x3
#define MPS_TRIGGER_MASK  0xc
#define MPS_TRIGGER_EDGE  0x4
#define MPS_TRIGGER_LEVEL 0xc

/* Read the MADT through the RSDP at rsdp_pa. 0, or -E_NODEV (no RSDP or no MADT) or
 * -E_BADFMT (malformed, with a warning saying how); *m is only valid on 0. */
int acpi_read_madt(uint64_t rsdp_pa, struct madt_info *m);
/* The HPET's register block from the ACPI HPET table, 0 if there is none. */
uint64_t acpi_hpet_base(uint64_t rsdp_pa);

/* Interrupts (irq.c): fill bi's CPU list, interrupt controller and console line from the
 * MADT (or the standard PC layout) before kmain; the interrupt entry from x86_trap. */
void x86_irq_describe(struct boot_info *bi);
void x86_interrupt(struct trap_frame *tf);

/* The TSC and the local APIC timer (tsc.c): calibrate, then set the timer up (masked) on
 * vector. After lapic_init(). */
void x86_timer_init(uint8_t vector, uint64_t acpi_rsdp);
/* On another CPU: its local APIC timer set up (masked) as the boot CPU's, in the same
 * mode, with the boot CPU's calibration. */
void x86_timer_init_cpu(uint8_t vector);

/* SMP (smp.c): reserve the trampoline page in bi's memory map, before the boot code adds
 * reservations of its own that cover it. The entry of a started CPU (trampoline.S). */
void x86_smp_reserve_trampoline(struct boot_info *bi);
__attribute__((noreturn)) void x86_secondary_boot(struct x86_cpu *c);

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* The TSC, read in program order: rdtsc alone may run before earlier instructions finish
 * (SDM vol. 2B, RDTSC); lfence waits for them. */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(0));
	return r;
}

#define read_cr(n)                                                 \
	({                                                         \
		uint64_t v_;                                       \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v_)); \
		v_;                                                \
	})

#define write_cr(n, v) __asm__ volatile("mov %0, %%cr" #n : : "r"((uint64_t)(v)) : "memory")

/* Forget this CPU's TLB entries for the page holding va, and every paging-structure
 * cache entry (SDM 4.10.4.1, INVLPG). */
static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}
#endif /* !__ASSEMBLY__ */

#endif

/* riscv64 internals shared by the files of this arch (never included outside it). */
#ifndef RISCV_H
#define RISCV_H

/* How a secondary hart finds its start (struct riscv_secondary_start, smp.c): the SBI
 * hands secondary.S a pointer to it in a1; these are its fields' byte offsets. */
#define SECONDARY_STACK_TOP  0
#define SECONDARY_TP	     8
#define SECONDARY_INDEX	     16
#define SECONDARY_SSTATUS_FS 24

/* Constants for C and assembly alike (the assembler takes no "ul" suffix). */
#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##ul
#endif

/* sstatus bits (RISC-V privileged spec 4.1.1). */
#define SSTATUS_SIE (UL(1) << 1)
#define SSTATUS_SPP (UL(1) << 8)
#define SSTATUS_FS  (UL(3) << 13) /* floating-point unit state: off, initial, clean, dirty */

/* sip/sie bits (privileged spec 4.1.3): supervisor software interrupt pending. */
#define SIP_SSIP (UL(1) << 1)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define csr_read(csr)                                          \
	({                                                     \
		unsigned long v_;                              \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_)); \
		v_;                                            \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" ::"rK"(v))
#define csr_set(csr, v)	  __asm__ volatile("csrs " #csr ", %0" ::"rK"(v))
#define csr_clear(csr, v) __asm__ volatile("csrc " #csr ", %0" ::"rK"(v))
#define csr_read_clear(csr, v)                                                   \
	({                                                                       \
		unsigned long v_;                                                \
		__asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(v_) : "rK"(v)); \
		v_;                                                              \
	})

/* scause: bit 63 set for interrupts (privileged spec 4.1.9). */
#define SCAUSE_INTERRUPT (1ul << 63)

/* The registers saved on trap entry (trap_entry.S writes this layout). */
struct trap_frame {
	unsigned long regs[32]; /* x0..x31; regs[2] is the interrupted sp */
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};

/* SBI calls (sbi.c). */
struct sbi_ret {
	long error;
	long value;
};
struct sbi_ret sbi_call(long ext, long fid, long a0, long a1, long a2);
void sbi_describe(char *buf, unsigned long size);
/* Does the firmware implement extension ext (SBI base, probe_extension)? */
bool sbi_probe(long ext);
/* An SBI error code (chapter 3, table 1) in words, and as the nearest -E_* code. */
const char *sbi_error_name(long error);
int sbi_error_to_errno(long error);

extern uint64_t riscv_boot_hartid;

/* Interrupt entry (irq.c), from riscv_trap() for scause's interrupt bit. */
void riscv_interrupt(struct trap_frame *tf);

/* The fields secondary.S reads (offsets above); one per CPU index, in smp.c. */
struct riscv_secondary_start {
	unsigned long stack_top;
	unsigned long tp;
	unsigned long index;
	unsigned long sstatus_fs;
};

#endif /* __ASSEMBLER__ */
#endif

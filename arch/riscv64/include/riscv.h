/* riscv64 internals shared by the files of this arch (never included outside it). */
#ifndef RISCV_H
#define RISCV_H

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

/* sstatus bits (RISC-V privileged spec 4.1.1). */
#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPP (1ul << 8)

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

extern uint64_t riscv_boot_hartid;

/* Interrupt entry (irq.c), from riscv_trap() for scause's interrupt bit. */
void riscv_interrupt(struct trap_frame *tf);

#endif

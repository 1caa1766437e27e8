/*
 * aarch64 internals shared by the files of this arch (never included outside it), from
 * C and from assembly. Register and field names are those of the Arm Architecture
 * Reference Manual for A-profile (DDI 0487), whose register descriptions give the bits.
 */
#ifndef AARCH64_H
#define AARCH64_H

/* One constant for both C (unsigned long, so bit 31 and up are safe) and assembly. */
#ifdef __ASSEMBLY__
#define UL(x) x
#else
#define UL(x) x##ul
#endif
#define BIT(n) (UL(1) << (n))

/* CurrentEL: the exception level is in bits [3:2]. */
#define CURRENT_EL_SHIFT 2
#define CURRENT_EL_MASK	 UL(3)

/* DAIF (PSTATE interrupt masks) as read with `mrs daif`, and the 4-bit immediate of
 * `msr daifset/daifclr`, which holds the same flags shifted down by 6. */
#define DAIF_F	    BIT(6) /* FIQ */
#define DAIF_I	    BIT(7) /* IRQ */
#define DAIF_A	    BIT(8) /* SError */
#define DAIF_D	    BIT(9) /* debug */
#define DAIFSET_F   1
#define DAIFSET_I   2
#define DAIFSET_ALL 15

/* SPSR_ELx (and PSTATE): the D, A, I, F masks sit at the same bits as in DAIF; M[3:0]
 * names the exception level and stack. EL1h = EL1 on its own stack pointer SP_EL1. */
#define SPSR_MODE_EL1H	 UL(0x5)
#define SPSR_EL1H_MASKED (SPSR_MODE_EL1H | DAIF_D | DAIF_A | DAIF_I | DAIF_F)

/* MPIDR_EL1: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], Aff3 [39:32]. */
#define MPIDR_AFFINITY_MASK UL(0xff00ffffff)

/* CPACR_EL1.FPEN [21:20] = 0b11: FP/SIMD instructions do not trap at EL1 or EL0. */
#define CPACR_EL1_FPEN_NONE (UL(3) << 20)

/* SCTLR_EL1: bits 11, 20, 22, 23, 28, 29 are RES1 on Armv8.0; on later CPUs setting them
 * keeps the Armv8.0 behaviour. Everything else 0: MMU, caches and alignment checks off,
 * little endian. */
#define SCTLR_EL1_RES1 (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* SCTLR_EL1 bits the MMU turns on (mmu_on.S): M = stage 1 translation, C = data and
 * unified caches, I = instruction cache. */
#define SCTLR_EL1_M BIT(0)
#define SCTLR_EL1_C BIT(2)
#define SCTLR_EL1_I BIT(12)

/* MAIR_EL1: eight 8-bit memory attributes, picked by a descriptor's AttrIndx. The
 * kernel uses two: Normal write-back write-allocate (inner and outer) and Device-nGnRE. */
#define MAIR_ATTR_NORMAL_WB    UL(0xff)
#define MAIR_ATTR_DEVICE_nGnRE UL(0x04)
#define MAIR_IDX_NORMAL	       0
#define MAIR_IDX_DEVICE	       1
#define MAIR_EL1_KERNEL                                   \
	((MAIR_ATTR_NORMAL_WB << (8 * MAIR_IDX_NORMAL)) | \
	 (MAIR_ATTR_DEVICE_nGnRE << (8 * MAIR_IDX_DEVICE)))

/* TCR_EL1 (Arm ARM D19.2, TCR_EL1). TTBR0 covers 2^(64 - T0SZ) bytes; walks through it
 * are cacheable (IRGN0/ORGN0 write-back write-allocate, SH0 inner shareable) with the
 * 4 KiB granule (TG0 = 0). EPD1 makes every TTBR1 (upper half) walk fault: nothing is
 * mapped there yet. TG1 = 4 KiB and T1SZ are still given valid values. IPS is the
 * output (physical) address size, encoded like ID_AA64MMFR0_EL1.PARange. */
#define TCR_T0SZ_SHIFT 0
#define TCR_IRGN0_WBWA (UL(1) << 8)
#define TCR_ORGN0_WBWA (UL(1) << 10)
#define TCR_SH0_INNER  (UL(3) << 12)
#define TCR_TG0_4K     (UL(0) << 14)
#define TCR_T1SZ_SHIFT 16
#define TCR_EPD1       BIT(23)
#define TCR_TG1_4K     (UL(2) << 30)
#define TCR_IPS_SHIFT  32

/* ID_AA64MMFR0_EL1: PARange [3:0] (0 = 32 bits, 1 = 36, 2 = 40, 3 = 42, 4 = 44, 5 = 48,
 * 6 = 52) and TGran4 [31:28] (0 or 1: the 4 KiB granule is supported, 0xf: it is not). */
#define ID_AA64MMFR0_PARANGE_MASK UL(0xf)
#define ID_AA64MMFR0_PARANGE_48	  UL(5)
#define ID_AA64MMFR0_TGRAN4_SHIFT 28
#define ID_AA64MMFR0_TGRAN4_MASK  UL(0xf)
#define ID_AA64MMFR0_TGRAN4_NONE  UL(0xf)

/* CTR_EL0.DminLine [19:16]: log2 of the smallest data cache line, in 4-byte words. */
#define CTR_DMINLINE_SHIFT 16
#define CTR_DMINLINE_MASK  UL(0xf)

/* What mmu_on.S loads to turn the MMU on (struct aarch64_mmu_regs in aarch64_mmu.h),
 * each field 8 bytes. */
#define MMU_REGS_MAIR  0
#define MMU_REGS_TCR   8
#define MMU_REGS_TTBR0 16
#define MMU_REGS_SIZE  24

/* HCR_EL2 (when the kernel is entered at EL2 and drops to EL1). */
#define HCR_EL2_RW  BIT(31) /* EL1 is AArch64 */
#define HCR_EL2_HCD BIT(29) /* HVC is undefined: nothing runs at EL2 */

/* CNTHCTL_EL2 with HCR_EL2.E2H = 0: EL1 may use the physical counter and timer. */
#define CNTHCTL_EL2_EL1PCTEN BIT(0)
#define CNTHCTL_EL2_EL1PCEN  BIT(1)

/* CPTR_EL2 with HCR_EL2.E2H = 0. TFP (bit 10) stays 0 so FP/SIMD does not trap to EL2.
 * TZ (SVE, bit 8) and TSM (SME, bit 12) are set: EL1 uses neither, and on CPUs without
 * those features the bits are RES1. */
#define CPTR_EL2_RES1	(UL(0xff) | BIT(9) | BIT(13))
#define CPTR_EL2_TZ	BIT(8)
#define CPTR_EL2_TSM	BIT(12)
#define CPTR_EL2_KERNEL (CPTR_EL2_RES1 | CPTR_EL2_TZ | CPTR_EL2_TSM)

/* ID_AA64PFR0_EL1.GIC [27:24]: non-zero when the GICv3 system register interface exists. */
#define ID_AA64PFR0_GIC_SHIFT 24
#define ID_AA64PFR0_GIC_MASK  UL(0xf)

/* ICC_SRE_EL2: SRE = EL2 uses the system register interface, ENABLE = EL1 may use
 * ICC_SRE_EL1. Needed before EL1 can program a GICv3 through system registers. */
#define ICC_SRE_EL2_SRE	   BIT(0)
#define ICC_SRE_EL2_ENABLE BIT(3)

/* ESR_ELx: exception class EC [31:26], syndrome ISS [24:0]. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK  UL(0x3f)
#define ESR_ISS_MASK UL(0x1ffffff)

/* Exception classes the trap handler treats specially (ESR_EL1.EC). */
#define EC_UNKNOWN	    0x00
#define EC_DATA_ABORT_LOWER 0x24
#define EC_DATA_ABORT_CUR   0x25

/* ISS of an instruction or data abort: fault status code [5:0] (IFSC/DFSC), WnR [6]
 * (data aborts: the access was a write), FnV [10] (FAR_EL1 does not hold the address). */
#define ISS_ABORT_FSC_MASK UL(0x3f)
#define FSC_ALIGNMENT	   0x21
#define ISS_ABORT_WNR	   BIT(6)
#define ISS_ABORT_FNV	   BIT(10)
/* ISS of SVC, HVC, SMC and BRK: the instruction's 16-bit immediate. */
#define ISS_IMM16_MASK	   UL(0xffff)

/*
 * The exception vector table (VBAR_EL1): 16 entries of 0x80 bytes, 2 KiB aligned. Entry
 * number = source * 4 + kind. Sources, in table order: current EL using SP_EL0, current
 * EL using SP_ELx, lower EL in AArch64, lower EL in AArch32. Kinds: synchronous, IRQ,
 * FIQ, SError.
 */
#define VECTOR_ENTRY_SIZE  0x80
#define VECTOR_TABLE_ALIGN 0x800
#define VECTOR_CUR_SP0	   0
#define VECTOR_CUR_SPX	   1
#define VECTOR_LOWER_A64   2
#define VECTOR_LOWER_A32   3
#define VECTOR_SYNC	   0
#define VECTOR_IRQ	   1
#define VECTOR_FIQ	   2
#define VECTOR_SERROR	   3
#define VECTOR_KINDS	   4 /* entries per source */

/* struct trap_frame's layout, for vectors.S (trap.c checks the two agree). */
#define TF_REGS	  0 /* x0..x30 */
#define TF_SP	  (31 * 8)
#define TF_ELR	  (32 * 8)
#define TF_SPSR	  (33 * 8)
#define TF_ESR	  (34 * 8)
#define TF_FAR	  (35 * 8)
#define TF_VECTOR (36 * 8)
#define TF_SIZE	  (38 * 8) /* a multiple of 16: SP stays aligned */

/* The FP/SIMD state the IRQ entry keeps below the trap frame (vectors.S): FPCR and
 * FPSR first (within reach of an ldp/stp immediate), then q0-q31. A multiple of 16:
 * SP stays aligned. */
#define FP_STATE_FPCR 0
#define FP_STATE_FPSR 8
#define FP_STATE_Q    16
#define FP_STATE_SIZE (16 + 32 * 16)

/* What a secondary CPU's entry (secondary.S) finds at the address PSCI CPU_ON hands it
 * in x0: struct aarch64_secondary_boot (smp.c), each field 8 bytes. */
#define SECONDARY_BOOT_STACK_TOP 0
#define SECONDARY_BOOT_TLS	 8
#define SECONDARY_BOOT_INDEX	 16
#define SECONDARY_BOOT_SIZE	 24

/* Semihosting (Arm "Semihosting for AArch32 and AArch64"): the call is HLT #0xF000;
 * HLT #imm16 encodes as 0xd4400000 | imm16 << 5. */
#define SEMIHOSTING_HLT_IMM  0xf000
#define SEMIHOSTING_HLT_INSN (0xd4400000u | (SEMIHOSTING_HLT_IMM << 5))

/* CNTFRQ_EL0: the generic timer's frequency in Hz, bits [31:0]. */
#define CNTFRQ_MASK UL(0xffffffff)

/* CNTV_CTL_EL0, the EL1 virtual timer's control: ENABLE, IMASK (the condition still
 * shows in ISTATUS but raises no interrupt), ISTATUS (CNTVCT_EL0 >= CNTV_CVAL_EL0). */
#define CNTV_CTL_ENABLE	 BIT(0)
#define CNTV_CTL_IMASK	 BIT(1)
#define CNTV_CTL_ISTATUS BIT(2)

/* Linux arm64 Image header (Documentation/arch/arm64/booting.rst). */
#define IMAGE_TEXT_OFFSET     0x200000
#define IMAGE_FLAGS_LE	      0		 /* bit 0: kernel is little endian */
#define IMAGE_FLAGS_4K	      (1 << 1)	 /* bits 1-2: 4 KiB pages */
#define IMAGE_FLAGS_NEAR_BASE 0		 /* bit 3: 2 MiB aligned base near DRAM start */
#define IMAGE_MAGIC	      0x644d5241 /* "ARM\x64" */

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

#define read_sysreg(reg)                                      \
	({                                                    \
		unsigned long v_;                             \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})
#define write_sysreg(reg, v) \
	__asm__ volatile("msr " #reg ", %0" ::"r"((unsigned long)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")

/* The registers saved on exception entry (vectors.S writes this layout). */
struct trap_frame {
	unsigned long regs[31]; /* x0..x30; x29 is the frame pointer, x30 the LR */
	unsigned long sp;	/* the interrupted stack pointer */
	unsigned long elr;	/* ELR_EL1: where the exception was taken */
	unsigned long spsr;	/* SPSR_EL1: PSTATE at that point */
	unsigned long esr;	/* ESR_EL1: the syndrome */
	unsigned long far;	/* FAR_EL1: the faulting address, when there is one */
	unsigned long vector;	/* vector table entry taken, 0..15 */
	unsigned long pad;
};

/* Exception level the kernel was entered at (1 or 2); set by entry.S. */
extern uint64_t aarch64_boot_el;

/* PSCI (psci.c). */
void psci_init(const void *fdt, char *desc, size_t size);
void psci_system_off(void);
long psci_system_reset(void);
int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);

/* An IRQ from the kernel itself (irq.c), called by aarch64_trap(). */
void aarch64_interrupt(struct trap_frame *tf);

/* Data cache maintenance to the point of coherency over [va, va + size) (cache.c):
 * clean and invalidate (memory gets the latest data and no cache keeps a copy), or
 * invalidate only (the cache's copies are dropped: memory, written with the MMU off,
 * is the truth). */
void aarch64_dcache_clean_inval(uintptr_t va, size_t size);
void aarch64_dcache_inval(uintptr_t va, size_t size);
#endif /* !__ASSEMBLY__ */

#endif

/*
 * riscv64 SMP (kernel/include/arch.h, "SMP"). Harts start through the SBI HSM extension
 * and interrupt each other through the SBI IPI extension, which makes the supervisor
 * software interrupt (sip.SSIP) pending on the target (SBI 1.0, chapters 7 and 9).
 *
 * The CPU index lives in sscratch: the kernel never runs below S-mode, so trap_entry.S
 * needs no scratch register to find a kernel stack, and tp is taken by picolibc's TLS
 * pointer. A user mode would need sscratch for that: then the index moves elsewhere.
 */
#include <inttypes.h>

#include "arch.h"
#include "errors.h"
#include "kernel.h"
#include "printk.h"
#include "riscv.h"
#include "smp.h"

#define SBI_EXT_IPI	   0x735049 /* "sPI" */
#define SBI_IPI_SEND	   0
#define SBI_EXT_HSM	   0x48534d /* "HSM" */
#define SBI_HSM_HART_START 0

/* secondary.S: a0 = hart id, a1 = its struct riscv_secondary_start. */
extern char secondary_entry[];

_Static_assert(offsetof(struct riscv_secondary_start, stack_top) == SECONDARY_STACK_TOP,
	       "secondary.S reads stack_top at SECONDARY_STACK_TOP");
_Static_assert(offsetof(struct riscv_secondary_start, tp) == SECONDARY_TP,
	       "secondary.S reads tp at SECONDARY_TP");
_Static_assert(offsetof(struct riscv_secondary_start, index) == SECONDARY_INDEX,
	       "secondary.S reads index at SECONDARY_INDEX");
_Static_assert(offsetof(struct riscv_secondary_start, sstatus_fs) == SECONDARY_SSTATUS_FS,
	       "secondary.S reads sstatus_fs at SECONDARY_SSTATUS_FS");

static struct riscv_secondary_start starts[NR_CPUS];

unsigned int arch_cpu_index(void)
{
	return (unsigned int)csr_read(sscratch); /* entry.S sets 0, secondary.S the index */
}

/* Refuse to start a hart that could not be interrupted or that the SBI cannot start. */
static int check_firmware(void)
{
	if (!sbi_probe(SBI_EXT_HSM)) {
		pr_err("riscv64: the SBI firmware has no HSM extension: cannot start harts\n");
		return -E_NOTSUP;
	}
	if (!sbi_probe(SBI_EXT_IPI)) {
		pr_err("riscv64: the SBI firmware has no IPI extension: cannot interrupt harts\n");
		return -E_NOTSUP;
	}
	return 0;
}

int arch_cpu_start(unsigned int index, uint64_t hw_id, uintptr_t stack_top)
{
	struct riscv_secondary_start *s;
	unsigned long tp;
	struct sbi_ret r;
	int err;

	if (index == 0 || index >= NR_CPUS || !IS_ALIGNED(stack_top, 16)) {
		pr_err("riscv64: cannot start CPU %u with stack top %#lx\n", index,
		       (unsigned long)stack_top);
		return -E_INVAL;
	}
	err = check_firmware();
	if (err)
		return err;

	/* picolibc's TLS is one area for the whole kernel: the new hart shares it. */
	__asm__("mv %0, tp" : "=r"(tp));
	s = &starts[index];
	s->stack_top = stack_top;
	s->tp = tp;
	s->index = index;
	s->sstatus_fs = csr_read(sstatus) & SSTATUS_FS;
	/* The hart reads *s with its first loads; the ecall itself orders no memory. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, (long)hw_id, (long)secondary_entry, (long)s);
	if (r.error) {
		pr_err("riscv64: SBI HSM hart_start of hart %" PRIu64 " failed: %s (%ld)\n", hw_id,
		       sbi_error_name(r.error), r.error);
		return sbi_error_to_errno(r.error);
	}
	return 0;
}

void arch_send_ipi(unsigned int index)
{
	unsigned long flags = arch_irq_save(); /* stay on this hart until it is decided */
	struct sbi_ret r;

	if (index == arch_cpu_index()) {
		/* S-mode may set its own SSIP (privileged spec 4.1.3): no firmware call. */
		csr_set(sip, SIP_SSIP);
		arch_irq_restore(flags);
		return;
	}
	/* The sender's request bits must be visible before the target takes the IPI. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r = sbi_call(SBI_EXT_IPI, SBI_IPI_SEND, 1, (long)smp_cpu_hw_id(index), 0);
	arch_irq_restore(flags);
	/* arch_cpu_start() checked the extension: a failure here is a broken invariant, and
	 * a lost IPI would leave its sender waiting forever. */
	if (r.error)
		panic("riscv64: SBI send_ipi to CPU %u (hart %" PRIu64 ") failed: %s (%ld)", index,
		      smp_cpu_hw_id(index), sbi_error_name(r.error), r.error);
}

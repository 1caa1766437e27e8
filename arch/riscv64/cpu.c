/* riscv64 implementations of the arch contract's CPU hooks (kernel/include/arch.h). */
#include "arch.h"
#include "kernel.h"
#include "mmio.h"
#include "riscv.h"
#include "smp.h"
#include "sv39.h"

const char arch_name[] = "riscv64";
const size_t arch_tls_tcb_size = 0; /* RISC-V psABI: tp points at the TLS block */

const char *arch_cpu_mode(void)
{
	return "S-mode";
}

uint64_t arch_cpu_id(void)
{
	unsigned int index = arch_cpu_index();

	/* The boot hart's id is known before smp_init() records it. */
	return index == 0 ? riscv_boot_hartid : smp_cpu_hw_id(index);
}

unsigned long arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
}

bool arch_irqs_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

void arch_cpu_relax(void)
{
	/* Zihintpause "pause", encoded as a FENCE hint: a no-op where unimplemented. */
	__asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010");
}

void arch_set_thread_pointer(void *tls_area)
{
	__asm__ volatile("mv tp, %0" ::"r"(tls_area));
}

/* The SiFive test device (QEMU virt's "sifive,test0"): 0x5555 exits with status 0,
 * (code << 16) | 0x3333 exits with code. */
#define SIFIVE_TEST_PASS 0x5555
#define SIFIVE_TEST_FAIL 0x3333

void arch_poweroff(int status)
{
	uint32_t v = status == 0 ? SIFIVE_TEST_PASS : ((uint32_t)status << 16) | SIFIVE_TEST_FAIL;

	arch_irq_save();
	mmio_write32(TARGET_EXIT_BASE, v);
	for (;;)
		__asm__ volatile("wfi");
}

uint64_t arch_phys_limit(void)
{
	/* The identity map (mmu_init.c) lives in Sv39's lower half: RAM above it could
	 * not be reached at its physical address once the MMU is on. */
	return SV39_LOWER_HALF_END;
}

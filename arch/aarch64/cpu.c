/* aarch64 implementations of the arch contract's CPU hooks (kernel/include/arch.h). */
#include "aarch64.h"
#include "arch.h"
#include "kernel.h"

const char arch_name[] = "aarch64";
/* AArch64 ELF TLS (variant 1): TPIDR_EL0 points at a 16-byte TCB, .tdata follows it. */
const size_t arch_tls_tcb_size = 16;

uint64_t aarch64_boot_el; /* written by entry.S after it cleared .bss */

const char *arch_cpu_mode(void)
{
	unsigned long el = (read_sysreg(CurrentEL) >> CURRENT_EL_SHIFT) & CURRENT_EL_MASK;

	if (el != 1)
		return "unexpected EL";
	return aarch64_boot_el == 2 ? "EL1 (from EL2)" : "EL1";
}

uint64_t arch_cpu_id(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
}

/* The kernel's "interrupts" are IRQ and FIQ; SError and debug stay as they are. */
unsigned long arch_irq_save(void)
{
	unsigned long flags = read_sysreg(daif);

	__asm__ volatile("msr daifset, #%0" ::"i"(DAIFSET_I | DAIFSET_F) : "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	write_sysreg(daif, flags);
}

bool arch_irqs_enabled(void)
{
	return !(read_sysreg(daif) & DAIF_I);
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield");
}

void arch_set_thread_pointer(void *tls_area)
{
	write_sysreg(tpidr_el0, tls_area);
}

/*
 * Semihosting SYS_EXIT (Arm "Semihosting for AArch32 and AArch64", 0x18): x0 = the
 * operation, x1 = a block {reason, subcode}. ADP_Stopped_ApplicationExit with the
 * status as subcode makes QEMU -semihosting exit with that status.
 */
#define SYS_EXIT		     0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static void semihosting_exit(int status)
{
	uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint64_t)status};
	register unsigned long x0 __asm__("x0") = SYS_EXIT;
	register uint64_t *x1 __asm__("x1") = block;

	__asm__ volatile("hlt #" STRINGIFY(SEMIHOSTING_HLT_IMM) : "+r"(x0) : "r"(x1) : "memory");
}

void arch_poweroff(int status)
{
	arch_irq_save();
	semihosting_exit(status);
	/*
	 * Still here: no semihosting (trap.c steps over the HLT then). PSCI SYSTEM_OFF
	 * always reports 0 to the host, so only a successful status uses it; any other
	 * waits here for the host's timeout rather than pass for a success.
	 */
	if (status == EXIT_OK)
		psci_system_off();
	for (;;)
		__asm__ volatile("wfi");
}

uint64_t arch_phys_limit(void)
{
	/* Every boot_info RAM range is identity-mapped (mmu_boot.c panics otherwise). */
	return UINT64_MAX;
}

/*
 * aarch64 interrupts: every line is a GIC INTID (drivers/irq/gic.c, v2 or v3 as the
 * device tree says), and the kernel's one-shot timer is the EL1 virtual timer of the
 * Generic Timer (Arm ARM, "The Generic Timer in AArch64 state"): it compares
 * CNTVCT_EL0 with CNTV_CVAL_EL0 and holds its PPI asserted (level) while the count has
 * reached the compare value and the timer is enabled and not masked.
 */
#include <stdint.h>

#include "aarch64.h"
#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "gic.h"
#include "irq.h"
#include "kernel.h"

/* The EL1 virtual timer's PPI: INTID 27 (Arm Base System Architecture, "PPI
 * assignments"; QEMU virt's /timer node says the same). */
#define TIMER_VIRTUAL_INTID 27

static uint64_t counter_hz;

static void gic_unmask(unsigned int line)
{
	gic_set_enabled(line, true);
}

static void gic_mask(unsigned int line)
{
	gic_set_enabled(line, false);
}

static struct irq_chip chip = {
	.unmask = gic_unmask,
	.mask = gic_mask,
};

void arch_irq_init(const struct boot_info *bi)
{
	int err;

	/* boot.c filled timer_hz from the FDT or from CNTFRQ_EL0. */
	counter_hz = bi->timer_hz ? bi->timer_hz : (read_sysreg(cntfrq_el0) & CNTFRQ_MASK);
	if (!bi->irq_controller)
		panic("aarch64: no GIC in the device tree");
	err = gic_init(bi->fdt, bi->irq_controller, bi->irq_controller_base, arch_cpu_id());
	if (err)
		panic("aarch64: cannot start the %s at %#llx: %s", bi->irq_controller,
		      (unsigned long long)bi->irq_controller_base, error_name(err));
	chip.name = gic_name();
	chip.lines = gic_lines() < IRQ_LINES ? gic_lines() : IRQ_LINES;
	irq_set_chip(&chip);
}

/* A secondary CPU's part of the GIC; the timer's and the IPI's lines, private to each
 * CPU, come unmasked on it as they are on the boot CPU (gic_set_enabled records them). */
void arch_irq_init_cpu(void)
{
	int err = gic_init_cpu(arch_cpu_id());

	if (err)
		panic("aarch64: CPU %u (MPIDR %#llx) cannot set up its part of the %s: %s",
		      arch_cpu_index(), (unsigned long long)arch_cpu_id(), gic_name(),
		      error_name(err));
}

/* The FP/SIMD register file (fpsimd.S). */
struct fpsimd_state {
	uint64_t q[32][2];
	uint64_t fpsr, fpcr;
} __attribute__((aligned(16)));

void aarch64_fpsimd_save(struct fpsimd_state *s);
void aarch64_fpsimd_restore(const struct fpsimd_state *s);

/* Entered from aarch64_trap() for an IRQ taken at EL1 on SP_EL1, interrupts masked.
 * The trap frame holds the general registers; irq_exit() may switch threads, and the
 * next thread may use FP/SIMD (in picolibc), so the interrupted thread's FP/SIMD
 * registers are kept here, on its own stack, until it resumes. */
void aarch64_interrupt(struct trap_frame *tf)
{
	struct fpsimd_state fp;

	(void)tf;
	aarch64_fpsimd_save(&fp);
	irq_enter();
	gic_handle_interrupts();
	irq_exit();
	aarch64_fpsimd_restore(&fp);
}

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #%0" ::"i"(DAIFSET_I) : "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #%0" ::"i"(DAIFSET_I) : "memory");
}

void arch_wait_for_interrupt(void)
{
	/* WFI wakes on a pending IRQ even while PSTATE.I masks it (Arm ARM, "Wait for
	 * Interrupt"); it is taken in the window between unmasking and masking again,
	 * the isb making sure the unmask has taken effect first. */
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
	arch_irq_enable();
	isb();
	arch_irq_disable();
}

uint64_t arch_counter(void)
{
	/* Without the isb the read could be done early, ahead of code before it. */
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t arch_counter_hz(void)
{
	return counter_hz;
}

/* The timer's interrupt is level: it stays asserted until CNTV_CVAL_EL0 is moved past
 * the count or the timer is disabled. kernel/time.c's handler reprograms (here) before
 * the GIC's end of interrupt; one that did neither would simply be entered again. */
void arch_timer_program(uint64_t deadline)
{
	if (deadline == UINT64_MAX) {
		write_sysreg(cntv_ctl_el0, 0); /* disabled: the interrupt drops */
	} else {
		/* A deadline already passed asserts the interrupt at once. */
		write_sysreg(cntv_cval_el0, deadline);
		write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	}
	isb(); /* in effect before the caller's end of interrupt or unmask */
}

unsigned int arch_timer_line(void)
{
	return TIMER_VIRTUAL_INTID;
}

void arch_reboot(void)
{
	long err;

	arch_irq_save();
	err = psci_system_reset();
	panic("reboot: PSCI SYSTEM_RESET did not reset the machine (PSCI error %ld)", err);
}

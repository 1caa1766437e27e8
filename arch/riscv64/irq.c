/*
 * riscv64 interrupts: the PLIC's sources for devices and the hart-local supervisor
 * timer (privileged spec 4.1.3, sip/sie), under one line numbering for the portable irq
 * layer: PLIC source n is line n, local cause c is line LOCAL_LINE(c). The timer runs
 * on SBI's TIME extension over the `time` CSR at the FDT's timebase frequency.
 *
 * Several harts: each has its own sie and its own PLIC context. Device lines go to the
 * boot hart's context only; the local lines (timer, software interrupt for IPIs) are
 * unmasked on the calling hart, and a secondary starts with the set the boot hart had.
 */
#include <stdint.h>

#include "arch.h"
#include "boot_info.h"
#include "fdt.h"
#include "irq.h"
#include "kernel.h"
#include "plic.h"
#include "printk.h"
#include "riscv.h"

#define PLIC_MAX_SOURCES  127
#define LOCAL_BASE	  128
#define LOCAL_LINE(cause) (LOCAL_BASE + (cause))
#define CAUSE_S_SOFTWARE  1
#define CAUSE_S_TIMER	  5
#define CAUSE_S_EXTERNAL  9

#define SBI_EXT_TIME	     0x54494d45 /* "TIME" */
#define SBI_EXT_SRST	     0x53525354 /* "SRST" */
#define SBI_SRST_COLD_REBOOT 1

static struct plic plic;
static uint64_t timebase_hz;
/* sie bits of the local lines unmasked so far: what arch_irq_init_cpu() gives a
 * secondary hart. */
static unsigned long local_unmasked;

/* QEMU virt (and most SoCs): two PLIC contexts per hart, M-mode then S-mode. */
static unsigned int s_mode_context(uint64_t hartid)
{
	return 2 * (unsigned int)hartid + 1;
}

static void riscv_unmask(unsigned int line)
{
	if (line >= LOCAL_BASE) {
		__atomic_fetch_or(&local_unmasked, 1ul << (line - LOCAL_BASE), __ATOMIC_RELAXED);
		csr_set(sie, 1ul << (line - LOCAL_BASE));
	} else {
		plic_set_enabled(&plic, line, true);
	}
}

static void riscv_mask(unsigned int line)
{
	if (line >= LOCAL_BASE) {
		__atomic_fetch_and(&local_unmasked, ~(1ul << (line - LOCAL_BASE)),
				   __ATOMIC_RELAXED);
		csr_clear(sie, 1ul << (line - LOCAL_BASE));
	} else {
		plic_set_enabled(&plic, line, false);
	}
}

static struct irq_chip chip = {
	.name = "riscv,plic0 + local",
	.lines = LOCAL_BASE + 16,
	.unmask = riscv_unmask,
	.mask = riscv_mask,
};

void arch_irq_init(const struct boot_info *bi)
{
	struct fdt f;
	int node;

	timebase_hz = bi->timer_hz;
	if (!timebase_hz)
		panic("riscv64: no timebase-frequency in /cpus");
	if (!bi->irq_controller || !bi->irq_controller_base)
		panic("riscv64: no PLIC in the device tree");
	/* The FDT was validated at boot; the PLIC node says how many sources it has. */
	fdt_open(&f, bi->fdt, FDT_MAX_SIZE, NULL);
	node = fdt_find_compatible(&f, -1, bi->irq_controller);
	plic.base = (uintptr_t)bi->irq_controller_base;
	plic.sources = node >= 0 ? fdt_prop_u32(&f, node, "riscv,ndev", 0) : 0;
	if (plic.sources == 0 || plic.sources > PLIC_MAX_SOURCES)
		plic.sources = PLIC_MAX_SOURCES;
	plic.context = s_mode_context(riscv_boot_hartid);
	plic_init(&plic);

	csr_write(sie, 0);
	csr_set(sie, 1ul << CAUSE_S_EXTERNAL); /* the PLIC's output; its sources gate */
	irq_set_chip(&chip);
}

void riscv_interrupt(struct trap_frame *tf)
{
	unsigned long cause = tf->scause & ~SCAUSE_INTERRUPT;
	unsigned int src;

	irq_enter();
	if (cause == CAUSE_S_EXTERNAL) {
		while ((src = plic_claim(&plic)) != 0) {
			irq_dispatch(src);
			plic_complete(&plic, src);
		}
	} else {
		/* SSIP stays pending until cleared (privileged spec 4.1.3): clear it before
		 * the handler reads its requests, so that an IPI sent from here on is taken
		 * again rather than lost. */
		if (cause == CAUSE_S_SOFTWARE)
			csr_clear(sip, SIP_SSIP);
		irq_dispatch(LOCAL_LINE(cause));
	}
	irq_exit();
}

void arch_irq_init_cpu(void)
{
	/* Nothing of the devices reaches this hart: its context gets no source. */
	plic_shut_context(&plic, s_mode_context(arch_cpu_id()));
	csr_write(sie, __atomic_load_n(&local_unmasked, __ATOMIC_RELAXED));
}

void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

void arch_irq_disable(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
}

void arch_wait_for_interrupt(void)
{
	/* wfi wakes on an interrupt enabled in sie even with sstatus.SIE clear; it is
	 * taken once SIE is set, and cleared again on the way out. */
	__asm__ volatile("wfi");
	csr_set(sstatus, SSTATUS_SIE);
	csr_clear(sstatus, SSTATUS_SIE);
}

uint64_t arch_counter(void)
{
	return csr_read(time);
}

uint64_t arch_counter_hz(void)
{
	return timebase_hz;
}

void arch_timer_program(uint64_t deadline)
{
	/* SBI set_timer also clears the pending timer interrupt (SBI spec 6.1). */
	sbi_call(SBI_EXT_TIME, 0, (long)deadline, 0, 0);
}

unsigned int arch_timer_line(void)
{
	return LOCAL_LINE(CAUSE_S_TIMER);
}

unsigned int arch_ipi_line(void)
{
	return LOCAL_LINE(CAUSE_S_SOFTWARE);
}

void arch_reboot(void)
{
	arch_irq_save();
	sbi_call(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0);
	panic("reboot: the SBI firmware has no system reset");
}

/*
 * aarch64 SMP: the arch contract's CPU index, CPU start and IPI hooks. A CPU is started
 * with PSCI CPU_ON (psci.c) at secondary.S, which reads what it needs from a struct
 * aarch64_secondary_boot; the IPI is an SGI (drivers/irq/gic.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "aarch64.h"
#include "arch.h"
#include "errors.h"
#include "gic.h"
#include "kernel.h"
#include "smp.h"

/* The IPI: SGI 0, one of the 16 INTIDs software raises (IHI 0069, "INTIDs"). */
#define IPI_SGI 0

/* What secondary.S loads before any C: the layout is aarch64.h's SECONDARY_BOOT_*. */
struct aarch64_secondary_boot {
	uint64_t stack_top;
	uint64_t tls;
	uint64_t index;
};

_Static_assert(offsetof(struct aarch64_secondary_boot, stack_top) == SECONDARY_BOOT_STACK_TOP,
	       "secondary.S reads the stack top at SECONDARY_BOOT_STACK_TOP");
_Static_assert(offsetof(struct aarch64_secondary_boot, tls) == SECONDARY_BOOT_TLS,
	       "secondary.S reads the TLS pointer at SECONDARY_BOOT_TLS");
_Static_assert(offsetof(struct aarch64_secondary_boot, index) == SECONDARY_BOOT_INDEX,
	       "secondary.S reads the index at SECONDARY_BOOT_INDEX");
_Static_assert(sizeof(struct aarch64_secondary_boot) == SECONDARY_BOOT_SIZE,
	       "struct aarch64_secondary_boot and SECONDARY_BOOT_SIZE disagree");

/* One per index, not one shared: a CPU that comes up late (after smp.c gave up
 * waiting) must still find its own values, not the next CPU's. */
static struct aarch64_secondary_boot secondary_boot[NR_CPUS];

void aarch64_secondary_entry(void);

unsigned int arch_cpu_index(void)
{
	return (unsigned int)read_sysreg(tpidr_el1);
}

int arch_cpu_start(unsigned int index, uint64_t hw_id, uintptr_t stack_top)
{
	struct aarch64_secondary_boot *b;

	if (index == 0 || index >= NR_CPUS)
		panic("arch_cpu_start: index %u out of 1..%d", index, NR_CPUS - 1);
	b = &secondary_boot[index];
	b->stack_top = stack_top;
	/* picolibc's TLS area is the boot CPU's, shared (kernel/tls.c sets up one). */
	b->tls = read_sysreg(tpidr_el0);
	b->index = index;
	/* The new CPU reads b with its caches off (before mmu_on.S): b must be in memory,
	 * not only in this CPU's cache. The clean completes before the firmware call. */
	aarch64_dcache_clean_inval((uintptr_t)b, sizeof(*b));
	return psci_cpu_on(hw_id, (uintptr_t)aarch64_secondary_entry, (uintptr_t)b);
}

void arch_send_ipi(unsigned int index)
{
	int err = gic_send_sgi(index, IPI_SGI);

	if (err)
		panic("IPI to CPU %u: %s (its GIC CPU interface is not set up)", index,
		      error_name(err));
}

unsigned int arch_ipi_line(void)
{
	return IPI_SGI;
}

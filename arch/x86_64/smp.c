/* TEMPORARY STUB: x86_64 SMP bring-up is being written; replace this file. */
#include "arch.h"
#include "errors.h"

unsigned int arch_cpu_index(void)
{
	return 0;
}

int arch_cpu_start(unsigned int index, uint64_t hw_id, uintptr_t stack_top)
{
	(void)index;
	(void)hw_id;
	(void)stack_top;
	return -E_NOTSUP;
}

void arch_irq_init_cpu(void)
{
}

void arch_send_ipi(unsigned int index)
{
	(void)index;
}

unsigned int arch_ipi_line(void)
{
	return 33;
}

/* x86_64 implementations of the arch contract's CPU hooks (kernel/include/arch.h). */
#include "arch.h"
#include "kernel.h"
#include "printk.h"
#include "x86.h"

#ifndef TARGET_EXIT_isa_debug_exit
#error "x86_64 powers off through QEMU's isa-debug-exit: set EXIT and EXIT_PORT in the target"
#endif

const char arch_name[] = "x86_64";

const char *arch_cpu_mode(void)
{
	return "long mode";
}

/* The initial local APIC id: per CPU, and what the ACPI MADT lists (SDM vol. 2A, CPUID
 * leaf 1). */
uint64_t arch_cpu_id(void)
{
	return cpuid(CPUID_FEATURES).ebx >> CPUID1_EBX_APIC_ID_SHIFT;
}

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_rflags();

	cli();
	return flags & RFLAGS_IF;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		sti();
}

void arch_cpu_relax(void)
{
	__asm__ volatile("pause");
}

uint8_t arch_pio_read8(uint16_t port)
{
	return inb(port);
}

void arch_pio_write8(uint16_t port, uint8_t value)
{
	outb(port, value);
}

/*
 * QEMU's isa-debug-exit device ends QEMU with exit status (value << 1) | 1 on a write;
 * the host side (tools/qemu.py) maps that back. Without the device the write goes
 * nowhere: say so rather than hang silently.
 */
void arch_poweroff(int status)
{
	arch_irq_save();
	outb(TARGET_EXIT_PORT, (uint8_t)status);
	pr_emerg("poweroff: no isa-debug-exit device at port %#x (QEMU: -device "
		 "isa-debug-exit,iobase=%#x,iosize=0x04); halting\n",
		 TARGET_EXIT_PORT, TARGET_EXIT_PORT);
	for (;;) {
		cli();
		hlt();
	}
}

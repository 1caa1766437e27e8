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

bool arch_irqs_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
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

/* Reset, the PC ways (tried in order; each resets the machine on QEMU's pc and q35):
 * the 8042 keyboard controller's "pulse reset line" command (it takes commands only
 * while its input buffer is empty), then the chipset's reset control register at 0xcf9
 * (PIIX3/ICH9: a 0->1 transition of RST_CPU with SYS_RST set is a hard reset). */
#define KBC_STATUS	      0x64 /* read: status; write: command */
#define KBC_STATUS_INPUT_FULL 0x02
#define KBC_CMD_PULSE_RESET   0xfe
#define RESET_CONTROL	      0xcf9
#define RST_CNT_SYS_RST	      0x02
#define RST_CNT_RST_CPU	      0x04
#define RESET_WAIT_LOOPS      1000000 /* the bound of each busy-wait, about a few ms */

static void reset_wait(void)
{
	for (int i = 0; i < RESET_WAIT_LOOPS; i++)
		arch_cpu_relax();
}

void arch_reboot(void)
{
	static const struct descriptor_pointer {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = {0, 0};

	arch_irq_save();
	for (int i = 0; i < RESET_WAIT_LOOPS && (inb(KBC_STATUS) & KBC_STATUS_INPUT_FULL); i++)
		arch_cpu_relax();
	outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
	reset_wait();

	outb(RESET_CONTROL, RST_CNT_SYS_RST);
	outb(RESET_CONTROL, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	reset_wait();

	/* Last resort, a triple fault: with an empty IDT the breakpoint cannot be
	 * delivered, nor can the #GP and then the #DF that follow, and the CPU shuts
	 * down (SDM 6.15, interrupt 8), which PC chipsets turn into a reset. Said
	 * beforehand, as nothing can be said after. */
	pr_emerg("reboot: the keyboard controller and port 0xcf9 did not reset; triple "
		 "faulting\n");
	__asm__ volatile("lidt %0; int3" : : "m"(no_idt) : "memory");
	for (;;)
		hlt();
}

/* entry.S identity-maps [0, 4 GiB) with 2 MiB pages; nothing above is mapped yet. */
uint64_t arch_phys_limit(void)
{
	return (uint64_t)BOOT_IDENTITY_GIB << 30;
}

/*
 * x86_64 SMP (kernel/include/arch.h, "SMP"): the per-CPU structs behind the GS base,
 * and starting a CPU with INIT, STARTUP, STARTUP through the local APIC (SDM vol. 3A,
 * "Typical BSP Initialization Sequence", 9.4.4.1 in current editions). The started CPU
 * runs trampoline.S, which brings it to long mode on the boot CPU's page tables and
 * calls x86_secondary_boot() here.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "kernel.h"
#include "ktime.h"
#include "lapic.h"
#include "printk.h"
#include "smp.h"
#include "x86.h"

_Static_assert(offsetof(struct x86_cpu, index) == X86_CPU_INDEX, "x86_cpu layout");
_Static_assert(offsetof(struct x86_cpu, apic_id) == X86_CPU_APIC_ID, "x86_cpu layout");
_Static_assert(offsetof(struct x86_cpu, stack_top) == X86_CPU_STACK_TOP, "x86_cpu layout");
_Static_assert(sizeof(struct x86_cpu) == X86_CPU_SIZE, "x86_cpu size (trampoline.S)");
_Static_assert(X86_TRAMPOLINE_PA % PAGE_SIZE == 0 && X86_TRAMPOLINE_PA < 0x100000,
	       "a STARTUP IPI names a page below 1 MiB");

/* In .bss: zero, so the boot CPU's index is 0 before any C runs (entry.S). */
struct x86_cpu x86_cpus[NR_CPUS];

/* The boot CPU's control registers, for trampoline.S to load on a started CPU. */
uint64_t x86_ap_cr0, x86_ap_cr3, x86_ap_cr4, x86_ap_efer;

extern const char x86_trampoline_start[], x86_trampoline_end[];

/* Was the trampoline page free RAM, and is it now reserved? */
static bool trampoline_reserved;

/* SDM "Typical BSP Initialization Sequence": 10 ms after INIT, 200 us after each
 * STARTUP. */
#define INIT_DELAY_NS	 (10 * NSEC_PER_MSEC)
#define STARTUP_DELAY_NS (200 * 1000)
#define STARTUP_IPIS	 2

unsigned int arch_cpu_index(void)
{
	unsigned int index;

	__asm__ volatile("movl %%gs:%c1, %0" : "=r"(index) : "i"(X86_CPU_INDEX));
	return index;
}

static bool page_in_ram(const struct boot_info *bi, uint64_t pa)
{
	for (unsigned int i = 0; i < bi->mem_count; i++) {
		if (pa >= bi->mem[i].base && pa + PAGE_SIZE <= bi->mem[i].base + bi->mem[i].size)
			return true;
	}
	return false;
}

static bool page_reserved(const struct boot_info *bi, uint64_t pa)
{
	for (unsigned int i = 0; i < bi->reserved_count; i++) {
		if (pa < bi->reserved[i].base + bi->reserved[i].size &&
		    bi->reserved[i].base < pa + PAGE_SIZE)
			return true;
	}
	return false;
}

/* The page must be RAM that neither firmware nor the boot data (the command line) holds;
 * the memory allocator then leaves it alone. Otherwise no CPU can be started, which
 * arch_cpu_start() reports. */
void x86_smp_reserve_trampoline(struct boot_info *bi)
{
	uint64_t pa = X86_TRAMPOLINE_PA;

	if (!page_in_ram(bi, pa)) {
		pr_warn("x86_64: the SMP start-up page %#lx is not RAM in the memory map\n", pa);
		return;
	}
	if (page_reserved(bi, pa)) {
		pr_warn("x86_64: the SMP start-up page %#lx is already in use (reserved)\n", pa);
		return;
	}
	if (boot_info_add_reserved(bi, pa, PAGE_SIZE) < 0) {
		pr_warn("x86_64: no room to reserve the SMP start-up page %#lx\n", pa);
		return;
	}
	trampoline_reserved = true;
}

/* What trampoline.S needs from the boot CPU, read once its page tables are live
 * (arch_mmu_init runs before any CPU starts): CR3, EFER with NXE, CR0 with WP. The
 * trampoline loads CR3 and EFER in 32-bit mode, so the root must lie below 4 GiB
 * (mmu.c allocates it there); it turns paging on while running from the image's text,
 * which the new tables map executable. */
static int prepare_trampoline(void)
{
	size_t size = (size_t)(x86_trampoline_end - x86_trampoline_start);

	if (!trampoline_reserved) {
		pr_err("x86_64: no start-up page below 1 MiB (see the warning at boot)\n");
		return -E_NODEV;
	}
	x86_ap_cr3 = read_cr(3);
	if (x86_ap_cr3 > UINT32_MAX) {
		pr_err("x86_64: page tables at %#lx: a starting CPU can only load CR3 below 4 "
		       "GiB\n",
		       x86_ap_cr3);
		return -E_NOTSUP;
	}
	x86_ap_cr0 = read_cr(0);
	x86_ap_cr4 = read_cr(4);
	x86_ap_efer = rdmsr(MSR_EFER) & ~EFER_LMA;
	memcpy((void *)(uintptr_t)X86_TRAMPOLINE_PA, x86_trampoline_start, size);
	return 0;
}

static int send_init_startup(uint32_t apic_id)
{
	unsigned long flags;
	int err;

	flags = arch_irq_save();
	err = lapic_send_init(apic_id);
	arch_irq_restore(flags);
	if (err)
		return err;
	delay_ns(INIT_DELAY_NS);
	/* A CPU already running ignores the second STARTUP (it only acts in the
	 * wait-for-SIPI state); the SDM sends two for one that missed the first. */
	for (int i = 0; i < STARTUP_IPIS; i++) {
		flags = arch_irq_save();
		err = lapic_send_startup(apic_id, X86_TRAMPOLINE_PA >> 12);
		arch_irq_restore(flags);
		if (err)
			return err;
		delay_ns(STARTUP_DELAY_NS);
	}
	return 0;
}

int arch_cpu_start(unsigned int index, uint64_t hw_id, uintptr_t stack_top)
{
	struct x86_cpu *c;
	int err;

	if (index == 0 || index >= NR_CPUS) {
		pr_err("x86_64: CPU index %u out of range 1..%d\n", index, NR_CPUS - 1);
		return -E_INVAL;
	}
	if (!(cpuid(CPUID_FEATURES).edx & CPUID1_EDX_APIC) || !lapic_ready()) {
		pr_err("x86_64: no local APIC to send the start-up IPIs with\n");
		return -E_NODEV;
	}
	if (hw_id > LAPIC_MAX_XAPIC_ID) {
		pr_err("x86_64: APIC id %lu is beyond the xAPIC's 8-bit destinations (0-%u); "
		       "x2APIC mode is not supported\n",
		       hw_id, LAPIC_MAX_XAPIC_ID);
		return -E_INVAL;
	}
	if (stack_top % 16) {
		pr_err("x86_64: stack top %#lx is not 16-byte aligned\n", stack_top);
		return -E_INVAL;
	}
	err = prepare_trampoline();
	if (err)
		return err;

	/* The handover slot: the APIC id first, the stack last (it marks the slot as
	 * filled for trampoline.S, which reads them in the other order). */
	c = &x86_cpus[index];
	c->index = index;
	c->apic_id = (uint32_t)hw_id;
	__atomic_store_n(&c->stack_top, stack_top, __ATOMIC_RELEASE);

	err = send_init_startup((uint32_t)hw_id);
	if (err) {
		/* Its stack goes back to the allocator: a CPU that still arrives finds no
		 * slot and stays parked. */
		__atomic_store_n(&c->stack_top, 0, __ATOMIC_RELEASE);
		pr_err("x86_64: start-up IPIs to APIC id %lu not delivered: %s\n", hw_id,
		       error_name(err));
		return err;
	}
	return 0;
}

/* From trampoline.S, on the new CPU: long mode, its GS base and stack, interrupts off. */
void x86_secondary_boot(struct x86_cpu *c)
{
	x86_trap_init_cpu(c);
	smp_secondary_main(c->index);
}

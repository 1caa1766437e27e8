/*
 * x86_64 interrupts: the local APIC (per CPU: timer, EOI) and the IOAPICs (device pins),
 * with the legacy 8259 PICs silenced, under one line numbering for the portable irq
 * layer. The ACPI MADT says where the controllers are and how ISA IRQs reach GSIs.
 *
 *   line 0..31   GSI n (an IOAPIC pin), vector 0x30 + n
 *   line 32      local APIC timer,      vector 0xe0
 *   line 33      local APIC spurious,   vector 0xff (never requested: reported as spurious)
 *   line 34      IPI,                   vector 0xf0 (sent by arch_send_ipi)
 *
 * A vector's priority class is its upper four bits (SDM 11.8.3): the timer outranks
 * devices, the IPI the timer. Vectors 0x20..0x2f belong to the masked PICs; nothing
 * else uses them. The timer and the IPI are each CPU's own (its local APIC); device
 * GSIs are all routed to the boot CPU.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "boot_info.h"
#include "errors.h"
#include "ioapic.h"
#include "irq.h"
#include "lapic.h"
#include "pic8259.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "x86.h"

#define GSI_LINES     32
#define LINE_TIMER    32
#define LINE_SPURIOUS 33
#define LINE_IPI      34
#define NR_LINES      35

#define VECTOR_PIC_MASTER 0x20
#define VECTOR_PIC_SLAVE  0x28
#define VECTOR_GSI_BASE	  0x30
#define VECTOR_TIMER	  0xe0
#define VECTOR_IPI	  0xf0
#define VECTOR_SPURIOUS	  0xff

/* The standard PC layout (what QEMU's pc and q35 also describe in their MADT). */
#define PC_LAPIC_BASE  0xfee00000
#define PC_IOAPIC_BASE 0xfec00000
#define PC_TIMER_IRQ   0 /* the PIT: ISA IRQ 0, wired to IOAPIC pin 2 */
#define PC_TIMER_GSI   2
#define COM1_ISA_IRQ   4

/* Lines <-> vectors, in runs. */
static const struct {
	unsigned int line, count;
	unsigned int vector;
} line_vectors[] = {
	{0, GSI_LINES, VECTOR_GSI_BASE},
	{LINE_TIMER, 1, VECTOR_TIMER},
	{LINE_SPURIOUS, 1, VECTOR_SPURIOUS},
	{LINE_IPI, 1, VECTOR_IPI},
};

static int vector_to_line(unsigned int vector)
{
	for (size_t i = 0; i < ARRAY_SIZE(line_vectors); i++) {
		if (vector >= line_vectors[i].vector &&
		    vector < line_vectors[i].vector + line_vectors[i].count)
			return (int)(line_vectors[i].line + vector - line_vectors[i].vector);
	}
	return -1;
}

static unsigned int line_to_vector(unsigned int line)
{
	for (size_t i = 0; i < ARRAY_SIZE(line_vectors); i++) {
		if (line >= line_vectors[i].line &&
		    line < line_vectors[i].line + line_vectors[i].count)
			return line_vectors[i].vector + line - line_vectors[i].line;
	}
	return 0;
}

static struct madt_info madt;
static struct ioapic ioapics[MADT_MAX_IOAPICS];
static unsigned int ioapic_count;
/* An IOAPIC is programmed through an index and a data register: one CPU at a time. */
static struct spinlock ioapic_lock = SPINLOCK_INIT;
/* Whether the timer line is unmasked, as last asked: the state a CPU that comes online
 * gives its own timer (masking acts on the calling CPU's local APIC only). */
static bool timer_unmasked;

/* When there is no usable MADT: one CPU, the APICs at their usual addresses, the PIT's
 * IRQ 0 on GSI 2 and the other ISA IRQs on their own numbers. */
static void madt_pc_defaults(struct madt_info *m)
{
	*m = (struct madt_info){
		.lapic_base = PC_LAPIC_BASE,
		.pcat_compat = true,
		.ioapic = {{.id = 0, .base = PC_IOAPIC_BASE, .gsi_base = 0}},
		.ioapic_count = 1,
	};
	for (unsigned int irq = 0; irq < ISA_IRQS; irq++)
		m->isa[irq].gsi = irq;
	m->isa[PC_TIMER_IRQ].gsi = PC_TIMER_GSI;
}

/* The IOAPIC pin of gsi, or NULL when no IOAPIC has it. Before arch_irq_init() the
 * pin counts are unknown and every GSI from a gsi_base on counts as present. */
static const struct ioapic *gsi_ioapic(unsigned int gsi)
{
	for (unsigned int i = 0; i < ioapic_count; i++) {
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins)
			return &ioapics[i];
	}
	return NULL;
}

/* Polarity and trigger of gsi: an ISA IRQ's (edge, active high, unless the MADT's
 * override says otherwise), else PCI's convention, level and active low (ACPI 6.5
 * 5.2.12.5: GSIs that no ISA IRQ reaches are not ISA). */
static unsigned int gsi_flags(unsigned int gsi)
{
	for (unsigned int irq = 0; irq < ISA_IRQS; irq++) {
		unsigned int flags = 0;

		if (madt.isa[irq].gsi != gsi)
			continue;
		if ((madt.isa[irq].flags & MPS_POLARITY_MASK) == MPS_POLARITY_LOW)
			flags |= IOAPIC_ACTIVE_LOW;
		if ((madt.isa[irq].flags & MPS_TRIGGER_MASK) == MPS_TRIGGER_LEVEL)
			flags |= IOAPIC_LEVEL;
		return flags;
	}
	return IOAPIC_ACTIVE_LOW | IOAPIC_LEVEL;
}

static bool cpu_listed(const struct boot_info *bi, uint64_t id)
{
	for (unsigned int i = 0; i < bi->cpu_count; i++) {
		if (bi->cpu_ids[i] == id)
			return true;
	}
	return false;
}

void x86_irq_describe(struct boot_info *bi)
{
	unsigned int com1_gsi;

	if (acpi_read_madt(bi->acpi_rsdp, &madt) < 0) {
		pr_warn("x86_64: no usable ACPI MADT: assuming the standard PC layout (one CPU, "
			"local APIC at %#x, IOAPIC at %#x, ISA IRQ 0 on GSI 2)\n",
			PC_LAPIC_BASE, PC_IOAPIC_BASE);
		madt_pc_defaults(&madt);
	}
	for (unsigned int i = 0; i < madt.ioapic_count; i++) {
		ioapics[i].base = (uintptr_t)madt.ioapic[i].base;
		ioapics[i].gsi_base = madt.ioapic[i].gsi_base;
		ioapics[i].pins = GSI_LINES; /* until ioapic_init() reads the real count */
	}
	ioapic_count = madt.ioapic_count;

	/* The CPUs in MADT order (firmware lists the boot CPU first, ACPI 6.5 5.2.12.1),
	 * and the boot CPU in any case. */
	bi->boot_cpu_id = arch_cpu_id();
	bi->cpu_count = 0;
	for (unsigned int i = 0; i < madt.cpu_count && i < BOOT_MAX_CPUS; i++)
		bi->cpu_ids[bi->cpu_count++] = madt.cpu_apic_ids[i];
	if (madt.cpu_count > BOOT_MAX_CPUS)
		pr_warn("x86_64: the MADT lists %u CPUs, using the first %d\n", madt.cpu_count,
			BOOT_MAX_CPUS);
	if (!cpu_listed(bi, bi->boot_cpu_id)) {
		if (madt.cpu_count)
			pr_warn("x86_64: the boot CPU (APIC id %lu) is not in the MADT\n",
				bi->boot_cpu_id);
		if (bi->cpu_count == BOOT_MAX_CPUS)
			bi->cpu_count--;
		bi->cpu_ids[bi->cpu_count++] = bi->boot_cpu_id;
	}

	if (ioapic_count == 0) {
		pr_warn("x86_64: the MADT lists no IOAPIC: device interrupts are off\n");
		return;
	}
	bi->irq_controller = "IOAPIC";
	bi->irq_controller_base = madt.ioapic[0].base;
	com1_gsi = madt.isa[COM1_ISA_IRQ].gsi;
	if (com1_gsi < GSI_LINES && gsi_ioapic(com1_gsi))
		bi->console.irq = (int32_t)com1_gsi;
	else
		pr_warn("x86_64: COM1's IRQ 4 is on GSI %u, which has no line\n", com1_gsi);
}

static void gsi_set_masked(const struct ioapic *io, unsigned int gsi, bool masked)
{
	unsigned long flags = spin_lock_irqsave(&ioapic_lock);

	ioapic_set_masked(io, gsi - io->gsi_base, masked);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

/* The IPI line has nothing to unmask or mask: a fixed IPI is always delivered (only
 * the task priority could hold it back, and that stays 0). */
static void x86_unmask(unsigned int line)
{
	const struct ioapic *io;

	if (line == LINE_TIMER) {
		__atomic_store_n(&timer_unmasked, true, __ATOMIC_RELAXED);
		lapic_timer_set_masked(false);
	} else if (line < GSI_LINES) {
		io = gsi_ioapic(line);
		if (io)
			gsi_set_masked(io, line, false);
		else
			pr_warn("x86_64: GSI %u is on no IOAPIC: it cannot interrupt\n", line);
	}
}

static void x86_mask(unsigned int line)
{
	const struct ioapic *io;

	if (line == LINE_TIMER) {
		__atomic_store_n(&timer_unmasked, false, __ATOMIC_RELAXED);
		lapic_timer_set_masked(true);
	} else if (line < GSI_LINES) {
		io = gsi_ioapic(line);
		if (io)
			gsi_set_masked(io, line, true);
	}
}

static const struct irq_chip chip = {
	.name = "IOAPIC + local APIC",
	.lines = NR_LINES,
	.unmask = x86_unmask,
	.mask = x86_mask,
};

/* The local APIC must be globally enabled, in xAPIC (MMIO) mode, where the MADT says it
 * is. Leaving x2APIC mode takes a detour through "disabled": x2APIC -> xAPIC directly is
 * an invalid transition (SDM 11.12.5, "x2APIC State Transitions"). */
static void lapic_enable_xapic(void)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	if (msr & APIC_BASE_X2APIC) {
		msr &= ~(APIC_BASE_X2APIC | APIC_BASE_ENABLE);
		wrmsr(MSR_APIC_BASE, msr);
	}
	if (!(msr & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_ENABLE);
	if ((msr & APIC_BASE_ADDR_MASK) != madt.lapic_base)
		pr_warn("x86_64: IA32_APIC_BASE says the local APIC is at %#lx, the MADT %#lx; "
			"using the MADT's\n",
			msr & APIC_BASE_ADDR_MASK, madt.lapic_base);
}

void arch_irq_init(const struct boot_info *bi)
{
	uint8_t apic_id;

	/* The MADT says whether the 8259s exist; without a MADT, as on any PC, they do. */
	if (madt.pcat_compat)
		pic8259_disable(VECTOR_PIC_MASTER, VECTOR_PIC_SLAVE);
	lapic_enable_xapic();
	lapic_init((uintptr_t)madt.lapic_base, VECTOR_SPURIOUS);
	apic_id = (uint8_t)lapic_id();

	/* Every pin that has a line is routed to this CPU now, masked: unmasking a line
	 * is then only the entry's mask bit. */
	for (unsigned int i = 0; i < ioapic_count; i++) {
		struct ioapic *io = &ioapics[i];

		ioapic_init(io);
		for (unsigned int pin = 0; pin < io->pins; pin++) {
			unsigned int gsi = io->gsi_base + pin;

			if (gsi < GSI_LINES)
				ioapic_route(io, pin, (uint8_t)line_to_vector(gsi), apic_id,
					     gsi_flags(gsi));
		}
		pr_info("x86_64: IOAPIC id %u at %#lx: GSI %u-%u\n", ioapic_id(io),
			(unsigned long)io->base, io->gsi_base, io->gsi_base + io->pins - 1);
	}
	pr_info("x86_64: local APIC id %u at %#lx (version %#x), 8259 PICs %s\n", apic_id,
		madt.lapic_base, lapic_version() & 0xff, madt.pcat_compat ? "masked" : "absent");

	x86_timer_init(VECTOR_TIMER, bi->acpi_rsdp);
	irq_set_chip(&chip);
}

/* From x86_trap() for vectors 32..255, interrupts off. */
void x86_interrupt(struct trap_frame *tf)
{
	unsigned int vector = (unsigned int)tf->vector;
	int line = vector_to_line(vector);

	irq_enter();
	if (line >= 0)
		irq_dispatch((unsigned int)line);
	else
		pr_warn("x86_64: interrupt on vector %#x, which no line uses\n", vector);
	/* End what the local APIC delivered, and only that: the spurious vector is never
	 * put in service (SDM 11.9), nor is a vector raised by an `int` instruction, and an
	 * EOI for them would end some other interrupt. */
	if (vector != VECTOR_SPURIOUS && lapic_in_service((uint8_t)vector))
		lapic_eoi();
	irq_exit();
}

unsigned int arch_timer_line(void)
{
	return LINE_TIMER;
}

/* A secondary CPU's local APIC as the boot CPU's: enabled the same way, timer in the
 * same mode on the same vector (and unmasked if the boot CPU's is). Its IPI needs
 * nothing more. The IOAPIC pins stay routed to the boot CPU. */
void arch_irq_init_cpu(void)
{
	lapic_enable_xapic();
	lapic_init_cpu(VECTOR_SPURIOUS);
	x86_timer_init_cpu(VECTOR_TIMER);
	if (__atomic_load_n(&timer_unmasked, __ATOMIC_RELAXED))
		lapic_timer_set_masked(false);
}

unsigned int arch_ipi_line(void)
{
	return LINE_IPI;
}

void arch_send_ipi(unsigned int index)
{
	uint64_t apic_id = smp_cpu_hw_id(index);
	unsigned long flags;
	int err = -E_RANGE; /* arch_cpu_start() refused such a CPU: it is never online */

	if (apic_id <= LAPIC_MAX_XAPIC_ID) {
		flags = arch_irq_save();
		err = lapic_send_ipi((uint32_t)apic_id, VECTOR_IPI);
		arch_irq_restore(flags);
	}
	if (err)
		pr_err("x86_64: IPI to CPU %u (APIC id %lu) not sent: %s\n", index, apic_id,
		       error_name(err));
}

void arch_irq_enable(void)
{
	sti();
}

void arch_irq_disable(void)
{
	cli();
}

/* sti delays interrupt recognition until after the next instruction (SDM vol. 2B, STI),
 * so nothing can be taken between sti and hlt: an interrupt that is already pending
 * wakes the hlt at once, and its handler runs before cli. */
void arch_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

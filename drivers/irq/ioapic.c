/*
 * x86 I/O APIC (Intel 82093AA datasheet, 3.0 "Register Descriptions"): two memory-mapped
 * registers, IOREGSEL to pick an internal register and IOWIN to access it. Each input
 * pin has a 64-bit redirection entry: which vector goes to which local APIC, how the pin
 * signals, and a mask bit, which is all the masking there is.
 */
#include "arch.h"
#include "ioapic.h"
#include "mmio.h"

#define IOREGSEL 0x00
#define IOWIN	 0x10

#define IOAPICID	   0x00 /* bits 27:24 */
#define IOAPICVER	   0x01 /* bits 23:16: number of pins - 1 */
#define IOREDTBL_LOW(pin)  (0x10 + 2 * (pin))
#define IOREDTBL_HIGH(pin) (0x11 + 2 * (pin))

#define ID_SHIFT	 24
#define ID_MASK		 0xf
#define VER_MAX_ENTRY(v) (((v) >> 16) & 0xff)

/* Redirection entry, low word (datasheet 3.2.4): vector 7:0, delivery mode 10:8 (0 =
 * fixed), destination mode 11 (0 = physical APIC id), polarity 13, trigger 15, mask 16.
 * High word: destination APIC id in bits 31:24. */
#define REDIR_ACTIVE_LOW (1u << 13)
#define REDIR_LEVEL	 (1u << 15)
#define REDIR_MASKED	 (1u << 16)
#define REDIR_DEST_SHIFT 24

static uint32_t ioapic_read(const struct ioapic *io, uint32_t reg)
{
	mmio_write32(io->base + IOREGSEL, reg);
	return mmio_read32(io->base + IOWIN);
}

static void ioapic_write(const struct ioapic *io, uint32_t reg, uint32_t v)
{
	mmio_write32(io->base + IOREGSEL, reg);
	mmio_write32(io->base + IOWIN, v);
}

void ioapic_init(struct ioapic *io)
{
	io->pins = VER_MAX_ENTRY(ioapic_read(io, IOAPICVER)) + 1;
	for (unsigned int pin = 0; pin < io->pins; pin++)
		ioapic_write(io, IOREDTBL_LOW(pin), REDIR_MASKED);
}

uint32_t ioapic_id(const struct ioapic *io)
{
	return (ioapic_read(io, IOAPICID) >> ID_SHIFT) & ID_MASK;
}

void ioapic_route(const struct ioapic *io, unsigned int pin, uint8_t vector, uint8_t dest,
		  unsigned int flags)
{
	uint32_t low = REDIR_MASKED | vector;
	unsigned long irq_flags;

	if (pin >= io->pins)
		return;
	if (flags & IOAPIC_ACTIVE_LOW)
		low |= REDIR_ACTIVE_LOW;
	if (flags & IOAPIC_LEVEL)
		low |= REDIR_LEVEL;
	/* The select-then-access pair must not be split by an interrupt that uses it. */
	irq_flags = arch_irq_save();
	ioapic_write(io, IOREDTBL_LOW(pin), REDIR_MASKED); /* masked while half-written */
	ioapic_write(io, IOREDTBL_HIGH(pin), (uint32_t)dest << REDIR_DEST_SHIFT);
	ioapic_write(io, IOREDTBL_LOW(pin), low);
	arch_irq_restore(irq_flags);
}

void ioapic_set_masked(const struct ioapic *io, unsigned int pin, bool masked)
{
	unsigned long irq_flags;
	uint32_t low;

	if (pin >= io->pins)
		return;
	irq_flags = arch_irq_save();
	low = ioapic_read(io, IOREDTBL_LOW(pin));
	ioapic_write(io, IOREDTBL_LOW(pin), masked ? low | REDIR_MASKED : low & ~REDIR_MASKED);
	arch_irq_restore(irq_flags);
}

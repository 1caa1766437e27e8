/* x86 I/O APIC (Intel 82093AA I/O Advanced Programmable Interrupt Controller datasheet):
 * routes its input pins, which are global system interrupts gsi_base.., to local APICs. */
#ifndef IOAPIC_H
#define IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct ioapic {
	uintptr_t base;
	unsigned int gsi_base; /* the GSI of pin 0 (ACPI MADT) */
	unsigned int pins;     /* redirection entries; ioapic_init() reads it */
};

/* Pin polarity and trigger for ioapic_route(). */
#define IOAPIC_ACTIVE_LOW (1u << 0)
#define IOAPIC_LEVEL	  (1u << 1)

/* Read the number of pins and mask every one. */
void ioapic_init(struct ioapic *io);
uint32_t ioapic_id(const struct ioapic *io);
/* Send pin as fixed-delivery vector to the local APIC with id dest (physical mode),
 * with flags (IOAPIC_*); the pin is left masked. */
void ioapic_route(const struct ioapic *io, unsigned int pin, uint8_t vector, uint8_t dest,
		  unsigned int flags);
void ioapic_set_masked(const struct ioapic *io, unsigned int pin, bool masked);

#endif

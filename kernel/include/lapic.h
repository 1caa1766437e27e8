/* x86 local APIC in xAPIC (MMIO) mode (Intel SDM vol. 3A chapter 11, "Advanced
 * Programmable Interrupt Controller"). Every CPU reaches its own local APIC at the same
 * address, so the driver keeps that one address. */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Software-enable the local APIC at base (already globally enabled in IA32_APIC_BASE)
 * with spurious_vector, accept every priority (TPR 0), mask the LVT entries the kernel
 * does not use, and end any interrupt that firmware left in service. */
void lapic_init(uintptr_t base, uint8_t spurious_vector);
uint32_t lapic_id(void);
uint32_t lapic_version(void); /* version register: version 7:0, max LVT entry 23:16 */

/* End of interrupt: retires the highest-priority in-service vector. */
void lapic_eoi(void);
/* Is vector in service (delivered by the local APIC and not yet ended)? */
bool lapic_in_service(uint8_t vector);

/* The timer (SDM 11.5.4): one-shot counting down at the bus clock / 16, or TSC-deadline
 * mode (armed through IA32_TSC_DEADLINE, which the arch writes). Set up masked. */
void lapic_timer_init(uint8_t vector, bool tsc_deadline);
void lapic_timer_set_masked(bool masked);
/* One-shot mode: (re)start the count down from count; 0 stops the timer. */
void lapic_timer_start(uint32_t count);
uint32_t lapic_timer_current(void);

#endif

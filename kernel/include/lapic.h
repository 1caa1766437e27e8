/* x86 local APIC in xAPIC (MMIO) mode (Intel SDM vol. 3A chapter 11, "Advanced
 * Programmable Interrupt Controller"). Every CPU reaches its own local APIC at the same
 * address, so the driver keeps that one address. */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Software-enable the local APIC at base (already globally enabled in IA32_APIC_BASE)
 * with spurious_vector, accept every priority (TPR 0), mask the LVT entries the kernel
 * does not use, and end any interrupt that firmware left in service. On the boot CPU. */
void lapic_init(uintptr_t base, uint8_t spurious_vector);
/* The same for the calling CPU's local APIC, after lapic_init() on the boot CPU. */
void lapic_init_cpu(uint8_t spurious_vector);
/* Has lapic_init() run? */
bool lapic_ready(void);
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

/* Inter-processor interrupts (SDM 11.6), to one CPU named by its APIC id (physical
 * destination mode). xAPIC destinations are 8 bits and 0xff means every CPU, so ids
 * above LAPIC_MAX_XAPIC_ID cannot be named: -E_RANGE. Call with interrupts off (the
 * command register is written in two halves). 0, or -E_TIMEDOUT when the local APIC
 * still had the previous IPI pending after a millisecond. */
#define LAPIC_MAX_XAPIC_ID 0xfe
/* A fixed interrupt on vector. */
int lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* INIT (the target resets and waits for a STARTUP) and STARTUP (it starts in real mode
 * at page << 12, CS = page << 8, IP = 0): SDM 9.4, "MP Initialization". */
int lapic_send_init(uint32_t apic_id);
int lapic_send_startup(uint32_t apic_id, uint8_t page);

#endif

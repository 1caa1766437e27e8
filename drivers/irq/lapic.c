/*
 * x86 local APIC, xAPIC mode: 32-bit registers at 16-byte strides in a 4 KiB page
 * (Intel SDM vol. 3A 11.4.1, table 11-1; the APIC chapter is 10 in older editions).
 * Enabling it, EOI, the in-service test, the timer, and inter-processor interrupts.
 * Every CPU sees its own local APIC at the same address: the functions act on the
 * calling CPU's.
 */
#include "errors.h"
#include "ktime.h"
#include "lapic.h"
#include "mmio.h"

#define LAPIC_ID	    0x020 /* bits 31:24 */
#define LAPIC_VERSION	    0x030
#define LAPIC_TPR	    0x080 /* task priority */
#define LAPIC_EOI	    0x0b0
#define LAPIC_SVR	    0x0f0		 /* spurious-interrupt vector register */
#define LAPIC_ISR(n)	    (0x100 + 0x10 * (n)) /* in service, vectors 32n..32n+31 */
#define LAPIC_LVT_CMCI	    0x2f0
#define LAPIC_ICR_LOW	    0x300 /* writing it sends the IPI */
#define LAPIC_ICR_HIGH	    0x310 /* destination, bits 31:24 */
#define LAPIC_LVT_TIMER	    0x320
#define LAPIC_LVT_THERMAL   0x330
#define LAPIC_LVT_PERF	    0x340
#define LAPIC_LVT_LINT0	    0x350
#define LAPIC_LVT_ERROR	    0x370
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3e0

#define ID_SHIFT	   24
#define VERSION_MAX_LVT(v) (((v) >> 16) & 0xff) /* number of LVT entries - 1 */
#define ISR_REGISTERS	   8

/* SVR (SDM 11.9, figure 11-23): bits 7:0 the spurious vector, bit 8 software enable. */
#define SVR_ENABLE (1u << 8)

/* LVT entries (SDM 11.5.1, figure 11-8): vector 7:0, mask bit 16, timer mode 18:17. */
#define LVT_MASKED	       (1u << 16)
#define LVT_TIMER_ONE_SHOT     (0u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)

/* Interrupt command register (SDM 11.6.1, figure 11-12): vector 7:0, delivery mode
 * 10:8, destination mode bit 11 (0: physical, an APIC id), delivery status bit 12 (1:
 * the previous IPI is not sent yet), level bit 14 (1: assert; INIT "de-assert" is for
 * the 82489DX only), trigger bit 15 (0: edge), destination 63:56 (ICR_HIGH 31:24). */
#define ICR_FIXED	 (0u << 8)
#define ICR_INIT	 (5u << 8)
#define ICR_STARTUP	 (6u << 8)
#define ICR_PHYSICAL	 (0u << 11)
#define ICR_SEND_PENDING (1u << 12)
#define ICR_ASSERT	 (1u << 14)
#define ICR_EDGE	 (0u << 15)
#define ICR_DEST_SHIFT	 24
#define ICR_IDLE_WAIT_NS (1000 * 1000) /* a sent IPI takes well under a microsecond */

/* Divide configuration (SDM 11.5.4, figure 11-10): bits 3,1:0 = 0b0011 is "divide by
 * 16". The bus clock is 1 GHz under QEMU, so the timer counts at 62.5 MHz there. */
#define TIMER_DIVIDE_BY_16 0x3

static uintptr_t lapic_base;

static uint32_t lapic_read(unsigned int reg)
{
	return mmio_read32(lapic_base + reg);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
	mmio_write32(lapic_base + reg, v);
}

static bool any_in_service(void)
{
	for (unsigned int n = 0; n < ISR_REGISTERS; n++) {
		if (lapic_read(LAPIC_ISR(n)))
			return true;
	}
	return false;
}

void lapic_init(uintptr_t base, uint8_t spurious_vector)
{
	lapic_base = base;
	lapic_init_cpu(spurious_vector);
}

bool lapic_ready(void)
{
	return lapic_base != 0;
}

void lapic_init_cpu(uint8_t spurious_vector)
{
	uint32_t max_lvt = VERSION_MAX_LVT(lapic_read(LAPIC_VERSION));

	lapic_write(LAPIC_SVR, SVR_ENABLE | spurious_vector);

	/* Reset masks every LVT entry (SDM 11.4.7.1), but firmware may have used some.
	 * LINT0 is where the 8259 would arrive (virtual wire mode); LINT1 stays as firmware
	 * set it, normally NMI. Entries past max_lvt do not exist. */
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	if (max_lvt >= 4)
		lapic_write(LAPIC_LVT_PERF, LVT_MASKED);
	if (max_lvt >= 5)
		lapic_write(LAPIC_LVT_THERMAL, LVT_MASKED);
	if (max_lvt >= 6)
		lapic_write(LAPIC_LVT_CMCI, LVT_MASKED);

	/* Priority 0: deliver every vector class (SDM 11.8.3.1). */
	lapic_write(LAPIC_TPR, 0);

	/* A boot loader that jumped here from an interrupt handler leaves its vector in
	 * service, which would hold back every vector of lower or equal priority. Each
	 * EOI retires one (SDM 11.8.5). */
	for (unsigned int i = 0; i < ISR_REGISTERS * 32 && any_in_service(); i++)
		lapic_eoi();
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> ID_SHIFT;
}

uint32_t lapic_version(void)
{
	return lapic_read(LAPIC_VERSION);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

bool lapic_in_service(uint8_t vector)
{
	return lapic_read(LAPIC_ISR(vector / 32)) & (1u << (vector % 32));
}

void lapic_timer_init(uint8_t vector, bool tsc_deadline)
{
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER,
		    LVT_MASKED | vector |
			    (tsc_deadline ? LVT_TIMER_TSC_DEADLINE : LVT_TIMER_ONE_SHOT));
}

void lapic_timer_set_masked(bool masked)
{
	uint32_t lvt = lapic_read(LAPIC_LVT_TIMER);

	lapic_write(LAPIC_LVT_TIMER, masked ? lvt | LVT_MASKED : lvt & ~LVT_MASKED);
}

void lapic_timer_start(uint32_t count)
{
	lapic_write(LAPIC_TIMER_INITIAL, count);
}

uint32_t lapic_timer_current(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT);
}

/* Wait (bounded) until the ICR has sent what it was last given. */
static int icr_wait_idle(void)
{
	uint64_t deadline = time_now_ns() + ICR_IDLE_WAIT_NS;

	while (lapic_read(LAPIC_ICR_LOW) & ICR_SEND_PENDING) {
		if (time_now_ns() > deadline)
			return -E_TIMEDOUT;
	}
	return 0;
}

/* The destination first: writing the low half sends (SDM 11.6.1). The caller has
 * interrupts off, so no handler on this CPU writes the ICR between the two halves. */
static int icr_send(uint32_t apic_id, uint32_t command)
{
	int err = icr_wait_idle();

	if (err)
		return err;
	lapic_write(LAPIC_ICR_HIGH, apic_id << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, command);
	return icr_wait_idle();
}

int lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	if (apic_id > LAPIC_MAX_XAPIC_ID)
		return -E_RANGE;
	return icr_send(apic_id, ICR_FIXED | ICR_PHYSICAL | ICR_ASSERT | ICR_EDGE | vector);
}

int lapic_send_init(uint32_t apic_id)
{
	if (apic_id > LAPIC_MAX_XAPIC_ID)
		return -E_RANGE;
	return icr_send(apic_id, ICR_INIT | ICR_PHYSICAL | ICR_ASSERT | ICR_EDGE);
}

int lapic_send_startup(uint32_t apic_id, uint8_t page)
{
	if (apic_id > LAPIC_MAX_XAPIC_ID)
		return -E_RANGE;
	return icr_send(apic_id, ICR_STARTUP | ICR_PHYSICAL | ICR_ASSERT | ICR_EDGE | page);
}

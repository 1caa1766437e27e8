/*
 * x86_64 time: the TSC is the kernel's counter, the local APIC timer raises its one-shot
 * events. Neither announces its rate here (QEMU's TCG has no CPUID leaf 0x15), so both
 * are measured at boot against a clock of known rate: the HPET, or else the PIT. Under
 * emulation a single reading can be badly delayed (a 10 ms PIT window once came out
 * 25-32% long), so every reading is bracketed by TSC reads and the tightest of a few is
 * kept, and the rate is the median of several windows, with their spread in the log.
 *
 * The timer uses TSC-deadline mode when the CPU has it (CPUID.1:ECX[24]): the deadline
 * is written in TSC ticks as it is. Otherwise it counts down in one-shot mode, and a
 * deadline becomes a count through the measured ratio of the two clocks.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "kernel.h"
#include "lapic.h"
#include "mmio.h"
#include "printk.h"
#include "x86.h"

/* 8254 PIT (Intel 8254 datasheet, "Control Word Format"), channel 2, whose gate and
 * output are wired to the PC/AT system control port B rather than to an interrupt. */
#define PIT_HZ		 1193182
#define PIT_CH2_DATA	 0x42
#define PIT_CONTROL	 0x43
#define PIT_SELECT_CH2	 (2 << 6)
#define PIT_LATCH	 (0 << 4) /* counter latch command */
#define PIT_ACCESS_LOHI	 (3 << 4) /* low byte, then high byte */
#define PIT_MODE_0	 (0 << 1) /* interrupt on terminal count: a plain countdown */
#define PORT_B		 0x61
#define PORT_B_GATE2	 0x01
#define PORT_B_SPEAKER	 0x02
#define PIT_COUNTER_MASK 0xffff

/* HPET (IA-PC HPET specification 1.0a, 2.3): 64-bit registers, readable in 32-bit
 * halves. The capabilities' upper half is the counter period in femtoseconds, at most
 * 100 ns (2.3.4); the main counter only runs while ENABLE_CNF is set (2.3.5). */
#define HPET_PC_BASE	   0xfed00000
#define HPET_PERIOD	   0x004 /* capabilities and ID, bits 63:32 */
#define HPET_CONFIG	   0x010
#define HPET_CONFIG_ENABLE 0x1
#define HPET_COUNTER	   0x0f0 /* main counter, low half */
#define HPET_MAX_PERIOD_FS 100000000u
#define FS_PER_SEC	   1000000000000000ull

/*
 * Calibration: CAL_WINDOWS windows, each as long as its reference needs. Under QEMU TCG
 * the HPET's 5 ms windows agree within a few ppm; the PIT's 838 ns ticks need 10 ms for
 * 100 ppm. A window that takes more than CAL_GIVE_UP_TICKS TSC ticks (0.4 s at 10 GHz,
 * 4 s at 1 GHz) has a reference that does not count.
 */
#define CAL_WINDOWS	  5
#define HPET_WINDOW_MS	  5
#define PIT_WINDOW_MS	  10
#define CAL_GIVE_UP_TICKS (1ull << 32)
#define MS_PER_SEC	  1000

/* A reference clock for the calibration, read as an up-counter of `mask` bits. */
struct ref_clock {
	const char *name;
	uint64_t hz;
	uint32_t mask;
	uint32_t (*read)(void);
	unsigned int window_ms;
};

static uint64_t tsc_hz;
static bool tsc_deadline;
/* LAPIC timer counts per TSC tick, as a 32.32 fixed-point number (one-shot mode). */
static uint64_t lapic_per_tsc;
static uintptr_t hpet_base;

uint64_t arch_counter(void)
{
	return rdtsc_ordered();
}

uint64_t arch_counter_hz(void)
{
	return tsc_hz;
}

void arch_timer_program(uint64_t deadline)
{
	uint64_t now, delta;
	unsigned __int128 counts;

	if (tsc_deadline) {
		/* 0 disarms; otherwise the timer fires once the TSC equals or exceeds the
		 * value, at once for one already passed (SDM 11.5.4.1). */
		wrmsr(MSR_TSC_DEADLINE, deadline == UINT64_MAX ? 0 : deadline ? deadline : 1);
		return;
	}
	if (deadline == UINT64_MAX) {
		lapic_timer_start(0); /* stops the count down (SDM 11.5.4) */
		return;
	}
	now = arch_counter();
	delta = deadline > now ? deadline - now : 0;
	/* Rounded up, so as not to fire early; at least 1, as 0 would stop the timer. A
	 * deadline beyond 32 bits of counts fires early, and kernel/time.c, finding
	 * nothing due, programs the rest. */
	counts = ((unsigned __int128)delta * lapic_per_tsc + UINT32_MAX) >> 32;
	if (counts == 0)
		counts = 1;
	lapic_timer_start(counts > UINT32_MAX ? UINT32_MAX : (uint32_t)counts);
}

static uint32_t hpet_read(void)
{
	return mmio_read32(hpet_base + HPET_COUNTER);
}

/* The count latched and read low byte first; the PIT counts down. */
static uint32_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CONTROL, PIT_SELECT_CH2 | PIT_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	return PIT_COUNTER_MASK - (((uint32_t)hi << 8) | lo);
}

static bool hpet_setup(uint64_t base, struct ref_clock *ref)
{
	uint32_t period, config;

	if (base == 0 || base >= ((uint64_t)BOOT_IDENTITY_GIB << 30))
		return false;
	hpet_base = (uintptr_t)base;
	period = mmio_read32(hpet_base + HPET_PERIOD);
	if (period == 0 || period > HPET_MAX_PERIOD_FS)
		return false;
	/* Nothing else uses the HPET: it is left running. */
	config = mmio_read32(hpet_base + HPET_CONFIG);
	if (!(config & HPET_CONFIG_ENABLE))
		mmio_write32(hpet_base + HPET_CONFIG, config | HPET_CONFIG_ENABLE);
	*ref = (struct ref_clock){"HPET", FS_PER_SEC / period, UINT32_MAX, hpet_read,
				  HPET_WINDOW_MS};
	return true;
}

/* Channel 2 counting down from 0xffff in mode 0, gated on, speaker off; it wraps
 * every 55 ms, longer than any window. */
static void pit_setup(struct ref_clock *ref)
{
	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_CONTROL, PIT_SELECT_CH2 | PIT_ACCESS_LOHI | PIT_MODE_0);
	outb(PIT_CH2_DATA, 0xff);
	outb(PIT_CH2_DATA, 0xff);
	*ref = (struct ref_clock){"PIT", PIT_HZ, PIT_COUNTER_MASK, pit_read, PIT_WINDOW_MS};
}

/* A reading taken between two TSC reads happened, as far as can be told, at their
 * midpoint: the error is at most half the time between them. Under emulation that time
 * is sometimes long (the first run of the code is translated; the host deschedules the
 * emulator): of SAMPLE_TRIES readings, the one with the tightest bracket is kept. */
#define SAMPLE_TRIES 3

static uint64_t tsc_at(uint32_t (*read)(void), uint32_t *value)
{
	uint64_t best_width = UINT64_MAX, best_tsc = 0;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		uint64_t before = rdtsc_ordered();
		uint32_t v = read();
		uint64_t width = rdtsc_ordered() - before;

		if (width < best_width) {
			best_width = width;
			best_tsc = before + width / 2;
			*value = v;
		}
	}
	return best_tsc;
}

/* One window: TSC ticks per second against ref, and LAPIC counts per TSC tick (32.32,
 * rounded up). False if ref did not advance. */
static bool measure_window(const struct ref_clock *ref, uint64_t *hz, uint64_t *ratio)
{
	uint32_t ref_ticks = (uint32_t)(ref->hz * ref->window_ms / MS_PER_SEC);
	uint32_t r0 = 0, r1 = 0, l0 = 0, l1 = 0, elapsed; /* tsc_at() always sets them */
	uint64_t t0, t1, lt0, lt1;

	t0 = tsc_at(ref->read, &r0);
	lt0 = tsc_at(lapic_timer_current, &l0);
	do {
		if (rdtsc_ordered() - t0 > CAL_GIVE_UP_TICKS)
			return false;
	} while (((ref->read() - r0) & ref->mask) < ref_ticks);
	t1 = tsc_at(ref->read, &r1);
	elapsed = (r1 - r0) & ref->mask;
	lt1 = tsc_at(lapic_timer_current, &l1);
	if (elapsed == 0 || lt1 == lt0)
		return false;

	*hz = (t1 - t0) * ref->hz / elapsed;
	*ratio = ((((uint64_t)(l0 - l1)) << 32) + (lt1 - lt0) - 1) / (lt1 - lt0);
	return true;
}

static void sort(uint64_t *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The median TSC rate and LAPIC ratio over CAL_WINDOWS windows, and the spread of the
 * rates in parts per million. */
static bool calibrate(const struct ref_clock *ref, uint64_t *spread_ppm)
{
	uint64_t hz[CAL_WINDOWS], ratio[CAL_WINDOWS];

	for (unsigned int i = 0; i < CAL_WINDOWS; i++) {
		if (!measure_window(ref, &hz[i], &ratio[i]))
			return false;
	}
	sort(hz, CAL_WINDOWS);
	sort(ratio, CAL_WINDOWS);
	tsc_hz = hz[CAL_WINDOWS / 2];
	lapic_per_tsc = ratio[CAL_WINDOWS / 2];
	*spread_ppm = (hz[CAL_WINDOWS - 1] - hz[0]) * 1000000 / tsc_hz;
	return tsc_hz != 0;
}

/* The HPET from the ACPI table; at the PC's fixed address only when there are no ACPI
 * tables at all (with tables, a missing HPET table means there is none). */
static uint64_t hpet_address(uint64_t acpi_rsdp)
{
	return acpi_rsdp ? acpi_hpet_base(acpi_rsdp) : HPET_PC_BASE;
}

static bool tsc_is_invariant(void)
{
	return cpuid(CPUID_EXT_MAX).eax >= CPUID_POWER_MGMT &&
	       (cpuid(CPUID_POWER_MGMT).edx & CPUID_PM_EDX_INVARIANT_TSC);
}

/* Every CPU's timer the same way: the mode chosen and the ratio measured on the boot CPU
 * hold for all (they share the bus clock and the TSC), so nothing is measured again. */
void x86_timer_init_cpu(uint8_t vector)
{
	lapic_timer_init(vector, tsc_deadline);
	/* The MMIO write that selects TSC-deadline mode must land before any write to
	 * IA32_TSC_DEADLINE, and wrmsr does not wait for it (SDM 11.5.4.1). */
	if (tsc_deadline)
		__asm__ volatile("mfence" ::: "memory");
	arch_timer_program(UINT64_MAX);
}

void x86_timer_init(uint8_t vector, uint64_t acpi_rsdp)
{
	struct ref_clock ref;
	uint64_t spread, lapic_hz;
	bool ok = false;

	/* The LAPIC timer counts down from the top, masked, while the TSC is measured. */
	lapic_timer_init(vector, false);
	lapic_timer_start(UINT32_MAX);
	if (hpet_setup(hpet_address(acpi_rsdp), &ref))
		ok = calibrate(&ref, &spread);
	if (!ok) {
		pit_setup(&ref);
		ok = calibrate(&ref, &spread);
	}
	if (!ok)
		panic("x86_64: cannot measure the TSC: neither the HPET nor the PIT counts");
	lapic_timer_start(0);

	tsc_deadline = cpuid(CPUID_FEATURES).ecx & CPUID1_ECX_TSC_DEADLINE;
	if (!tsc_deadline && lapic_per_tsc == 0)
		panic("x86_64: the local APIC timer does not count");
	x86_timer_init_cpu(vector);

	pr_info("x86_64: TSC at %lu.%06lu MHz (%s), median of %u %u ms windows against the "
		"%s, spread %lu ppm\n",
		tsc_hz / 1000000, tsc_hz % 1000000,
		tsc_is_invariant() ? "invariant" : "not marked invariant", CAL_WINDOWS,
		ref.window_ms, ref.name, spread);
	lapic_hz = (uint64_t)(((unsigned __int128)lapic_per_tsc * tsc_hz) >> 32);
	if (tsc_deadline)
		pr_info("x86_64: local APIC timer in TSC-deadline mode\n");
	else
		pr_info("x86_64: local APIC timer one-shot at %lu Hz (bus clock / 16)\n", lapic_hz);
}

/*
 * Arm Generic Interrupt Controller, architecture versions 2 (Arm IHI 0048B) and 3 (Arm
 * IHI 0069), in one driver (drivers/irq/gic.c) whose version is chosen at run time from
 * the device tree's compatible string. Lines are GIC INTIDs: SGIs 0-15 and PPIs 16-31
 * are private to each CPU, SPIs from 32 up are shared (IHI 0069, "INTIDs").
 */
#ifndef GIC_H
#define GIC_H

#include <stdbool.h>
#include <stdint.h>

#define GIC_PPI_BASE	  16
#define GIC_SPI_BASE	  32
/* INTIDs 1020-1023 are special (IHI 0048B "Special interrupt numbers", IHI 0069
 * "Special INTIDs"): an acknowledge that returns one of them acknowledged nothing. */
#define GIC_INTID_SPECIAL 1020

/* Start the GIC whose device tree node has `compatible` ("arm,cortex-a15-gic" and
 * "arm,gic-400" are v2, "arm,gic-v3" is v3) and its distributor at dist_base; the
 * other regions come from the node's "reg". Every line masked and routed to the
 * calling CPU, whose MPIDR affinity fields are cpu_affinity; that CPU's own part is
 * set up as gic_init_cpu() does. Once, on the boot CPU, interrupts off.
 * 0, or -E_NOTSUP (not a GIC this driver knows) or -E_NODEV (a region or this CPU's
 * redistributor is missing, or the system register interface is off). */
int gic_init(const void *fdt, const char *compatible, uint64_t dist_base, uint64_t cpu_affinity);

/* On every other CPU, once, interrupts off: set up its own part (v2: banked private
 * lines and CPU interface; v3: its redistributor, found by cpu_affinity, and the ICC
 * system registers), with the private lines unmasked so far unmasked on it too.
 * 0, or -E_NODEV (no GIC, no redistributor for this CPU, no system registers). */
int gic_init_cpu(uint64_t cpu_affinity);

/* "GICv2" or "GICv3", and the number of INTIDs implemented (0 .. gic_lines() - 1). */
const char *gic_name(void);
unsigned int gic_lines(void);

/* Let the line's interrupt through to the CPU, or hold it back (mask it). A private
 * line (SGI, PPI) changes on the calling CPU, and on every CPU set up after the call. */
void gic_set_enabled(unsigned int intid, bool enabled);

/* Raise SGI intid (0-15) on the CPU with that index (arch_cpu_index()), which must have
 * been set up; the calling CPU's earlier memory writes are visible to its handler.
 * 0, or -E_INVAL (index or intid out of range), -E_NODEV (that CPU is not set up). */
int gic_send_sgi(unsigned int cpu_index, unsigned int intid);

/* The interrupt entry's work: acknowledge the highest-priority pending interrupt,
 * irq_dispatch() its INTID, signal its end, and again until none is pending.
 * Interrupts off; the caller wraps it in irq_enter()/irq_exit(). */
void gic_handle_interrupts(void);

#endif

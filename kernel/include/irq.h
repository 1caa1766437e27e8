/*
 * Interrupts, portably. An interrupt line is a number in the arch's own numbering (PLIC
 * sources and local causes on riscv64, GIC INTIDs on aarch64, GSIs and local vectors on
 * x86_64); the arch registers one struct irq_chip that masks and unmasks lines, and its
 * interrupt entry calls irq_enter(), irq_dispatch(line) for each pending line, irq_exit().
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdbool.h>
#include <stdint.h>
#include "compiler.h"

#define IRQ_LINES 512

typedef void (*irq_handler_t)(unsigned int line, void *arg);

struct irq_chip {
	const char *name;   /* "riscv,plic0", "GICv3", "IOAPIC"... */
	unsigned int lines; /* valid lines are 0 .. lines - 1 */
	void (*unmask)(unsigned int line);
	void (*mask)(unsigned int line);
};

/* The arch's chip (arch_irq_init() calls this). */
void irq_set_chip(const struct irq_chip *chip);
const struct irq_chip *irq_get_chip(void);

/* Install handler for line and unmask it. 0, or -E_INVAL (no such line), -E_NODEV (no
 * interrupt controller), -E_NOSPC (the line already has a handler). */
int irq_request(unsigned int line, irq_handler_t handler, void *arg, const char *name);
void irq_release(unsigned int line);
void irq_mask(unsigned int line);
void irq_unmask(unsigned int line);

/* Interrupt entry, called by the arch with interrupts off. */
void irq_enter(void);
void irq_dispatch(unsigned int line);
void irq_exit(void);

/* Inside an interrupt handler (how deep: handlers may nest)? */
unsigned int irq_nesting(void);
static inline bool in_interrupt(void)
{
	return irq_nesting() > 0;
}

/* Statistics: per line, and every interrupt taken (on all CPUs). */
struct irq_stat {
	unsigned int line;
	const char *name;
	uint64_t count;
};
/* The i-th requested line (in line order); false past the last. */
bool irq_stat(unsigned int i, struct irq_stat *out);
uint64_t irq_total(void);

/* arch_counter() when the current (outermost) interrupt entered, for latency figures. */
uint64_t irq_entry_counter(void);
uint64_t irq_spurious(void);

#endif

/*
 * The portable interrupt layer: a table of handlers indexed by line, the arch's chip to
 * mask and unmask lines, nesting and statistics. Handlers run with interrupts off (the
 * arch enters with them masked and irq_dispatch does not unmask), so nesting comes only
 * from handlers that enable interrupts themselves.
 */
#include <stddef.h>

#include "arch.h"
#include "errors.h"
#include "irq.h"
#include "printk.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"

struct irq_desc {
	irq_handler_t handler;
	void *arg;
	const char *name;
	uint64_t count;
};

/* Per CPU: each has its own interrupts in progress. */
struct irq_cpu {
	unsigned int nesting;
	uint64_t total;
	uint64_t entry_counter;
};

static struct irq_desc descs[IRQ_LINES];
static struct spinlock descs_lock = SPINLOCK_INIT; /* request and release */
static const struct irq_chip *chip;
static struct irq_cpu irq_cpus[NR_CPUS];
static uint64_t spurious;

void irq_set_chip(const struct irq_chip *c)
{
	chip = c;
}

const struct irq_chip *irq_get_chip(void)
{
	return chip;
}

static bool line_valid(unsigned int line)
{
	return chip && line < chip->lines && line < IRQ_LINES;
}

int irq_request(unsigned int line, irq_handler_t handler, void *arg, const char *name)
{
	unsigned long flags;

	if (!chip)
		return -E_NODEV;
	if (!line_valid(line) || !handler)
		return -E_INVAL;
	flags = spin_lock_irqsave(&descs_lock);
	if (descs[line].handler) {
		spin_unlock_irqrestore(&descs_lock, flags);
		return -E_NOSPC;
	}
	descs[line] = (struct irq_desc){handler, arg, name, 0};
	chip->unmask(line);
	spin_unlock_irqrestore(&descs_lock, flags);
	return 0;
}

void irq_release(unsigned int line)
{
	unsigned long flags;

	if (!line_valid(line))
		return;
	flags = spin_lock_irqsave(&descs_lock);
	chip->mask(line);
	descs[line].handler = NULL;
	spin_unlock_irqrestore(&descs_lock, flags);
}

void irq_mask(unsigned int line)
{
	if (line_valid(line))
		chip->mask(line);
}

void irq_unmask(unsigned int line)
{
	if (line_valid(line))
		chip->unmask(line);
}

void irq_enter(void)
{
	struct irq_cpu *c = &irq_cpus[arch_cpu_index()];

	if (c->nesting++ == 0)
		c->entry_counter = arch_counter();
	c->total++;
}

uint64_t irq_entry_counter(void)
{
	return irq_cpus[arch_cpu_index()].entry_counter;
}

void irq_exit(void)
{
	/* Leaving the outermost handler is where an interrupt's wake-up takes effect. */
	if (--irq_cpus[arch_cpu_index()].nesting == 0)
		sched_irq_exit();
}

unsigned int irq_nesting(void)
{
	/* Interrupts off: a thread moved to another CPU between reading the index and the
	 * count would see that CPU's handler's nesting. */
	unsigned long flags = arch_irq_save();
	unsigned int n = irq_cpus[arch_cpu_index()].nesting;

	arch_irq_restore(flags);
	return n;
}

void irq_dispatch(unsigned int line)
{
	struct irq_desc *d = line < IRQ_LINES ? &descs[line] : NULL;

	if (!d || !d->handler) {
		/* Nobody asked for it: mask it rather than be stormed by it. */
		__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
		if (line_valid(line))
			chip->mask(line);
		pr_warn("irq: unexpected interrupt on line %u, masked\n", line);
		return;
	}
	__atomic_fetch_add(&d->count, 1, __ATOMIC_RELAXED);
	d->handler(line, d->arg);
}

bool irq_stat(unsigned int i, struct irq_stat *out)
{
	for (unsigned int line = 0; line < IRQ_LINES; line++) {
		if (!descs[line].handler || i-- > 0)
			continue;
		out->line = line;
		out->name = descs[line].name;
		out->count = __atomic_load_n(&descs[line].count, __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

uint64_t irq_total(void)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < NR_CPUS; i++)
		sum += __atomic_load_n(&irq_cpus[i].total, __ATOMIC_RELAXED);
	return sum;
}

uint64_t irq_spurious(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}

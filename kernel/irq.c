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
#include "thread.h"

struct irq_desc {
	irq_handler_t handler;
	void *arg;
	const char *name;
	uint64_t count;
};

static struct irq_desc descs[IRQ_LINES];
static const struct irq_chip *chip;
/* Per CPU once there is more than one. */
static unsigned int nesting;
static uint64_t total, spurious;
static uint64_t entry_counter;

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
	flags = arch_irq_save();
	if (descs[line].handler) {
		arch_irq_restore(flags);
		return -E_NOSPC;
	}
	descs[line] = (struct irq_desc){handler, arg, name, 0};
	chip->unmask(line);
	arch_irq_restore(flags);
	return 0;
}

void irq_release(unsigned int line)
{
	unsigned long flags;

	if (!line_valid(line))
		return;
	flags = arch_irq_save();
	chip->mask(line);
	descs[line].handler = NULL;
	arch_irq_restore(flags);
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
	if (nesting++ == 0)
		entry_counter = arch_counter();
	total++;
}

uint64_t irq_entry_counter(void)
{
	return entry_counter;
}

void irq_exit(void)
{
	/* Leaving the outermost handler is where an interrupt's wake-up takes effect. */
	if (--nesting == 0)
		sched_irq_exit();
}

unsigned int irq_nesting(void)
{
	return nesting;
}

void irq_dispatch(unsigned int line)
{
	struct irq_desc *d = line < IRQ_LINES ? &descs[line] : NULL;

	if (!d || !d->handler) {
		/* Nobody asked for it: mask it rather than be stormed by it. */
		spurious++;
		if (line_valid(line))
			chip->mask(line);
		pr_warn("irq: unexpected interrupt on line %u, masked\n", line);
		return;
	}
	d->count++;
	d->handler(line, d->arg);
}

bool irq_stat(unsigned int i, struct irq_stat *out)
{
	for (unsigned int line = 0; line < IRQ_LINES; line++) {
		if (!descs[line].handler || i-- > 0)
			continue;
		out->line = line;
		out->name = descs[line].name;
		out->count = descs[line].count;
		return true;
	}
	return false;
}

uint64_t irq_total(void)
{
	return total;
}

uint64_t irq_spurious(void)
{
	return spurious;
}

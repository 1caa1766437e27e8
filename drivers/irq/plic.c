/*
 * RISC-V PLIC (RISC-V Platform-Level Interrupt Controller Specification 1.0.0, chapter
 * "Memory Map"): per-source priorities, then per-context enable bits, threshold and the
 * claim/complete register. A source interrupts a context when it is enabled there and
 * its priority is above the context's threshold; every enabled source gets priority 1,
 * so a threshold of 1 shuts a context off whatever its enable bits say.
 */
#include "mmio.h"
#include "plic.h"

#define PRIORITY(src)	 (4u * (src))
#define ENABLE(ctx, src) (0x2000u + 0x80u * (ctx) + 4u * ((src) / 32))
#define THRESHOLD(ctx)	 (0x200000u + 0x1000u * (ctx))
#define CLAIM(ctx)	 (0x200004u + 0x1000u * (ctx))

#define SOURCE_PRIORITY 1

void plic_init(const struct plic *p)
{
	for (unsigned int src = 1; src <= p->sources; src++) {
		plic_set_enabled(p, src, false);
		mmio_write32(p->base + PRIORITY(src), 0);
	}
	mmio_write32(p->base + THRESHOLD(p->context), 0);
}

void plic_set_enabled(const struct plic *p, unsigned int src, bool enabled)
{
	uintptr_t reg = p->base + ENABLE(p->context, src);
	uint32_t bit = 1u << (src % 32);
	uint32_t v = mmio_read32(reg);

	if (src == 0 || src > p->sources)
		return;
	mmio_write32(p->base + PRIORITY(src), enabled ? SOURCE_PRIORITY : 0);
	mmio_write32(reg, enabled ? v | bit : v & ~bit);
}

void plic_shut_context(const struct plic *p, unsigned int context)
{
	for (unsigned int word = 0; word <= p->sources / 32; word++)
		mmio_write32(p->base + ENABLE(context, 32 * word), 0);
	/* The threshold is WARL up to the highest priority the PLIC implements (QEMU
	 * ignores larger values): the sources' own priority is the safe choice. */
	mmio_write32(p->base + THRESHOLD(context), SOURCE_PRIORITY);
}

unsigned int plic_claim(const struct plic *p)
{
	return mmio_read32(p->base + CLAIM(p->context));
}

void plic_complete(const struct plic *p, unsigned int src)
{
	mmio_write32(p->base + CLAIM(p->context), src);
}

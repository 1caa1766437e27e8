/*
 * RISC-V PLIC (RISC-V Platform-Level Interrupt Controller Specification 1.0.0, chapter
 * "Memory Map"): per-source priorities, then per-context enable bits, threshold and the
 * claim/complete register. A source interrupts a context when it is enabled there and
 * its priority is above the context's threshold; every source gets priority 1.
 */
#include "mmio.h"
#include "plic.h"

#define PRIORITY(src)	 (4u * (src))
#define ENABLE(ctx, src) (0x2000u + 0x80u * (ctx) + 4u * ((src) / 32))
#define THRESHOLD(ctx)	 (0x200000u + 0x1000u * (ctx))
#define CLAIM(ctx)	 (0x200004u + 0x1000u * (ctx))

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
	mmio_write32(p->base + PRIORITY(src), enabled ? 1 : 0);
	mmio_write32(reg, enabled ? v | bit : v & ~bit);
}

unsigned int plic_claim(const struct plic *p)
{
	return mmio_read32(p->base + CLAIM(p->context));
}

void plic_complete(const struct plic *p, unsigned int src)
{
	mmio_write32(p->base + CLAIM(p->context), src);
}

/* RISC-V Platform-Level Interrupt Controller (RISC-V PLIC specification 1.0.0). */
#ifndef PLIC_H
#define PLIC_H

#include <stdbool.h>
#include <stdint.h>

struct plic {
	uintptr_t base;
	unsigned int sources; /* valid sources are 1 .. sources (riscv,ndev) */
	unsigned int context; /* the hart's S-mode context */
};

/* Every source masked and at priority 0; the context's threshold 0. */
void plic_init(const struct plic *p);
void plic_set_enabled(const struct plic *p, unsigned int source, bool enabled);
/* Another hart's context (not p->context): every source disabled there and its threshold
 * raised so that none reaches it. Device interrupts stay with p->context. */
void plic_shut_context(const struct plic *p, unsigned int context);
/* The highest-priority pending source (0: none); plic_complete() when handled. */
unsigned int plic_claim(const struct plic *p);
void plic_complete(const struct plic *p, unsigned int source);

#endif

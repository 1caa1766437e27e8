/*
 * Sv39 page tables (RISC-V privileged spec 4.4 and 4.3.1): three levels of 512 eight-byte
 * entries, 4 KiB pages at level 0, 2 MiB megapages at level 1, 1 GiB gigapages at level 2
 * (the root). Shared by mmu.c (the tables) and mmu_init.c (the boot layout).
 */
#ifndef SV39_H
#define SV39_H

#include <stdint.h>

/* Page-table entry bits (4.4.1, figure 4.21). */
#define PTE_V	      (1ul << 0) /* valid */
#define PTE_R	      (1ul << 1)
#define PTE_W	      (1ul << 2)
#define PTE_X	      (1ul << 3)
#define PTE_U	      (1ul << 4) /* user: never set, the kernel runs in S-mode only */
#define PTE_G	      (1ul << 5) /* global: in every address space */
#define PTE_A	      (1ul << 6) /* accessed */
#define PTE_D	      (1ul << 7) /* dirty */
/* RSW, bits 8-9, are the supervisor's own. Sv39 has no memory type without Svpbmt:
 * QEMU's physical memory attributes already make MMIO uncached, so VM_DEVICE is only
 * recorded here, for arch_query() and ioremap(). */
#define PTE_SW_DEVICE (1ul << 8)
#define PTE_LEAF      (PTE_R | PTE_W | PTE_X) /* any of them: a leaf, else a pointer */
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  (((1ul << 44) - 1) << PTE_PPN_SHIFT)

#define SV39_LEVELS	    3
#define SV39_ENTRIES	    512
/* Virtual addresses are 39 bits, sign-extended from bit 38; the kernel's identity map
 * lives in the lower half, [0, 256 GiB). */
#define SV39_LOWER_HALF_END (1ul << 38)

/* satp (4.1.11): MODE in bits 60-63 (8 = Sv39), ASID 44-59 (0 here), root PPN 0-43. */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_MASK	(0xful << SATP_MODE_SHIFT)
#define SATP_MODE_SV39	(8ul << SATP_MODE_SHIFT)

typedef uint64_t pte_t;

/* mmu.c: the root table (allocated once, by sv39_create_root on the boot CPU), how many
 * page-table pages exist, and the satp value that selects them. */
void sv39_create_root(void);
unsigned long sv39_table_pages(void);
uint64_t sv39_satp(void);

#endif

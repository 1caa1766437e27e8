/*
 * Arm Generic Interrupt Controller, v2 (Arm IHI 0048B) and v3 (Arm IHI 0069), for every
 * CPU. Both versions have a distributor with the same per-INTID register arrays (group,
 * enable, pending, active, priority, trigger); they differ in where the CPU's private
 * lines (SGIs, PPIs) and its CPU interface are:
 *
 *   v2  The distributor banks INTIDs 0-31 per CPU; the CPU interface is a second
 *       memory-mapped block (GICC); SPIs go to the CPUs named in GICD_ITARGETSR.
 *   v3  With affinity routing (GICD_CTLR.ARE) each CPU has a redistributor whose SGI
 *       frame holds INTIDs 0-31 at the distributor's offsets; the CPU interface is the
 *       ICC_*_EL1 system registers; SPIs go to the CPU named in GICD_IROUTER.
 *
 * The boot CPU sets up the distributor and its own private lines and CPU interface
 * (gic_init); every other CPU sets up only its own (gic_init_cpu). Per-CPU state is
 * indexed by arch_cpu_index(). SGIs, the lines software raises, carry the IPI.
 *
 * Every line gets the same priority (handlers never preempt each other), is level-
 * sensitive (QEMU virt's timer PPIs and PL011 SPI are) and, on v3, in Group 1, the
 * group a kernel at EL1 owns. All accesses are 32 bits wide except the two 64-bit
 * v3 registers GICR_TYPER and GICD_IROUTER.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "arch.h"
#include "errors.h"
#include "fdt.h"
#include "gic.h"
#include "irq.h"
#include "mmio.h"
#include "smp.h"

/*
 * Distributor registers (IHI 0048B 4.3, "Distributor register descriptions"; IHI 0069
 * chapter 12, GICD_*). The arrays hold one bit per INTID (group, enable, pending,
 * active), two bits (trigger) or one byte (priority, v2 target); each macro gives the
 * word holding INTID n. A v3 redistributor's SGI frame has the same layout for
 * INTIDs 0-31 (GICR_IGROUPR0, GICR_ISENABLER0, ..., GICR_ICFGR1).
 */
#define GICD_CTLR	   0x0000
#define GICD_TYPER	   0x0004
#define GICD_IGROUPR(n)	   (0x0080 + 4 * ((n) / 32))
#define GICD_ISENABLER(n)  (0x0100 + 4 * ((n) / 32))
#define GICD_ICENABLER(n)  (0x0180 + 4 * ((n) / 32))
#define GICD_ICPENDR(n)	   (0x0280 + 4 * ((n) / 32))
#define GICD_ICACTIVER(n)  (0x0380 + 4 * ((n) / 32))
#define GICD_IPRIORITYR(n) (0x0400 + 4 * ((n) / 4))
#define GICD_ITARGETSR(n)  (0x0800 + 4 * ((n) / 4)) /* v2 only */
#define GICD_ICFGR(n)	   (0x0c00 + 4 * ((n) / 16))
#define GICD_IROUTER(n)	   (0x6000 + 8 * (n)) /* v3, SPIs only */
#define GICD_SGIR	   0x0f00	      /* v2 only */

/* v2 GICD_SGIR: TargetListFilter [25:24] (0: the CPUs in CPUTargetList [23:16], 2: only
 * the writing CPU), the SGI's INTID [3:0]. */
#define GICD_SGIR_TARGETS_SHIFT 16
#define GICD_SGIR_FILTER_SELF	(2u << 24)

/* GICD_CTLR bit 0 enables the interrupts of the group the kernel sees: group 0 on a
 * v2 without the Security Extensions (QEMU's), group 1 in a v2 Non-secure view. On v3
 * (single Security state, or the Non-secure view) bit 1 enables Group 1 and bit 4 is
 * ARE, affinity routing; RWP says an earlier write is still taking effect. */
#define GICD_CTLR_V2_ENABLE   (1u << 0)
#define GICD_CTLR_V3_GRP1     (1u << 1)
#define GICD_CTLR_V3_ARE      (1u << 4)
#define GICD_CTLR_V3_RWP      (1u << 31)
/* GICD_TYPER.ITLinesNumber [4:0]: the distributor has 32 * (N + 1) INTIDs. */
#define GICD_TYPER_LINES_MASK 0x1fu

/* Redistributor, RD_base frame (IHI 0069 chapter 12, GICR_*); the SGI frame, with the
 * private lines, is the next 64 KiB frame. A v3 redistributor is those two frames; a
 * GICv4 one (GICR_TYPER.VLPIS) has two more for virtual LPIs. */
#define GICR_CTLR		   0x0000
#define GICR_TYPER		   0x0008
#define GICR_WAKER		   0x0014
#define GICR_FRAME_SIZE		   0x10000
#define GICR_SGI_FRAME		   GICR_FRAME_SIZE
#define GICR_CTLR_RWP		   (1u << 3)
#define GICR_TYPER_VLPIS	   (1ull << 1)
#define GICR_TYPER_LAST		   (1ull << 4) /* the last redistributor of its region */
#define GICR_TYPER_AFF_SHIFT	   32	       /* Aff3.Aff2.Aff1.Aff0, a byte each */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* v2 CPU interface (IHI 0048B 4.4, "CPU interface register descriptions"). GICC_CTLR
 * bit 0 enables signalling as GICD_CTLR's does; EOImode 0: an EOIR write both drops
 * the running priority and deactivates. GICC_IAR: INTID [9:0], SGI source CPU [12:10]
 * (written back to GICC_EOIR unchanged). */
#define GICC_CTLR	    0x0000
#define GICC_PMR	    0x0004
#define GICC_IAR	    0x000c
#define GICC_EOIR	    0x0010
#define GICC_CTLR_ENABLE    (1u << 0)
#define GICC_IAR_INTID_MASK 0x3ffu

/* v3 CPU interface system registers (IHI 0069 chapter 12, ICC_*_EL1). */
#define ICC_SRE_EL1_SRE	       (1ul << 0) /* use the system registers, not GICC */
#define ICC_IGRPEN1_EL1_ENABLE (1ul << 0)
#define ICC_IAR1_INTID_MASK    0xfffffful
/* ICC_SGI1R_EL1: Aff3 [55:48], RS [47:44] (which 16 Aff0 values TargetList means),
 * Aff2 [39:32], INTID [27:24], Aff1 [23:16], TargetList [15:0] (one bit per Aff0). */
#define ICC_SGI1R_AFF3_SHIFT   48
#define ICC_SGI1R_RS_SHIFT     44
#define ICC_SGI1R_AFF2_SHIFT   32
#define ICC_SGI1R_INTID_SHIFT  24
#define ICC_SGI1R_AFF1_SHIFT   16
#define ICC_SGI1R_TARGETS      16 /* Aff0 values per TargetList */

/* MPIDR affinity fields (the layout cpu_affinity arguments use). */
#define MPIDR_AFF0(a) ((a)&0xff)
#define MPIDR_AFF1(a) (((a) >> 8) & 0xff)
#define MPIDR_AFF2(a) (((a) >> 16) & 0xff)
#define MPIDR_AFF3(a) (((a) >> 32) & 0xff)

#define read_icc(reg)                                         \
	({                                                    \
		unsigned long v_;                             \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_)); \
		v_;                                           \
	})
#define write_icc(reg, v) __asm__ volatile("msr " #reg ", %0" ::"r"((unsigned long)(v)) : "memory")
#define isb()		  __asm__ volatile("isb" ::: "memory")

/* One priority for all (lower is more urgent; implementations keep at least the top
 * 4 bits), and a priority mask that lets every priority through. */
#define GIC_PRIORITY	  0xa0u
#define GIC_PRIORITY_x4	  (GIC_PRIORITY * 0x01010101u)
#define GIC_PMR_ALLOW_ALL 0xffu

#define GIC_MAX_LINES	       1020 /* INTIDs 1020-1023 are special */
#define GIC_MAX_REDIST_REGIONS 8    /* QEMU virt has 1, or 2 past 123 CPUs */
#define GIC_SGI_COUNT	       16

/* One CPU's part of the GIC, set up by that CPU. */
struct gic_cpu {
	bool ready;	   /* set up: it may be sent SGIs (release/acquire) */
	uint64_t affinity; /* its MPIDR affinity fields */
	uintptr_t rd;	   /* v3: its redistributor, RD_base */
	uint8_t v2_target; /* v2: its CPU interface's bit in target lists; 0 when alone */
};

static struct {
	unsigned int version; /* 2 or 3; 0 before gic_init */
	unsigned int lines;
	uintptr_t dist; /* GICD */
	uintptr_t cpu;	/* v2: GICC, banked: each CPU sees its own interface there */
	/* v3: the device tree's redistributor regions, searched by each CPU. */
	unsigned int redist_regions;
	struct {
		uint64_t base, size;
	} redist[GIC_MAX_REDIST_REGIONS];
	/* INTIDs 0-31 unmasked through gic_set_enabled(): a CPU set up later unmasks the
	 * same ones on itself (the timer's PPI, the IPI's SGI). */
	uint32_t private_enabled;
	struct gic_cpu cpus[NR_CPUS];
} gic;

static uint64_t mmio_read64(uintptr_t addr)
{
	return *(volatile uint64_t *)addr;
}

static void mmio_write64(uintptr_t addr, uint64_t v)
{
	*(volatile uint64_t *)addr = v;
}

/* v3: writes to GICD_CTLR and GICD_ICENABLER (GICR_ICENABLER0 for the redistributor)
 * take effect asynchronously; RWP clears once they have. */
static void wait_dist(void)
{
	if (gic.version == 3)
		while (mmio_read32(gic.dist + GICD_CTLR) & GICD_CTLR_V3_RWP)
			;
}

static void wait_redist(uintptr_t rd)
{
	while (mmio_read32(rd + GICR_CTLR) & GICR_CTLR_RWP)
		;
}

static struct gic_cpu *this_cpu(void)
{
	return &gic.cpus[arch_cpu_index()];
}

/* The calling CPU's registers for INTIDs 0-31: the distributor's banked ones (v2) or
 * its redistributor's SGI frame (v3). Interrupts off, so that the CPU stays the same. */
static uintptr_t private_regs(void)
{
	return gic.version == 3 ? this_cpu()->rd + GICR_SGI_FRAME : gic.dist;
}

/* Entry i of node's "reg", in its parent's #address-cells and #size-cells (Devicetree
 * Specification 2.3.5: 2 and 1 when absent). */
static int reg_entry(const struct fdt *f, int node, int i, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent(f, node), len;
	uint32_t ac = parent >= 0 ? fdt_prop_u32(f, parent, "#address-cells", 2) : 2;
	uint32_t sc = parent >= 0 ? fdt_prop_u32(f, parent, "#size-cells", 1) : 1;
	const uint8_t *reg = fdt_prop(f, node, "reg", &len);
	int entry = (int)(ac + sc) * 4;

	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (i + 1) * entry)
		return -E_NODEV;
	*base = fdt_read_cells(reg + i * entry, ac);
	*size = fdt_read_cells(reg + i * entry + ac * 4, sc);
	return 0;
}

/*
 * The shared lines (SPIs), set up in the distributor while it is disabled: masked, not
 * pending or active (a boot loader may have used them), one priority, level-
 * triggered, routed to this CPU; on v3 in Group 1.
 */
static void init_spis(uint32_t v2_target, uint64_t v3_route)
{
	for (unsigned int n = GIC_SPI_BASE; n < gic.lines; n += 32) {
		if (gic.version == 3)
			mmio_write32(gic.dist + GICD_IGROUPR(n), ~0u);
		mmio_write32(gic.dist + GICD_ICENABLER(n), ~0u);
		mmio_write32(gic.dist + GICD_ICPENDR(n), ~0u);
		mmio_write32(gic.dist + GICD_ICACTIVER(n), ~0u);
	}
	wait_dist();
	for (unsigned int n = GIC_SPI_BASE; n < gic.lines; n += 4) {
		mmio_write32(gic.dist + GICD_IPRIORITYR(n), GIC_PRIORITY_x4);
		if (gic.version == 2)
			mmio_write32(gic.dist + GICD_ITARGETSR(n), v2_target * 0x01010101u);
	}
	for (unsigned int n = GIC_SPI_BASE; n < gic.lines; n += 16)
		mmio_write32(gic.dist + GICD_ICFGR(n), 0); /* 0b00: level-sensitive */
	if (gic.version == 3)
		for (unsigned int n = GIC_SPI_BASE; n < gic.lines; n++)
			mmio_write64(gic.dist + GICD_IROUTER(n), v3_route);
}

/* The calling CPU's private lines (SGIs, PPIs): in the distributor's banked registers
 * (v2) or its redistributor's SGI frame (v3), the same treatment as the SPIs; then the
 * ones the kernel has unmasked so far are unmasked here too. SGI trigger bits are
 * read-only (always edge); the PPIs' may be too, then the write is ignored. */
static void init_private_lines(void)
{
	uintptr_t regs = private_regs();

	if (gic.version == 3)
		mmio_write32(regs + GICD_IGROUPR(0), ~0u);
	mmio_write32(regs + GICD_ICENABLER(0), ~0u);
	if (gic.version == 3)
		wait_redist(this_cpu()->rd);
	mmio_write32(regs + GICD_ICPENDR(0), ~0u);
	mmio_write32(regs + GICD_ICACTIVER(0), ~0u);
	for (unsigned int n = 0; n < GIC_SPI_BASE; n += 4)
		mmio_write32(regs + GICD_IPRIORITYR(n), GIC_PRIORITY_x4);
	mmio_write32(regs + GICD_ICFGR(GIC_PPI_BASE), 0);
	mmio_write32(regs + GICD_ISENABLER(0),
		     __atomic_load_n(&gic.private_enabled, __ATOMIC_ACQUIRE));
}

/* v2: this CPU's bit for GICD_ITARGETSR. The first eight registers are read-only and
 * read as the reading CPU's own bit in every byte (IHI 0048B, GICD_ITARGETSR); zero
 * on a uniprocessor GIC, where targets do not matter. */
static uint32_t v2_this_cpu_target(void)
{
	uint32_t mask = 0;

	for (unsigned int n = 0; n < GIC_SPI_BASE; n += 4)
		mask |= mmio_read32(gic.dist + GICD_ITARGETSR(n));
	mask |= mask >> 16;
	mask |= mask >> 8;
	return mask & 0xff;
}

/* v2, every CPU: its private lines and its CPU interface. */
static int init_cpu_v2(struct gic_cpu *c)
{
	c->v2_target = (uint8_t)v2_this_cpu_target();
	init_private_lines();
	mmio_write32(gic.cpu + GICC_PMR, GIC_PMR_ALLOW_ALL);
	mmio_write32(gic.cpu + GICC_CTLR, GICC_CTLR_ENABLE);
	return 0;
}

static int init_v2(const struct fdt *f, int node)
{
	uint64_t base, size;

	/* reg: GICD, GICC, then (with virtualization) GICH and GICV. */
	if (reg_entry(f, node, 1, &base, &size) < 0)
		return -E_NODEV;
	gic.cpu = (uintptr_t)base;

	mmio_write32(gic.dist + GICD_CTLR, 0);
	init_spis(v2_this_cpu_target(), 0);
	mmio_write32(gic.dist + GICD_CTLR, GICD_CTLR_V2_ENABLE);
	return 0;
}

/* v3: the redistributor whose GICR_TYPER affinity is cpu_affinity's, or 0. Each
 * region holds consecutive redistributors, the last with GICR_TYPER.Last set. */
static uintptr_t find_redistributor(uint64_t cpu_affinity)
{
	/* GICR_TYPER packs Aff3 next to Aff2; MPIDR has a gap [31:24] between them. */
	uint64_t want = MPIDR_AFF3(cpu_affinity) << 24 | (cpu_affinity & 0xffffff);

	for (unsigned int r = 0; r < gic.redist_regions; r++) {
		uint64_t base = gic.redist[r].base, size = gic.redist[r].size, typer;

		for (uint64_t off = 0; off < size;) {
			typer = mmio_read64((uintptr_t)(base + off) + GICR_TYPER);
			if (typer >> GICR_TYPER_AFF_SHIFT == want)
				return (uintptr_t)(base + off);
			if (typer & GICR_TYPER_LAST)
				break;
			off += (typer & GICR_TYPER_VLPIS ? 4 : 2) * GICR_FRAME_SIZE;
		}
	}
	return 0;
}

/* v3, every CPU: its redistributor (woken, private lines in Group 1) and its system
 * register CPU interface. */
static int init_cpu_v3(struct gic_cpu *c)
{
	c->rd = find_redistributor(c->affinity);
	if (!c->rd)
		return -E_NODEV;

	/* The system register interface, which EL2 (entry.S) has allowed. */
	write_icc(icc_sre_el1, read_icc(icc_sre_el1) | ICC_SRE_EL1_SRE);
	isb();
	if (!(read_icc(icc_sre_el1) & ICC_SRE_EL1_SRE))
		return -E_NODEV;

	/* Wake the redistributor: it forwards nothing while ProcessorSleep is set, and
	 * is awake once ChildrenAsleep reads 0 (IHI 0069, "Power management"). */
	mmio_write32(c->rd + GICR_WAKER,
		     mmio_read32(c->rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(c->rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	init_private_lines();

	/* EOImode 0 (ICC_CTLR_EL1): an EOIR1 write drops priority and deactivates. */
	write_icc(icc_pmr_el1, GIC_PMR_ALLOW_ALL);
	write_icc(icc_ctlr_el1, 0);
	write_icc(icc_igrpen1_el1, ICC_IGRPEN1_EL1_ENABLE);
	isb();
	return 0;
}

/* v3, the boot CPU: the distributor. reg holds GICD, then #redistributor-regions
 * regions of redistributors, then GICC, GICH, GICV. */
static int init_v3(const struct fdt *f, int node, uint64_t cpu_affinity)
{
	uint32_t regions = fdt_prop_u32(f, node, "#redistributor-regions", 1);
	/* Route SPIs to this CPU: GICD_IROUTER takes MPIDR's affinity layout, IRM = 0. */
	uint64_t route = cpu_affinity & 0xff00fffffful;

	if (regions > GIC_MAX_REDIST_REGIONS)
		return -E_NOTSUP;
	for (uint32_t r = 0; r < regions; r++)
		if (reg_entry(f, node, 1 + (int)r, &gic.redist[r].base, &gic.redist[r].size) < 0)
			return -E_NODEV;
	gic.redist_regions = regions;

	/* Groups off before ARE changes (IHI 0069, GICD_CTLR), then SPIs with ARE on. */
	mmio_write32(gic.dist + GICD_CTLR, 0);
	wait_dist();
	mmio_write32(gic.dist + GICD_CTLR, GICD_CTLR_V3_ARE);
	wait_dist();
	init_spis(0, route);
	mmio_write32(gic.dist + GICD_CTLR, GICD_CTLR_V3_ARE | GICD_CTLR_V3_GRP1);
	wait_dist();
	return 0;
}

/* The calling CPU's part, on every CPU; then it may be sent SGIs. */
static int init_this_cpu(uint64_t cpu_affinity)
{
	struct gic_cpu *c = this_cpu();
	int err;

	c->affinity = cpu_affinity;
	err = gic.version == 3 ? init_cpu_v3(c) : init_cpu_v2(c);
	if (!err)
		__atomic_store_n(&c->ready, true, __ATOMIC_RELEASE);
	return err;
}

int gic_init(const void *fdt, const char *compatible, uint64_t dist_base, uint64_t cpu_affinity)
{
	struct fdt f;
	int node, err;
	unsigned int lines;

	if (!compatible || fdt_open(&f, fdt, FDT_MAX_SIZE, NULL) < 0 ||
	    (node = fdt_find_compatible(&f, -1, compatible)) < 0)
		return -E_NODEV;
	if (strcmp(compatible, "arm,gic-v3") == 0)
		gic.version = 3;
	else if (strcmp(compatible, "arm,cortex-a15-gic") == 0 ||
		 strcmp(compatible, "arm,gic-400") == 0)
		gic.version = 2;
	else
		return -E_NOTSUP;
	gic.dist = (uintptr_t)dist_base;
	lines = 32 * ((mmio_read32(gic.dist + GICD_TYPER) & GICD_TYPER_LINES_MASK) + 1);
	gic.lines = lines < GIC_MAX_LINES ? lines : GIC_MAX_LINES;

	err = gic.version == 3 ? init_v3(&f, node, cpu_affinity) : init_v2(&f, node);
	if (!err)
		err = init_this_cpu(cpu_affinity);
	if (err)
		gic.version = 0;
	return err;
}

int gic_init_cpu(uint64_t cpu_affinity)
{
	if (gic.version == 0)
		return -E_NODEV;
	return init_this_cpu(cpu_affinity);
}

const char *gic_name(void)
{
	return gic.version == 3 ? "GICv3" : "GICv2";
}

unsigned int gic_lines(void)
{
	return gic.lines;
}

void gic_set_enabled(unsigned int intid, bool enabled)
{
	bool private = intid < GIC_SPI_BASE;
	uint32_t bit = 1u << (intid % 32);
	unsigned long flags;
	uintptr_t regs;

	if (intid >= gic.lines)
		return;
	if (!private) {
		if (enabled) {
			mmio_write32(gic.dist + GICD_ISENABLER(intid), bit);
			return;
		}
		/* Once the wait is over the line can no longer be signalled. */
		mmio_write32(gic.dist + GICD_ICENABLER(intid), bit);
		wait_dist();
		return;
	}
	/* A private line: on this CPU now, on the others as they start. */
	flags = arch_irq_save();
	regs = private_regs();
	if (enabled) {
		__atomic_fetch_or(&gic.private_enabled, bit, __ATOMIC_RELEASE);
		mmio_write32(regs + GICD_ISENABLER(intid), bit);
	} else {
		__atomic_fetch_and(&gic.private_enabled, ~bit, __ATOMIC_RELEASE);
		mmio_write32(regs + GICD_ICENABLER(intid), bit);
		if (gic.version == 3)
			wait_redist(this_cpu()->rd);
	}
	arch_irq_restore(flags);
}

int gic_send_sgi(unsigned int cpu_index, unsigned int intid)
{
	const struct gic_cpu *c;
	uint64_t a, sgi1r;

	if (cpu_index >= NR_CPUS || intid >= GIC_SGI_COUNT)
		return -E_INVAL;
	c = &gic.cpus[cpu_index];
	if (!__atomic_load_n(&c->ready, __ATOMIC_ACQUIRE))
		return -E_NODEV;
	/* The sender's stores (the request the SGI announces) complete before the SGI
	 * can be seen: a GICD write or a system register write is not ordered after
	 * normal memory stores without a barrier. */
	__asm__ volatile("dsb sy" ::: "memory");
	if (gic.version == 2) {
		/* A uniprocessor GIC has no target bits: the only CPU is the caller. */
		mmio_write32(gic.dist + GICD_SGIR,
			     c->v2_target
				     ? (uint32_t)c->v2_target << GICD_SGIR_TARGETS_SHIFT | intid
				     : GICD_SGIR_FILTER_SELF | intid);
		return 0;
	}
	a = c->affinity;
	sgi1r = MPIDR_AFF3(a) << ICC_SGI1R_AFF3_SHIFT |
		(MPIDR_AFF0(a) / ICC_SGI1R_TARGETS) << ICC_SGI1R_RS_SHIFT |
		MPIDR_AFF2(a) << ICC_SGI1R_AFF2_SHIFT | (uint64_t)intid << ICC_SGI1R_INTID_SHIFT |
		MPIDR_AFF1(a) << ICC_SGI1R_AFF1_SHIFT | 1ull << (MPIDR_AFF0(a) % ICC_SGI1R_TARGETS);
	write_icc(icc_sgi1r_el1, sgi1r);
	isb();
	return 0;
}

/* Acknowledge: the highest-priority pending interrupt becomes active and its IAR value
 * is returned (INTID 1023 when nothing is pending). */
static uint32_t acknowledge(void)
{
	uint32_t iar;

	if (gic.version == 2)
		return mmio_read32(gic.cpu + GICC_IAR);
	iar = (uint32_t)read_icc(icc_iar1_el1);
	/* The handler's device accesses must not overtake the acknowledge. */
	__asm__ volatile("dsb sy" ::: "memory");
	return iar;
}

static void end_of_interrupt(uint32_t iar)
{
	if (gic.version == 2) {
		mmio_write32(gic.cpu + GICC_EOIR, iar);
		return;
	}
	write_icc(icc_eoir1_el1, iar);
	isb(); /* deactivated before the next acknowledge */
}

void gic_handle_interrupts(void)
{
	uint32_t intid_mask = gic.version == 2 ? GICC_IAR_INTID_MASK : ICC_IAR1_INTID_MASK;

	for (;;) {
		uint32_t iar = acknowledge();
		unsigned int intid = iar & intid_mask;

		if (intid >= GIC_INTID_SPECIAL && intid <= GIC_INTID_SPECIAL + 3)
			return;
		irq_dispatch(intid);
		end_of_interrupt(iar);
	}
}

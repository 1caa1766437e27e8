/*
 * Fill struct boot_info from a flattened device tree (riscv64 and aarch64): memory,
 * reserved ranges, command line, console UART, interrupt controller, timer frequency
 * and CPUs. The node and property names are those of the Devicetree Specification
 * v0.4 (chapter 3) and the bindings QEMU's virt machines use.
 */
#include <string.h>

#include "boot_info.h"
#include "fdt.h"
#include "kernel.h"
#include "printk.h"

static struct fdt boot_fdt;

/* Interrupt controllers the kernel knows about, by compatible string. */
static const char *const irq_controllers[] = {
	"riscv,plic0", "sifive,plic-1.0.0", "arm,gic-v3", "arm,cortex-a15-gic", "arm,gic-400",
};

static void add_reg_ranges(const struct fdt *f, int node, uint32_t ac, uint32_t sc,
			   int (*add)(struct boot_info *, uint64_t, uint64_t), struct boot_info *bi)
{
	int len;
	const uint8_t *reg = fdt_prop(f, node, "reg", &len);
	uint32_t entry = (ac + sc) * 4;

	if (!reg || ac < 1 || ac > 2 || sc < 1 || sc > 2 || len % entry)
		panic("device tree: %s has a malformed reg property", fdt_name(f, node));
	for (uint32_t off = 0; off < (uint32_t)len; off += entry) {
		uint64_t base = fdt_read_cells(reg + off, ac);
		uint64_t size = fdt_read_cells(reg + off + ac * 4, sc);

		if (size && add(bi, base, size) < 0)
			pr_warn("boot: range table full, ignoring %#llx+%#llx\n",
				(unsigned long long)base, (unsigned long long)size);
	}
}

static void find_memory(const struct fdt *f, struct boot_info *bi)
{
	int root = fdt_root(f);
	uint32_t ac = fdt_prop_u32(f, root, "#address-cells", 2);
	uint32_t sc = fdt_prop_u32(f, root, "#size-cells", 1);
	uint64_t base, size;
	int node;

	for (node = fdt_first_child(f, root); node >= 0; node = fdt_next_sibling(f, node)) {
		const char *type = fdt_prop_string(f, node, "device_type");

		if (type && strcmp(type, "memory") == 0)
			add_reg_ranges(f, node, ac, sc, boot_info_add_mem, bi);
	}
	if (bi->mem_count == 0)
		panic("device tree: no /memory node with a reg property");

	for (uint32_t i = 0; fdt_reserved_entry(f, i, &base, &size); i++)
		boot_info_add_reserved(bi, base, size);

	node = fdt_path(f, "/reserved-memory");
	if (node >= 0) {
		ac = fdt_prop_u32(f, node, "#address-cells", ac);
		sc = fdt_prop_u32(f, node, "#size-cells", sc);
		for (node = fdt_first_child(f, node); node >= 0; node = fdt_next_sibling(f, node))
			if (fdt_prop(f, node, "reg", NULL))
				add_reg_ranges(f, node, ac, sc, boot_info_add_reserved, bi);
	}
	/* The blob itself must outlive boot. */
	boot_info_add_reserved(bi, (uintptr_t)f->blob, f->size);
}

/* /chosen/stdout-path: a path or an alias, optionally followed by ":options". */
static int stdout_node(const struct fdt *f, int chosen)
{
	const char *path = fdt_prop_string(f, chosen, "stdout-path");
	char buf[128];
	size_t len;

	if (!path)
		return -FDT_ERR_NOTFOUND;
	len = strcspn(path, ":");
	if (len >= sizeof(buf))
		return -FDT_ERR_NOTFOUND;
	memcpy(buf, path, len);
	buf[len] = '\0';
	if (buf[0] != '/') {
		int aliases = fdt_path(f, "/aliases");

		path = aliases >= 0 ? fdt_prop_string(f, aliases, buf) : NULL;
		return path ? fdt_path(f, path) : -FDT_ERR_NOTFOUND;
	}
	return fdt_path(f, buf);
}

/*
 * A device's first interrupt as a line of its controller: the GIC binding's three cells
 * (type, number, flags) become an INTID (SPIs from 32, PPIs from 16); a one- or
 * two-cell specifier (the PLIC's) is the line itself. -1 when there is none.
 */
#define GIC_SPI 0
#define GIC_PPI 1

static int32_t device_irq(const struct fdt *f, int node)
{
	int parent = fdt_interrupt_parent(f, node);
	uint32_t cells = parent >= 0 ? fdt_prop_u32(f, parent, "#interrupt-cells", 0) : 0;
	int len;
	const uint8_t *irq = fdt_prop(f, node, "interrupts", &len);

	if (!irq || cells == 0 || len < (int)(cells * 4))
		return -1;
	if (cells == 3) {
		uint32_t type = fdt32(irq), num = fdt32(irq + 4);

		if (type == GIC_SPI)
			return (int32_t)(num + 32);
		if (type == GIC_PPI)
			return (int32_t)(num + 16);
		return -1;
	}
	return (int32_t)fdt32(irq);
}

static void find_console(const struct fdt *f, int chosen, struct boot_info *bi)
{
	int node = chosen >= 0 ? stdout_node(f, chosen) : -FDT_ERR_NOTFOUND;
	uint64_t base;

	if (node < 0 || fdt_reg_base(f, node, &base) < 0)
		return; /* keep the early UART; kmain says so */
	if (fdt_is_compatible(f, node, "ns16550a") || fdt_is_compatible(f, node, "ns16550")) {
		bi->console.kind = CONSOLE_NS16550_MMIO;
		bi->console.reg_shift = fdt_prop_u32(f, node, "reg-shift", 0);
	} else if (fdt_is_compatible(f, node, "arm,pl011")) {
		bi->console.kind = CONSOLE_PL011;
	} else {
		return;
	}
	bi->console.base = base;
	bi->console.irq = device_irq(f, node);
}

static void find_cpus(const struct fdt *f, struct boot_info *bi)
{
	int cpus = fdt_path(f, "/cpus");
	uint32_t ac;
	int node, len;
	const void *freq;

	if (cpus < 0)
		panic("device tree: no /cpus node");
	ac = fdt_prop_u32(f, cpus, "#address-cells", 1);
	freq = fdt_prop(f, cpus, "timebase-frequency", &len);
	if (freq && (len == 4 || len == 8))
		bi->timer_hz = fdt_read_cells(freq, (uint32_t)len / 4);

	for (node = fdt_first_child(f, cpus); node >= 0; node = fdt_next_sibling(f, node)) {
		const char *type = fdt_prop_string(f, node, "device_type");
		const void *reg = fdt_prop(f, node, "reg", &len);

		if (!type || strcmp(type, "cpu") != 0)
			continue;
		if (!reg || len != (int)ac * 4)
			panic("device tree: cpu node %s has a malformed reg", fdt_name(f, node));
		if (bi->cpu_count < BOOT_MAX_CPUS)
			bi->cpu_ids[bi->cpu_count++] = fdt_read_cells(reg, ac);
	}
	if (bi->cpu_count == 0)
		panic("device tree: no cpu nodes under /cpus");
}

static void find_irq_controller(const struct fdt *f, struct boot_info *bi)
{
	for (size_t i = 0; i < ARRAY_SIZE(irq_controllers); i++) {
		int node = fdt_find_compatible(f, -1, irq_controllers[i]);

		if (node >= 0 && fdt_reg_base(f, node, &bi->irq_controller_base) == 0) {
			bi->irq_controller = irq_controllers[i];
			return;
		}
	}
}

void boot_info_from_fdt(struct boot_info *bi, const void *blob)
{
	struct fdt *f = &boot_fdt;
	uint32_t where;
	int chosen;
	int err = fdt_open(f, blob, FDT_MAX_SIZE, &where);

	if (err)
		panic("device tree at %p rejected: %s (byte offset %u)", blob, fdt_strerror(err),
		      (unsigned int)where);

	bi->protocol = "FDT";
	bi->fdt = blob;
	chosen = fdt_path(f, "/chosen");
	if (chosen >= 0) {
		const char *args = fdt_prop_string(f, chosen, "bootargs");

		if (args)
			bi->cmdline = args;
		/* U-Boot records itself (and the FIT configuration it used) in /chosen. */
		bi->bootloader = fdt_prop_string(f, chosen, "u-boot,version");
		bi->boot_config = fdt_prop_string(f, chosen, "u-boot,bootconf");
	}
	find_memory(f, bi);
	find_console(f, chosen, bi);
	find_cpus(f, bi);
	find_irq_controller(f, bi);
}

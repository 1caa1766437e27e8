/*
 * The ACPI tables the kernel reads (ACPI 6.5, chapter 5.2): the RSDP, found the legacy
 * way when no loader hands it over; the RSDT or XSDT that lists the other tables; the
 * MADT for interrupt controllers and CPUs; the HPET table for the timer calibration.
 * Firmware data is checked before it is believed: every table must lie in the identity
 * map, have a sane length and a zero checksum, and every MADT entry must fit its table.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "printk.h"
#include "x86.h"

#define BIOS_AREA_START	 0xe0000
#define BIOS_AREA_END	 0x100000
#define IDENTITY_MAP_END ((uint64_t)BOOT_IDENTITY_GIB << 30)
/* No table read here comes near this; a larger length is corruption. */
#define SDT_MAX_LENGTH	 (1u << 20)

/* Root System Description Pointer (5.2.5.3). The first 20 bytes are ACPI 1.0's
 * and have their own checksum; revision 2 adds the rest. */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));
#define RSDP_V1_LENGTH 20

/* The header every other table starts with (5.2.6). */
struct acpi_sdt {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* MADT (5.2.12): local APIC address and flags, then variable-length entries,
 * each starting with its type and length. */
struct acpi_madt {
	struct acpi_sdt header;
	uint32_t lapic_address;
	uint32_t flags;
} __attribute__((packed));
#define MADT_PCAT_COMPAT 0x1 /* the system also has dual 8259 PICs */

enum {
	MADT_LOCAL_APIC = 0,	      /* 5.2.12.2 */
	MADT_IO_APIC = 1,	      /* 5.2.12.3 */
	MADT_SOURCE_OVERRIDE = 2,     /* 5.2.12.5 */
	MADT_LOCAL_APIC_OVERRIDE = 5, /* 5.2.12.8 */
	MADT_LOCAL_X2APIC = 9,	      /* 5.2.12.12 */
};

struct madt_local_apic {
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));
/* Local APIC flags (5.2.12.2): enabled now, or could be enabled at run time (a
 * hot-pluggable CPU, which is not counted here). */
#define LAPIC_ENABLED 0x1

struct madt_io_apic {
	uint8_t type, length;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __attribute__((packed));

struct madt_source_override {
	uint8_t type, length;
	uint8_t bus; /* 0: ISA */
	uint8_t source;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags */
} __attribute__((packed));

struct madt_local_apic_override {
	uint8_t type, length;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));

struct madt_local_x2apic {
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags; /* as for the local APIC */
	uint32_t processor_uid;
} __attribute__((packed));

/* IA-PC HPET specification 1.0a, 3.2.4 table 3: the base address is a Generic Address
 * Structure (ACPI 6.5 5.2.3.2) whose 64-bit address sits at offset 44. */
struct acpi_hpet {
	struct acpi_sdt header;
	uint32_t event_timer_block_id;
	uint8_t address_space_id; /* 0: system memory */
	uint8_t register_bit_width;
	uint8_t register_bit_offset;
	uint8_t access_size;
	uint64_t address;
	uint8_t hpet_number;
	uint16_t minimum_tick;
	uint8_t page_protection;
} __attribute__((packed));
#define ACPI_SPACE_MEMORY 0

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP layout (ACPI 6.5 5.2.5.3)");
_Static_assert(sizeof(struct acpi_sdt) == 36, "table header layout (ACPI 6.5 5.2.6)");
_Static_assert(sizeof(struct madt_local_x2apic) == 16, "x2APIC entry (ACPI 6.5 5.2.12.12)");
_Static_assert(offsetof(struct acpi_hpet, address) == 44, "HPET table layout");

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/* A pointer to [pa, pa + len), or NULL when it is not all inside the identity map. */
static const void *acpi_map(uint64_t pa, uint64_t len)
{
	if (pa == 0 || pa >= IDENTITY_MAP_END || len > IDENTITY_MAP_END - pa)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

uint64_t acpi_find_rsdp(void)
{
	for (uintptr_t p = BIOS_AREA_START; p < BIOS_AREA_END; p += 16) {
		const uint8_t *r = (const uint8_t *)p;

		if (memcmp(r, "RSD PTR ", 8) == 0 && checksum_ok(r, RSDP_V1_LENGTH))
			return p;
	}
	return 0;
}

/* The table at pa, whole and checked, or NULL with a warning saying what is wrong. */
static const struct acpi_sdt *map_table(uint64_t pa)
{
	const struct acpi_sdt *t = acpi_map(pa, sizeof(*t));

	if (!t) {
		pr_warn("ACPI: table at %#lx is outside the mapped 4 GiB, ignored\n", pa);
		return NULL;
	}
	if (t->length < sizeof(*t) || t->length > SDT_MAX_LENGTH || !acpi_map(pa, t->length)) {
		pr_warn("ACPI: table '%.4s' at %#lx has a bad length (%u bytes), ignored\n",
			t->signature, pa, t->length);
		return NULL;
	}
	if (!checksum_ok(t, t->length)) {
		pr_warn("ACPI: table '%.4s' at %#lx has a bad checksum, ignored\n", t->signature,
			pa);
		return NULL;
	}
	return t;
}

/* The root table: the XSDT (64-bit entries) when the RSDP has one, else the RSDT. */
static const struct acpi_sdt *root_table(uint64_t rsdp_pa, unsigned int *entry_size)
{
	const struct acpi_rsdp *rsdp = acpi_map(rsdp_pa, RSDP_V1_LENGTH);
	const struct acpi_sdt *root;

	if (!rsdp) {
		pr_warn("ACPI: RSDP at %#lx is outside the mapped 4 GiB\n", rsdp_pa);
		return NULL;
	}
	if (memcmp(rsdp->signature, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, RSDP_V1_LENGTH)) {
		pr_warn("ACPI: no valid RSDP at %#lx (bad signature or checksum)\n", rsdp_pa);
		return NULL;
	}
	if (rsdp->revision >= 2 && acpi_map(rsdp_pa, sizeof(*rsdp)) &&
	    rsdp->length >= sizeof(*rsdp) && rsdp->length <= SDT_MAX_LENGTH &&
	    acpi_map(rsdp_pa, rsdp->length) && checksum_ok(rsdp, rsdp->length) &&
	    rsdp->xsdt_address) {
		root = map_table(rsdp->xsdt_address);
		if (root && memcmp(root->signature, "XSDT", 4) == 0) {
			pr_debug("ACPI: RSDP revision %u, XSDT at %#lx\n", rsdp->revision,
				 rsdp->xsdt_address);
			*entry_size = 8;
			return root;
		}
		pr_warn("ACPI: the XSDT is unusable, trying the RSDT\n");
	}
	root = map_table(rsdp->rsdt_address);
	if (!root || memcmp(root->signature, "RSDT", 4) != 0) {
		pr_warn("ACPI: no usable RSDT at %#x\n", rsdp->rsdt_address);
		return NULL;
	}
	pr_debug("ACPI: RSDP revision %u, RSDT at %#x\n", rsdp->revision, rsdp->rsdt_address);
	*entry_size = 4;
	return root;
}

/* The first valid table with this signature that the root table lists, or NULL. */
static const struct acpi_sdt *find_table(uint64_t rsdp_pa, const char signature[4])
{
	unsigned int entry_size;
	const struct acpi_sdt *root = root_table(rsdp_pa, &entry_size);
	const uint8_t *entries;
	size_t count;

	if (!root)
		return NULL;
	entries = (const uint8_t *)(root + 1);
	count = (root->length - sizeof(*root)) / entry_size;
	for (size_t i = 0; i < count; i++) {
		uint64_t pa = 0;
		const struct acpi_sdt *t;

		/* XSDT entries are only 4-byte aligned: copy rather than dereference. */
		memcpy(&pa, entries + i * entry_size, entry_size);
		t = acpi_map(pa, sizeof(*t));
		if (!t || memcmp(t->signature, signature, 4) != 0)
			continue;
		t = map_table(pa);
		if (t)
			return t;
	}
	return NULL;
}

/* Minimum length of each entry type that is read; 0 for types that are skipped. */
static size_t madt_entry_min_length(uint8_t type)
{
	switch (type) {
	case MADT_LOCAL_APIC:
		return sizeof(struct madt_local_apic);
	case MADT_IO_APIC:
		return sizeof(struct madt_io_apic);
	case MADT_SOURCE_OVERRIDE:
		return sizeof(struct madt_source_override);
	case MADT_LOCAL_APIC_OVERRIDE:
		return sizeof(struct madt_local_apic_override);
	case MADT_LOCAL_X2APIC:
		return sizeof(struct madt_local_x2apic);
	default:
		return 0;
	}
}

static void add_cpu(struct madt_info *m, uint64_t apic_id, uint32_t flags)
{
	pr_debug("ACPI: MADT: CPU with APIC id %lu%s\n", apic_id,
		 flags & LAPIC_ENABLED ? "" : " (not enabled)");
	if (!(flags & LAPIC_ENABLED))
		return;
	if (m->cpu_count < BOOT_MAX_CPUS)
		m->cpu_apic_ids[m->cpu_count] = apic_id;
	m->cpu_count++;
}

static void add_ioapic(struct madt_info *m, const struct madt_io_apic *e)
{
	if (m->ioapic_count == MADT_MAX_IOAPICS) {
		pr_warn("ACPI: MADT: more than %d IOAPICs, ignoring the one at %#x\n",
			MADT_MAX_IOAPICS, e->address);
		return;
	}
	m->ioapic[m->ioapic_count].id = e->id;
	m->ioapic[m->ioapic_count].base = e->address;
	m->ioapic[m->ioapic_count].gsi_base = e->gsi_base;
	m->ioapic_count++;
	pr_debug("ACPI: MADT: IOAPIC id %u at %#x, GSI base %u\n", e->id, e->address, e->gsi_base);
}

static void add_override(struct madt_info *m, const struct madt_source_override *e)
{
	if (e->bus != 0 || e->source >= ISA_IRQS) {
		pr_warn("ACPI: MADT: override for bus %u source %u is not an ISA IRQ, ignored\n",
			e->bus, e->source);
		return;
	}
	m->isa[e->source].gsi = e->gsi;
	m->isa[e->source].flags = e->flags;
	pr_debug("ACPI: MADT: ISA IRQ %u -> GSI %u, flags %#x\n", e->source, e->gsi, e->flags);
}

int acpi_read_madt(uint64_t rsdp_pa, struct madt_info *m)
{
	const struct acpi_madt *madt;
	const uint8_t *p, *end;

	if (!rsdp_pa) {
		pr_warn("ACPI: no RSDP: the boot loader handed none over and none was found\n");
		return -E_NODEV;
	}
	madt = (const struct acpi_madt *)find_table(rsdp_pa, "APIC");
	if (!madt) {
		pr_warn("ACPI: no valid MADT ('APIC' table)\n");
		return -E_NODEV;
	}
	if (madt->header.length < sizeof(*madt)) {
		pr_warn("ACPI: MADT too short (%u bytes)\n", madt->header.length);
		return -E_BADFMT;
	}

	memset(m, 0, sizeof(*m));
	m->lapic_base = madt->lapic_address;
	m->pcat_compat = madt->flags & MADT_PCAT_COMPAT;
	/* ISA IRQs reach the same-numbered GSI unless an override says otherwise. */
	for (unsigned int irq = 0; irq < ISA_IRQS; irq++)
		m->isa[irq].gsi = irq;

	p = (const uint8_t *)(madt + 1);
	end = (const uint8_t *)madt + madt->header.length;
	while (p < end) {
		uint8_t type, length;

		if (end - p < 2) {
			pr_warn("ACPI: MADT: truncated entry at offset %ld\n",
				(long)(p - (const uint8_t *)madt));
			return -E_BADFMT;
		}
		type = p[0];
		length = p[1];
		if (length < 2 || length > end - p || length < madt_entry_min_length(type)) {
			pr_warn("ACPI: MADT: entry of type %u at offset %ld has a bad length %u\n",
				type, (long)(p - (const uint8_t *)madt), length);
			return -E_BADFMT;
		}
		switch (type) {
		case MADT_LOCAL_APIC: {
			const struct madt_local_apic *e = (const void *)p;

			add_cpu(m, e->apic_id, e->flags);
			break;
		}
		case MADT_LOCAL_X2APIC: {
			const struct madt_local_x2apic *e = (const void *)p;

			add_cpu(m, e->x2apic_id, e->flags);
			break;
		}
		case MADT_IO_APIC:
			add_ioapic(m, (const void *)p);
			break;
		case MADT_SOURCE_OVERRIDE:
			add_override(m, (const void *)p);
			break;
		case MADT_LOCAL_APIC_OVERRIDE:
			m->lapic_base = ((const struct madt_local_apic_override *)p)->address;
			break;
		default:
			break; /* NMI sources, other controllers: not used */
		}
		p += length;
	}
	return 0;
}

uint64_t acpi_hpet_base(uint64_t rsdp_pa)
{
	const struct acpi_hpet *hpet;

	if (!rsdp_pa)
		return 0;
	hpet = (const struct acpi_hpet *)find_table(rsdp_pa, "HPET");
	if (!hpet || hpet->header.length < sizeof(*hpet) ||
	    hpet->address_space_id != ACPI_SPACE_MEMORY)
		return 0;
	return hpet->address;
}

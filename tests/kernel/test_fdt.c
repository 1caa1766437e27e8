/*
 * FDT reader tests. The valid blob is tests/kernel/test.dts compiled by dtc at build
 * time; each malformed blob is that blob with one field broken, and each must be
 * rejected by fdt_open() with the matching error.
 */
#include <stdint.h>
#include <string.h>

#include "boot_info.h"
#include "fdt.h"
#include "ktest.h"

extern const uint8_t test_fdt_blob[], test_fdt_blob_end[];

/* Header field offsets (Devicetree Specification 5.2). */
enum {
	H_TOTALSIZE = 4,
	H_OFF_STRUCT = 8,
	H_OFF_STRINGS = 12,
	H_OFF_RSVMAP = 16,
	H_VERSION = 20,
	H_LAST_COMP = 24,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36
};
enum { TOK_BEGIN_NODE = 1, TOK_END_NODE = 2, TOK_PROP = 3, TOK_NOP = 4, TOK_END = 9 };

static uint8_t scratch[4096] __attribute__((aligned(8)));

static size_t blob_size(void)
{
	return (size_t)(test_fdt_blob_end - test_fdt_blob);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A fresh writable copy of the valid blob. */
static uint8_t *fresh_copy(void)
{
	memcpy(scratch, test_fdt_blob, blob_size());
	return scratch;
}

static int open_scratch(struct fdt *f)
{
	return fdt_open(f, scratch, sizeof(scratch), NULL);
}

/* Offset (in the structure block) of the n-th token of the given kind, found by a
 * plain scan that the test does itself, independent of the code under test. */
static uint32_t find_token(const uint8_t *b, uint32_t kind, int n)
{
	const uint8_t *s = b + fdt32(b + H_OFF_STRUCT);
	uint32_t size = fdt32(b + H_SIZE_STRUCT);
	uint32_t pos = 0;

	while (pos < size) {
		uint32_t t = fdt32(s + pos);

		if (t == kind && n-- == 0)
			return pos;
		if (t == TOK_BEGIN_NODE)
			pos += 4 + ((uint32_t)strlen((const char *)s + pos + 4) + 4) / 4 * 4;
		else if (t == TOK_PROP)
			pos += 12 + (fdt32(s + pos + 4) + 3) / 4 * 4;
		else
			pos += 4;
	}
	return UINT32_MAX;
}

static uint8_t *struct_block(uint8_t *b)
{
	return b + fdt32(b + H_OFF_STRUCT);
}

/* ---- the valid blob ------------------------------------------------------------- */

static void opens_valid_blob(struct ktest *t)
{
	struct fdt f;
	int err = fdt_open(&f, test_fdt_blob, blob_size(), NULL);

	KTEST_ASSERT_EQ(t, err, 0);
	KTEST_EXPECT_EQ(t, f.size, (uint32_t)blob_size());
	KTEST_EXPECT_STREQ(t, fdt_name(&f, fdt_root(&f)), "");
	KTEST_EXPECT_STREQ(t, fdt_prop_string(&f, fdt_root(&f), "model"), "ktest board");
}

static void finds_nodes_by_path(struct ktest *t)
{
	struct fdt f;
	int node;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	node = fdt_path(&f, "/soc/serial@10000000");
	KTEST_ASSERT_GE(t, node, 0);
	KTEST_EXPECT_STREQ(t, fdt_name(&f, node), "serial@10000000");
	/* Without a unit address, a component matches the node that has one. */
	KTEST_EXPECT_EQ(t, fdt_path(&f, "/soc/serial"), node);
	KTEST_EXPECT_STREQ(t, fdt_name(&f, fdt_path(&f, "/memory")), "memory@40000000");
	KTEST_EXPECT_EQ(t, fdt_path(&f, "/"), fdt_root(&f));
	KTEST_EXPECT_EQ(t, fdt_path(&f, "/soc/serial@1"), -FDT_ERR_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_path(&f, "/nonexistent"), -FDT_ERR_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_path(&f, "soc"), -FDT_ERR_NOTFOUND);
}

static void walks_children_in_order(struct ktest *t)
{
	static const char *const expected[] = {"cpu@0", "cpu@3", "cpu-map"};
	struct fdt f;
	size_t i = 0;
	int node;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	for (node = fdt_first_child(&f, fdt_path(&f, "/cpus")); node >= 0;
	     node = fdt_next_sibling(&f, node), i++) {
		KTEST_ASSERT_TRUE(t, i < ARRAY_SIZE(expected));
		KTEST_EXPECT_STREQ(t, fdt_name(&f, node), expected[i]);
	}
	KTEST_EXPECT_EQ(t, i, ARRAY_SIZE(expected));
	KTEST_EXPECT_EQ(t, fdt_first_child(&f, fdt_path(&f, "/soc/empty-node")), -FDT_ERR_NOTFOUND);
}

static void reads_properties(struct ktest *t)
{
	struct fdt f;
	int serial, len;
	const void *p;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	serial = fdt_path(&f, "/soc/serial@10000000");
	KTEST_EXPECT_EQ(t, fdt_prop_u32(&f, serial, "reg-shift", 0), 2u);
	KTEST_EXPECT_EQ(t, fdt_prop_u32(&f, serial, "no-such-prop", 77), 77u);
	p = fdt_prop(&f, serial, "reg", &len);
	KTEST_ASSERT_TRUE(t, p != NULL);
	KTEST_EXPECT_EQ(t, len, 16);
	KTEST_EXPECT_EQ(t, fdt_read_cells(p, 2), 0x10000000ull);
	KTEST_EXPECT_TRUE(t, fdt_prop(&f, serial, "missing", &len) == NULL);
	KTEST_EXPECT_EQ(t, len, -FDT_ERR_NOTFOUND);
	/* A string list reads as its first entry. */
	KTEST_EXPECT_STREQ(t, fdt_prop_string(&f, serial, "compatible"), "vendor,uart");
	/* An empty (boolean) property is not a string. */
	KTEST_EXPECT_TRUE(t, fdt_prop_string(&f, fdt_path(&f, "/soc/interrupt-controller"),
					     "interrupt-controller") == NULL);
}

static void matches_compatible_lists(struct ktest *t)
{
	struct fdt f;
	int serial, found;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	serial = fdt_path(&f, "/soc/serial@10000000");
	KTEST_EXPECT_TRUE(t, fdt_is_compatible(&f, serial, "ns16550a"));
	KTEST_EXPECT_TRUE(t, fdt_is_compatible(&f, serial, "vendor,uart"));
	KTEST_EXPECT_FALSE(t, fdt_is_compatible(&f, serial, "ns16550"));
	found = fdt_find_compatible(&f, -1, "ns16550a");
	KTEST_EXPECT_EQ(t, found, serial);
	KTEST_EXPECT_EQ(t, fdt_find_compatible(&f, found, "ns16550a"), -FDT_ERR_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_find_compatible(&f, -1, "refkernel,test"), fdt_root(&f));
}

static void finds_parents_and_reg(struct ktest *t)
{
	struct fdt f;
	uint64_t base = 0;
	int serial;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	serial = fdt_path(&f, "/soc/serial@10000000");
	KTEST_EXPECT_EQ(t, fdt_parent(&f, serial), fdt_path(&f, "/soc"));
	KTEST_EXPECT_EQ(t, fdt_parent(&f, fdt_root(&f)), -FDT_ERR_NOTFOUND);
	KTEST_EXPECT_EQ(t, fdt_reg_base(&f, serial, &base), 0);
	KTEST_EXPECT_EQ(t, base, 0x10000000ull);
	KTEST_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/soc"), &base), -FDT_ERR_NOTFOUND);
}

static void resolves_interrupt_parents(struct ktest *t)
{
	struct fdt f;
	int dev, plic, gic;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	plic = fdt_path(&f, "/soc/interrupt-controller");
	gic = fdt_path(&f, "/soc/gic");
	/* Inherited from the root... */
	KTEST_EXPECT_EQ(t, fdt_interrupt_parent(&f, fdt_path(&f, "/soc/serial")), plic);
	/* ... or the node's own. */
	dev = fdt_path(&f, "/soc/gic-device");
	KTEST_EXPECT_EQ(t, fdt_interrupt_parent(&f, dev), gic);
	KTEST_EXPECT_EQ(t, fdt_find_phandle(&f, 0x12345), -FDT_ERR_NOTFOUND);
}

static void reads_memory_reservations(struct ktest *t)
{
	struct fdt f;
	uint64_t base, size;

	KTEST_ASSERT_EQ(t, fdt_open(&f, test_fdt_blob, blob_size(), NULL), 0);
	KTEST_EXPECT_TRUE(t, fdt_reserved_entry(&f, 0, &base, &size));
	KTEST_EXPECT_EQ(t, base, 0x48000000ull);
	KTEST_EXPECT_EQ(t, size, 0x10000ull);
	KTEST_EXPECT_FALSE(t, fdt_reserved_entry(&f, 1, &base, &size));
}

static void fills_boot_info(struct ktest *t)
{
	struct boot_info bi = BOOT_INFO_INIT;

	boot_info_from_fdt(&bi, test_fdt_blob);
	KTEST_EXPECT_STREQ(t, bi.protocol, "FDT");
	KTEST_EXPECT_STREQ(t, bi.cmdline, "console=ttyS0 loglevel=5");
	KTEST_ASSERT_EQ(t, bi.mem_count, 2u);
	KTEST_EXPECT_EQ(t, bi.mem[0].base, 0x40000000ull);
	KTEST_EXPECT_EQ(t, bi.mem[0].size, 0x8000000ull);
	KTEST_EXPECT_EQ(t, bi.mem[1].base, 0x100000000ull);
	KTEST_EXPECT_EQ(t, boot_info_mem_total(&bi), 0x18000000ull);
	/* memreserve entry, reserved-memory child, the blob itself */
	KTEST_ASSERT_EQ(t, bi.reserved_count, 3u);
	KTEST_EXPECT_EQ(t, bi.reserved[0].base, 0x48000000ull);
	KTEST_EXPECT_EQ(t, bi.reserved[1].size, 0x80000ull);
	KTEST_EXPECT_EQ(t, bi.reserved[2].base, (uint64_t)(uintptr_t)test_fdt_blob);
	/* stdout-path names an alias with options: serial0:115200n8 */
	KTEST_EXPECT_EQ(t, (int)bi.console.kind, (int)CONSOLE_NS16550_MMIO);
	KTEST_EXPECT_EQ(t, bi.console.base, 0x10000000ull);
	KTEST_EXPECT_EQ(t, bi.console.reg_shift, 2u);
	KTEST_EXPECT_EQ(t, bi.console.irq, 10); /* the PLIC's one-cell specifier */
	KTEST_ASSERT_EQ(t, bi.cpu_count, 2u);
	KTEST_EXPECT_EQ(t, bi.cpu_ids[1], 3ull);
	KTEST_EXPECT_EQ(t, bi.timer_hz, 10000000ull);
	KTEST_EXPECT_STREQ(t, bi.irq_controller, "riscv,plic0");
	KTEST_EXPECT_EQ(t, bi.irq_controller_base, 0xc000000ull);
}

/* ---- malformed blobs -------------------------------------------------------------- */

static void expect_rejected(struct ktest *t, int want, const char *what)
{
	struct fdt f;
	int err = open_scratch(&f);

	if (err != -want)
		ktest_fail(t, __FILE__, __LINE__, "%s: fdt_open gave %d (%s), expected -%d (%s)",
			   what, err, fdt_strerror(err), want, fdt_strerror(-want));
	KTEST_EXPECT_TRUE(t, f.blob == NULL); /* nothing usable is left behind */
}

static void rejects_bad_header(struct ktest *t)
{
	struct fdt f;
	uint32_t where = 1;

	put32(fresh_copy(), 0xd00dfeee);
	expect_rejected(t, FDT_ERR_MAGIC, "bad magic");
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch, sizeof(scratch), &where), -FDT_ERR_MAGIC);
	KTEST_EXPECT_EQ(t, where, 0u);

	put32(fresh_copy() + H_VERSION, 16);
	expect_rejected(t, FDT_ERR_VERSION, "version 16");
	put32(fresh_copy() + H_LAST_COMP, 18);
	expect_rejected(t, FDT_ERR_VERSION, "last compatible version 18");

	KTEST_EXPECT_EQ(t, fdt_open(&f, NULL, 4096, NULL), -FDT_ERR_NULL);
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch + 4, sizeof(scratch) - 4, NULL),
			-FDT_ERR_BADOFFSET); /* misaligned */
	KTEST_EXPECT_STREQ(t, fdt_strerror(-FDT_ERR_MAGIC), "bad magic (not a device tree)");
}

static void rejects_bad_offsets(struct ktest *t)
{
	uint8_t *b;

	b = fresh_copy();
	put32(b + H_OFF_STRUCT, fdt32(b + H_TOTALSIZE));
	expect_rejected(t, FDT_ERR_BADOFFSET, "structure block past the end");

	b = fresh_copy();
	put32(b + H_SIZE_STRUCT, 0xfffffff0); /* offset + size overflows 32 bits */
	expect_rejected(t, FDT_ERR_BADOFFSET, "huge structure size");

	b = fresh_copy();
	put32(b + H_OFF_STRUCT, fdt32(b + H_OFF_STRUCT) + 2);
	expect_rejected(t, FDT_ERR_BADOFFSET, "misaligned structure block");

	b = fresh_copy();
	put32(b + H_OFF_STRINGS, fdt32(b + H_TOTALSIZE) - 1);
	expect_rejected(t, FDT_ERR_BADOFFSET, "strings block past the end");

	b = fresh_copy();
	put32(b + H_TOTALSIZE, 8u << 20);
	expect_rejected(t, FDT_ERR_BADOFFSET, "totalsize above the limit");

	b = fresh_copy();
	put32(b + H_OFF_RSVMAP, (fdt32(b + H_TOTALSIZE) - 8) & ~7u);
	expect_rejected(t, FDT_ERR_BADRSVMAP, "unterminated reservation block");
}

static void rejects_truncation(struct ktest *t)
{
	struct fdt f;
	size_t total = blob_size();
	int bad = 0;

	/* Every length short of totalsize must be refused, never read past. */
	for (size_t max = 0; max < total; max++)
		if (fdt_open(&f, test_fdt_blob, max, NULL) != -FDT_ERR_TRUNCATED)
			bad++;
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, fdt_open(&f, test_fdt_blob, total, NULL), 0);
}

static void rejects_unterminated_strings(struct ktest *t)
{
	uint8_t *b = fresh_copy();
	uint32_t size = fdt32(b + H_SIZE_STRINGS);

	/* Cut the last property name's NUL off the strings block. */
	put32(b + H_SIZE_STRINGS, size - 1);
	expect_rejected(t, FDT_ERR_BADSTRING, "truncated strings block");

	/* A property whose name offset points outside the strings block. */
	b = fresh_copy();
	put32(struct_block(b) + find_token(b, TOK_PROP, 0) + 8, 0x10000);
	expect_rejected(t, FDT_ERR_BADSTRING, "name offset outside the strings block");

	/* A node name that never ends: overwrite everything after its start. */
	b = fresh_copy();
	{
		uint8_t *s = struct_block(b);
		uint32_t node = find_token(b, TOK_BEGIN_NODE, 1);

		memset(s + node + 4, 'x', fdt32(b + H_SIZE_STRUCT) - node - 4);
	}
	expect_rejected(t, FDT_ERR_BADSTRING, "unterminated node name");
}

static void rejects_bad_structure(struct ktest *t)
{
	uint8_t *b;
	uint32_t size;

	b = fresh_copy();
	put32(struct_block(b) + find_token(b, TOK_PROP, 2) + 4, 0x100000);
	expect_rejected(t, FDT_ERR_BADPROP, "property longer than the structure block");

	b = fresh_copy();
	size = fdt32(b + H_SIZE_STRUCT);
	put32(b + H_SIZE_STRUCT, size - 4); /* drop FDT_END */
	expect_rejected(t, FDT_ERR_BADSTRUCTURE, "missing FDT_END");

	b = fresh_copy();
	size = fdt32(b + H_SIZE_STRUCT);
	put32(struct_block(b) + size - 8, TOK_NOP); /* the root's END_NODE */
	expect_rejected(t, FDT_ERR_BADSTRUCTURE, "unclosed root node");

	b = fresh_copy();
	put32(struct_block(b) + find_token(b, TOK_BEGIN_NODE, 1), 7);
	expect_rejected(t, FDT_ERR_BADSTRUCTURE, "unknown token");

	b = fresh_copy();
	put32(struct_block(b) + find_token(b, TOK_BEGIN_NODE, 0), TOK_END_NODE);
	expect_rejected(t, FDT_ERR_BADSTRUCTURE, "END_NODE before any node");
}

/* Build by hand a blob of `depth` nested unnamed nodes: the header (padded to 48
 * bytes), the structure block, an empty reservation map (16 zero bytes), no strings. */
static void build_nested(uint8_t *b, int depth)
{
	uint32_t off_struct = 48, pos = 0, rsvmap;
	uint8_t *s = b + off_struct;

	memset(b, 0, sizeof(scratch));
	for (int i = 0; i < depth; i++, pos += 8)
		put32(s + pos, TOK_BEGIN_NODE); /* token + empty name, padded */
	for (int i = 0; i < depth; i++, pos += 4)
		put32(s + pos, TOK_END_NODE);
	put32(s + pos, TOK_END);
	pos += 4;
	rsvmap = (off_struct + pos + 7) & ~7u;

	put32(b, FDT_MAGIC);
	put32(b + H_TOTALSIZE, rsvmap + 16);
	put32(b + H_OFF_STRUCT, off_struct);
	put32(b + H_SIZE_STRUCT, pos);
	put32(b + H_OFF_STRINGS, rsvmap + 16);
	put32(b + H_OFF_RSVMAP, rsvmap);
	put32(b + H_VERSION, 17);
	put32(b + H_LAST_COMP, 16);
}

static void limits_nesting_depth(struct ktest *t)
{
	struct fdt f;

	build_nested(scratch, FDT_MAX_DEPTH);
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch, sizeof(scratch), NULL), 0);
	KTEST_EXPECT_GE(t, fdt_first_child(&f, fdt_root(&f)), 0);

	build_nested(scratch, FDT_MAX_DEPTH + 1);
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch, sizeof(scratch), NULL), -FDT_ERR_TOODEEP);
}

/* root { child { }; x; }: a property after a child node (spec 5.4.2 forbids it, and
 * fdt_prop() would never find it). */
static void rejects_property_after_child(struct ktest *t)
{
	static const uint32_t tokens[] = {
		TOK_BEGIN_NODE, 0,		  /* the root, empty name */
		TOK_BEGIN_NODE, 0x63000000,	  /* "c" */
		TOK_END_NODE,	TOK_PROP,   0, 0, /* "x", no value */
		TOK_END_NODE,	TOK_END,
	};
	uint32_t off_struct = 48, size = sizeof(tokens), rsvmap, strings;
	struct fdt f;

	memset(scratch, 0, sizeof(scratch));
	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++)
		put32(scratch + off_struct + 4 * i, tokens[i]);
	strings = off_struct + size;
	memcpy(scratch + strings, "x", 2);
	rsvmap = (strings + 2 + 7) & ~7u;
	put32(scratch, FDT_MAGIC);
	put32(scratch + H_TOTALSIZE, rsvmap + 16);
	put32(scratch + H_OFF_STRUCT, off_struct);
	put32(scratch + H_SIZE_STRUCT, size);
	put32(scratch + H_OFF_STRINGS, strings);
	put32(scratch + H_SIZE_STRINGS, 2);
	put32(scratch + H_OFF_RSVMAP, rsvmap);
	put32(scratch + H_VERSION, 17);
	put32(scratch + H_LAST_COMP, 16);
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch, sizeof(scratch), NULL), -FDT_ERR_BADSTRUCTURE);

	/* The same property before the child is fine. */
	put32(scratch + off_struct + 8, TOK_PROP);
	put32(scratch + off_struct + 12, 0);
	put32(scratch + off_struct + 16, 0);
	put32(scratch + off_struct + 20, TOK_BEGIN_NODE);
	put32(scratch + off_struct + 24, 0x63000000);
	put32(scratch + off_struct + 28, TOK_END_NODE);
	KTEST_EXPECT_EQ(t, fdt_open(&f, scratch, sizeof(scratch), NULL), 0);
	KTEST_EXPECT_TRUE(t, fdt_prop(&f, fdt_root(&f), "x", NULL) != NULL);
}

/* Flip one bit in every byte: each variant is either rejected, or opens and can be
 * walked completely (every node, every property) in bounded time. */
static void survives_bit_flips(struct ktest *t)
{
	size_t total = blob_size();
	int opened = 0, rejected = 0;

	for (size_t i = 0; i < total; i++) {
		struct fdt f;
		int node, steps = 0;

		fresh_copy()[i] ^= (uint8_t)(1u << (i % 8));
		if (open_scratch(&f) != 0) {
			rejected++;
			continue;
		}
		opened++;
		for (node = fdt_find_compatible(&f, -1, ""); node >= 0 && steps < 1000;
		     node = fdt_find_compatible(&f, node, ""), steps++)
			;
		for (node = fdt_first_child(&f, fdt_root(&f)); node >= 0 && steps < 2000;
		     node = fdt_next_sibling(&f, node), steps++)
			(void)fdt_prop_string(&f, node, "compatible");
		KTEST_EXPECT_LT(t, steps, 2000);
	}
	KTEST_EXPECT_GT(t, rejected, 0);
	KTEST_EXPECT_GT(t, opened, 0); /* flips inside property data stay valid */
}

KTEST_SUITE(fdt, KTEST_CASE(opens_valid_blob), KTEST_CASE(finds_nodes_by_path),
	    KTEST_CASE(walks_children_in_order), KTEST_CASE(reads_properties),
	    KTEST_CASE(matches_compatible_lists), KTEST_CASE(finds_parents_and_reg),
	    KTEST_CASE(resolves_interrupt_parents), KTEST_CASE(reads_memory_reservations),
	    KTEST_CASE(fills_boot_info), KTEST_CASE(rejects_bad_header),
	    KTEST_CASE(rejects_bad_offsets), KTEST_CASE(rejects_truncation),
	    KTEST_CASE(rejects_unterminated_strings), KTEST_CASE(rejects_bad_structure),
	    KTEST_CASE(limits_nesting_depth), KTEST_CASE(rejects_property_after_child),
	    KTEST_CASE(survives_bit_flips));

/*
 * kernel/fdt.c on the host. Blobs come from dtc (tests/kernel/test.dts, also padded and
 * as version 16, and tests/unit/fdt_variety.dts, compiled by tests/host/test_unit.py),
 * from a small builder here (NOP tokens, nesting limits, malformed structure), and from
 * sweeps over the dtc blobs: every truncation, every block cut short, every single-bit
 * flip, random word mutations.
 *
 * Every blob is handed over in a heap block of exactly the size passed as max_size, and
 * blocks that are cut are moved to the end of it, so a read past what fdt_open() checked
 * is an AddressSanitizer report, not a silent pass. Whatever fdt_open() accepts is then
 * compared, accessor by accessor, with an independent scan of the blob written from the
 * Devicetree Specification (v0.4, chapter 5).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "unit.h"

enum {
	H_MAGIC = 0,
	H_TOTALSIZE = 4,
	H_OFF_STRUCT = 8,
	H_OFF_STRINGS = 12,
	H_OFF_RSVMAP = 16,
	H_VERSION = 20,
	H_LAST_COMP = 24,
	H_BOOT_CPU = 28,
	H_SIZE_STRINGS = 32,
	H_SIZE_STRUCT = 36,
	H_SIZE = 40
};
enum { TOK_BEGIN_NODE = 1, TOK_END_NODE = 2, TOK_PROP = 3, TOK_NOP = 4, TOK_END = 9 };

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t align4(uint32_t x)
{
	return (x + 3) & ~3u;
}

/* ---- the reference scan ------------------------------------------------------------ */

#define SCAN_NODES 256
#define SCAN_PROPS 1024
#define SCAN_RSV   64
#define SCAN_DEPTH 64

struct scan_node {
	uint32_t off; /* of its BEGIN_NODE token in the structure block */
	int parent;   /* index, -1 for the root */
	const char *name;
	int first_prop, nprops; /* its properties, together in props[] */
};

struct scan_prop {
	int node;
	const char *name;
	uint32_t data; /* offset of the value in the structure block */
	uint32_t len;
};

struct scan {
	const uint8_t *structs;
	uint32_t structs_size;
	struct scan_node nodes[SCAN_NODES];
	int nnodes;
	struct scan_prop props[SCAN_PROPS];
	int nprops;
	uint64_t rsv[SCAN_RSV][2];
	int nrsv;
};

enum scan_result {
	SCAN_OK,
	SCAN_BAD,	 /* breaks the rules fdt_open() promises to check */
	SCAN_UNMODELLED, /* valid for fdt_open() but outside what this model covers:
			  * properties after a child node (spec 5.4.2 forbids them; the
			  * accessors then do not see them), or too big for the tables */
};

static struct scan ref; /* one at a time; too big for the stack */

/* Length of the string at p if a NUL comes before end, else -1. */
static long bounded_len(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *nul = memchr(p, 0, (size_t)(end - p));

	return nul ? nul - p : -1;
}

static enum scan_result scan_blob(struct scan *sc, const uint8_t *b, size_t size)
{
	uint32_t total, off_struct, size_struct, off_strings, size_strings, off_rsv;
	const char *strings;
	const uint8_t *s;
	int stack[SCAN_DEPTH], depth = 0, roots = 0;
	bool children_begun[SCAN_DEPTH] = {false};
	bool unmodelled = false;
	uint32_t pos = 0;

	memset(sc, 0, offsetof(struct scan, nodes));
	sc->nnodes = sc->nprops = sc->nrsv = 0;
	if (size < H_SIZE || be32(b + H_MAGIC) != FDT_MAGIC)
		return SCAN_BAD;
	total = be32(b + H_TOTALSIZE);
	off_struct = be32(b + H_OFF_STRUCT);
	size_struct = be32(b + H_SIZE_STRUCT);
	off_strings = be32(b + H_OFF_STRINGS);
	size_strings = be32(b + H_SIZE_STRINGS);
	off_rsv = be32(b + H_OFF_RSVMAP);
	if (total > size || (uint64_t)off_struct + size_struct > total ||
	    (uint64_t)off_strings + size_strings > total)
		return SCAN_BAD;
	for (;; sc->nrsv++) {
		if ((uint64_t)off_rsv + 16 * ((uint64_t)sc->nrsv + 1) > total)
			return SCAN_BAD;
		const uint8_t *e = b + off_rsv + 16 * sc->nrsv;

		if (be64(e) == 0 && be64(e + 8) == 0)
			break;
		if (sc->nrsv == SCAN_RSV)
			return SCAN_UNMODELLED;
		sc->rsv[sc->nrsv][0] = be64(e);
		sc->rsv[sc->nrsv][1] = be64(e + 8);
	}
	s = b + off_struct;
	strings = (const char *)b + off_strings;
	sc->structs = s;
	sc->structs_size = size_struct;

	for (;;) {
		uint32_t token;
		long n;

		if ((uint64_t)pos + 4 > size_struct)
			return SCAN_BAD;
		token = be32(s + pos);
		pos += 4;
		switch (token) {
		case TOK_BEGIN_NODE:
			if (depth == 0 && roots++)
				return SCAN_BAD;
			if (depth == SCAN_DEPTH)
				return SCAN_BAD;
			n = bounded_len(s + pos, s + size_struct);
			if (n < 0)
				return SCAN_BAD;
			if (sc->nnodes == SCAN_NODES)
				return SCAN_UNMODELLED;
			if (depth > 0)
				children_begun[depth - 1] = true;
			sc->nodes[sc->nnodes] =
				(struct scan_node){pos - 4, depth ? stack[depth - 1] : -1,
						   (const char *)s + pos, sc->nprops, 0};
			children_begun[depth] = false;
			stack[depth++] = sc->nnodes++;
			pos = align4(pos + (uint32_t)n + 1);
			break;
		case TOK_END_NODE:
			if (depth == 0)
				return SCAN_BAD;
			depth--;
			break;
		case TOK_PROP: {
			uint32_t len, nameoff;

			if (depth == 0 || (uint64_t)pos + 8 > size_struct)
				return SCAN_BAD;
			len = be32(s + pos);
			nameoff = be32(s + pos + 4);
			pos += 8;
			if ((uint64_t)pos + len > size_struct || nameoff >= size_strings ||
			    bounded_len((const uint8_t *)strings + nameoff,
					(const uint8_t *)strings + size_strings) < 0)
				return SCAN_BAD;
			if (children_begun[depth - 1])
				unmodelled = true;
			if (sc->nprops == SCAN_PROPS)
				return SCAN_UNMODELLED;
			sc->nodes[stack[depth - 1]].nprops++;
			sc->props[sc->nprops++] =
				(struct scan_prop){stack[depth - 1], strings + nameoff, pos, len};
			pos = align4(pos + len);
			break;
		}
		case TOK_NOP:
			break;
		case TOK_END:
			if (depth != 0 || roots != 1)
				return SCAN_BAD;
			return unmodelled ? SCAN_UNMODELLED : SCAN_OK;
		default:
			return SCAN_BAD;
		}
		if (pos > size_struct)
			return SCAN_BAD;
	}
}

/* ---- what the accessors should return, from the scan --------------------------------- */

/* The first property of that name (a model blob has each node's properties before its
 * children, so they are together in props[]). */
static const struct scan_prop *ref_prop(const struct scan *sc, int node, const char *name)
{
	const struct scan_node *n = &sc->nodes[node];

	for (int i = n->first_prop; i < n->first_prop + n->nprops; i++)
		if (strcmp(sc->props[i].name, name) == 0)
			return &sc->props[i];
	return NULL;
}

static uint32_t ref_u32(const struct scan *sc, int node, const char *name, uint32_t dflt)
{
	const struct scan_prop *p = ref_prop(sc, node, name);

	return p && p->len == 4 ? be32(sc->structs + p->data) : dflt;
}

/* Is compat one of the NUL-terminated entries of the node's "compatible"? */
static bool ref_compatible(const struct scan *sc, int node, const char *compat)
{
	const struct scan_prop *p = ref_prop(sc, node, "compatible");
	uint32_t i = 0;

	if (!p)
		return false;
	while (i < p->len) {
		const char *entry = (const char *)sc->structs + p->data + i;
		long n = bounded_len((const uint8_t *)entry, sc->structs + p->data + p->len);

		if (n < 0)
			return false;
		if (strcmp(entry, compat) == 0)
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

static int ref_off(const struct scan *sc, int index)
{
	return index < 0 ? -FDT_ERR_NOTFOUND : (int)sc->nodes[index].off;
}

static int ref_phandle(const struct scan *sc, uint32_t phandle)
{
	for (int i = 0; i < sc->nnodes; i++)
		if (ref_u32(sc, i, "phandle", 0) == phandle)
			return i;
	return -1;
}

/* Devicetree Specification 2.4.1: the nearest interrupt-parent up the tree. */
static int ref_interrupt_parent(const struct scan *sc, int node)
{
	for (int depth = 0; node >= 0 && depth < FDT_MAX_DEPTH; depth++) {
		uint32_t phandle = ref_u32(sc, node, "interrupt-parent", 0);

		if (phandle)
			return ref_phandle(sc, phandle);
		node = sc->nodes[node].parent;
	}
	return -1;
}

/* A path component matches a name exactly, or up to its '@' when the component has
 * no unit address itself (fdt.h). */
static bool ref_name_matches(const char *name, const char *comp, size_t len)
{
	size_t n = strlen(name);
	const char *at = strchr(name, '@');

	if (n == len && memcmp(name, comp, len) == 0)
		return true;
	return at && (size_t)(at - name) == len && memcmp(name, comp, len) == 0 &&
	       !memchr(comp, '@', len);
}

static int ref_path(const struct scan *sc, const char *path)
{
	int node = 0;

	if (path[0] != '/')
		return -1;
	while (*path) {
		const char *comp;
		size_t len;
		int child = -1;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		comp = path;
		while (*path && *path != '/')
			path++;
		len = (size_t)(path - comp);
		for (int i = node + 1; i < sc->nnodes; i++) {
			if (sc->nodes[i].parent == node &&
			    ref_name_matches(sc->nodes[i].name, comp, len)) {
				child = i;
				break;
			}
		}
		if (child < 0)
			return -1;
		node = child;
	}
	return node;
}

static bool ref_path_of(const struct scan *sc, int node, char *buf, size_t size)
{
	const char *names[SCAN_DEPTH];
	int depth = 0;
	size_t len = 0;

	for (; node > 0; node = sc->nodes[node].parent)
		names[depth++] = sc->nodes[node].name;
	buf[0] = '\0';
	if (depth == 0)
		return snprintf(buf, size, "/") < (int)size;
	while (depth--) {
		int n = snprintf(buf + len, size - len, "/%s", names[depth]);

		if (n < 0 || (size_t)n >= size - len)
			return false;
		len += (size_t)n;
	}
	return true;
}

/* ---- the accessors against the scan -------------------------------------------------- */

static int api_walk(const struct fdt *f, int node, int *order, int n, int cap)
{
	if (n >= cap)
		return n + 1;
	order[n++] = node;
	for (int c = fdt_first_child(f, node); c >= 0 && n <= cap; c = fdt_next_sibling(f, c))
		n = api_walk(f, c, order, n, cap);
	return n;
}

/* The accessors on every node of an opened blob: the walk, names and properties; and,
 * when `thorough`, those that cost a walk of the whole blob per call (parents, reg,
 * interrupt parents, phandles, paths, compatible searches). */
static void check_tree(struct unit *t, const struct fdt *f, const struct scan *sc, const char *what,
		       bool thorough)
{
	static int order[SCAN_NODES + 2];
	static const char *const probes[] = {
		"compatible",	    "reg",   "phandle",		"#address-cells",
		"interrupt-parent", "model", "no-such-property"};
	int n;

	if (!UNIT_CHECK(t, fdt_root(f) == (int)sc->nodes[0].off, "%s: root at %d, not %u", what,
			fdt_root(f), sc->nodes[0].off))
		return;
	n = api_walk(f, fdt_root(f), order, 0, SCAN_NODES + 1);
	UNIT_CHECK(t, n == sc->nnodes, "%s: the child/sibling walk found %d nodes, not %d", what, n,
		   sc->nnodes);
	for (int i = 0; i < n && i < sc->nnodes; i++)
		if (!UNIT_CHECK(t, order[i] == (int)sc->nodes[i].off,
				"%s: node %d of the walk at %d, not %u", what, i, order[i],
				sc->nodes[i].off))
			return;

	for (int i = 0; i < sc->nnodes; i++) {
		const struct scan_node *sn = &sc->nodes[i];
		int node = (int)sn->off, len = 0;

		UNIT_CHECK(t, fdt_name(f, node) == sn->name, "%s: name of node %d", what, i);
		/* Every property by its name (the first of a name wins), as data, as a
		 * string and as a cell; and a few names it may lack. */
		for (int j = sn->first_prop; j < sn->first_prop + sn->nprops + 7; j++) {
			const char *name = j < sn->first_prop + sn->nprops
						   ? sc->props[j].name
						   : probes[j - sn->first_prop - sn->nprops];
			const struct scan_prop *want = ref_prop(sc, i, name);
			const void *got = fdt_prop(f, node, name, &len);
			const char *want_str =
				want && want->len > 0 &&
						sc->structs[want->data + want->len - 1] == 0
					? (const char *)sc->structs + want->data
					: NULL;

			if (want)
				UNIT_CHECK(t,
					   got == sc->structs + want->data && len == (int)want->len,
					   "%s: node %s property %s: "
					   "%p/%d, not %p/%u",
					   what, sn->name, name, got, len,
					   (const void *)(sc->structs + want->data), want->len);
			else
				UNIT_CHECK(t, !got && len == -FDT_ERR_NOTFOUND,
					   "%s: node %s has no %s", what, sn->name, name);
			UNIT_CHECK(t, fdt_prop_string(f, node, name) == want_str,
				   "%s: node %s string %s", what, sn->name, name);
			UNIT_CHECK(t,
				   fdt_prop_u32(f, node, name, 0x5a5a) ==
					   ref_u32(sc, i, name, 0x5a5a),
				   "%s: node %s u32 %s", what, sn->name, name);
			if (!thorough && j >= sn->first_prop + sn->nprops)
				break;
		}
		if (thorough) {
			for (int j = 0; j < sc->nnodes; j++) {
				const struct scan_prop *c = ref_prop(sc, j, "compatible");
				const char *first;

				if (!c || c->len == 0 ||
				    bounded_len(sc->structs + c->data,
						sc->structs + c->data + c->len) < 0)
					continue;
				first = (const char *)sc->structs + c->data;
				UNIT_CHECK(t,
					   fdt_is_compatible(f, node, first) ==
						   ref_compatible(sc, i, first),
					   "%s: node %s compatible "
					   "with \"%s\"",
					   what, sn->name, first);
			}
		}
		if (!thorough)
			continue;
		UNIT_CHECK(t, fdt_parent(f, node) == ref_off(sc, sc->nodes[i].parent),
			   "%s: parent of %s", what, sc->nodes[i].name);

		uint64_t base = 0x77, want_base = 0x77;
		int parent = sc->nodes[i].parent;
		uint32_t cells = parent >= 0 ? ref_u32(sc, parent, "#address-cells", 2) : 2;
		const struct scan_prop *reg = ref_prop(sc, i, "reg");
		bool has = reg && (cells == 1 || cells == 2) && reg->len >= cells * 4;

		if (has)
			want_base = cells == 2 ? be64(sc->structs + reg->data)
					       : be32(sc->structs + reg->data);
		UNIT_CHECK(t,
			   fdt_reg_base(f, node, &base) == (has ? 0 : -FDT_ERR_NOTFOUND) &&
				   base == want_base,
			   "%s: reg base of %s: %#llx, not %#llx", what, sc->nodes[i].name,
			   (unsigned long long)base, (unsigned long long)want_base);
		UNIT_CHECK(t,
			   fdt_interrupt_parent(f, node) ==
				   ref_off(sc, ref_interrupt_parent(sc, i)),
			   "%s: interrupt parent of %s", what, sc->nodes[i].name);
		uint32_t phandle = ref_u32(sc, i, "phandle", 0);

		if (phandle)
			UNIT_CHECK(t,
				   fdt_find_phandle(f, phandle) ==
					   ref_off(sc, ref_phandle(sc, phandle)),
				   "%s: phandle %#x", what, phandle);
		char path[1024];

		if (ref_path_of(sc, i, path, sizeof(path)))
			UNIT_CHECK(t, fdt_path(f, path) == ref_off(sc, ref_path(sc, path)),
				   "%s: path %s gave %d", what, path, fdt_path(f, path));

		/* The nodes compatible with this node's first entry, in order. */
		const struct scan_prop *c = ref_prop(sc, i, "compatible");

		if (c && c->len &&
		    bounded_len(sc->structs + c->data, sc->structs + c->data + c->len) >= 0) {
			const char *first = (const char *)sc->structs + c->data;
			int found = -1, j = 0;

			for (int steps = 0; steps <= sc->nnodes; steps++) {
				found = fdt_find_compatible(f, found, first);
				while (j < sc->nnodes && !ref_compatible(sc, j, first))
					j++;
				if (!UNIT_CHECK(t, found == ref_off(sc, j < sc->nnodes ? j : -1),
						"%s: find_compatible \"%s\" step %d", what, first,
						steps) ||
				    found < 0)
					break;
				j++;
			}
		}
	}
	UNIT_CHECK(t, fdt_path(f, "/") == fdt_root(f), "%s: path /", what);
	UNIT_CHECK(t, fdt_path(f, "no-slash") == -FDT_ERR_NOTFOUND, "%s: relative path", what);

	uint64_t base, size;
	int i = 0;

	for (; fdt_reserved_entry(f, (uint32_t)i, &base, &size) && i <= sc->nrsv; i++)
		UNIT_CHECK(t, i < sc->nrsv && base == sc->rsv[i][0] && size == sc->rsv[i][1],
			   "%s: reservation %d", what, i);
	UNIT_CHECK(t, i == sc->nrsv, "%s: %d reservations, not %d", what, i, sc->nrsv);
}

/* Open a blob held in exactly `size` bytes; if it opens, check it against the scan. */
struct sweep_stats {
	unsigned long opened, rejected, unmodelled;
	unsigned long by_error[FDT_ERR_NULL + 1];
};

static int open_and_check(struct unit *t, const uint8_t *blob, size_t size, const char *what,
			  bool thorough, struct sweep_stats *st)
{
	uint8_t *copy = unit_memdup(blob, size);
	struct fdt f;
	uint32_t where = 0;
	int err = fdt_open(&f, copy, size, &where);

	if (err) {
		UNIT_CHECK(t,
			   err < 0 && -err <= FDT_ERR_NULL && f.blob == NULL &&
				   where <= (size > H_SIZE ? size : H_SIZE),
			   "%s: error %d at %u", what, err, where);
		if (st) {
			st->rejected++;
			if (err < 0 && -err <= FDT_ERR_NULL)
				st->by_error[-err]++;
		}
		free(copy);
		return err;
	}
	switch (scan_blob(&ref, copy, size)) {
	case SCAN_OK:
		check_tree(t, &f, &ref, what, thorough);
		break;
	case SCAN_BAD:
		unit_fail(t, __FILE__, __LINE__,
			  "%s: fdt_open accepted a blob that breaks "
			  "the structure rules",
			  what);
		break;
	case SCAN_UNMODELLED:
		/* Still walk it: no reads out of bounds, no endless loops. */
		if (st)
			st->unmodelled++;
		for (int node = fdt_find_compatible(&f, -1, ""), steps = 0;
		     node >= 0 && steps < 4096; steps++) {
			(void)fdt_prop_string(&f, node, "compatible");
			(void)fdt_parent(&f, node);
			node = fdt_find_compatible(&f, node, "");
		}
		break;
	}
	if (st)
		st->opened++;
	free(copy);
	return 0;
}

/* ---- blobs ----------------------------------------------------------------------- */

struct blob {
	uint8_t *p;
	size_t n;
};

static bool load(struct unit *t, const char *name, struct blob *b)
{
	b->p = unit_read_file(t, name, &b->n);
	return b->p != NULL;
}

/* The blob laid out again with `last` (H_OFF_STRUCT, H_OFF_STRINGS or H_OFF_RSVMAP) as
 * the final block, so that cutting it short leaves nothing readable after it. */
static struct blob relayout(const struct blob *in, int last)
{
	static const int blocks[3] = {H_OFF_RSVMAP, H_OFF_STRUCT, H_OFF_STRINGS};
	uint32_t rsv = be32(in->p + H_OFF_RSVMAP), rsv_size = 16;
	struct blob out;
	uint32_t pos = H_SIZE;
	int order[3], n = 0;

	while (be64(in->p + rsv + rsv_size - 16) || be64(in->p + rsv + rsv_size - 8))
		rsv_size += 16;
	for (int k = 0; k < 3; k++)
		if (blocks[k] != last)
			order[n++] = blocks[k];
	order[n] = last;
	out.p = calloc(1, in->n + 16);
	memcpy(out.p, in->p, H_SIZE);
	for (int k = 0; k < 3; k++) {
		uint32_t size = order[k] == H_OFF_RSVMAP   ? rsv_size
				: order[k] == H_OFF_STRUCT ? be32(in->p + H_SIZE_STRUCT)
							   : be32(in->p + H_SIZE_STRINGS);

		pos = (pos + 7) & ~7u;
		memcpy(out.p + pos, in->p + be32(in->p + order[k]), size);
		put32(out.p + order[k], pos);
		pos += size;
	}
	put32(out.p + H_TOTALSIZE, pos);
	out.n = pos;
	return out;
}

/* ---- the cases --------------------------------------------------------------------- */

static void dtc_blobs_match_the_scan(struct unit *t)
{
	static const char *const names[] = {"test.dtb", "test-pad.dtb", "variety.dtb"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct blob b;

		if (!load(t, names[i], &b))
			continue;
		UNIT_CHECK(t, scan_blob(&ref, b.p, b.n) == SCAN_OK, "%s: scan", names[i]);
		UNIT_CHECK(t, open_and_check(t, b.p, b.n, names[i], true, NULL) == 0,
			   "%s does not open", names[i]);
		free(b.p);
	}
}

static void reads_the_test_dts(struct unit *t)
{
	struct blob b;
	struct fdt f;
	uint64_t base = 0, size = 0;
	int serial;

	if (!load(t, "test.dtb", &b))
		return;
	UNIT_ASSERT_EQ(t, fdt_open(&f, b.p, b.n, NULL), 0);
	serial = fdt_path(&f, "/soc/serial@10000000");
	UNIT_ASSERT_GE(t, serial, 0);
	UNIT_EXPECT_EQ(t, fdt_path(&f, "/soc/serial"), serial);
	UNIT_EXPECT_TRUE(t, fdt_is_compatible(&f, serial, "ns16550a"));
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, serial, &base), 0);
	UNIT_EXPECT_EQ(t, base, 0x10000000ull);
	UNIT_EXPECT_STREQ(t, fdt_prop_string(&f, fdt_path(&f, "/chosen"), "bootargs"),
			  "console=ttyS0 loglevel=5");
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, serial),
		       fdt_path(&f, "/soc/interrupt-controller"));
	UNIT_EXPECT_TRUE(t, fdt_reserved_entry(&f, 0, &base, &size));
	UNIT_EXPECT_EQ(t, base, 0x48000000ull);
	UNIT_EXPECT_EQ(t, size, 0x10000ull);
	free(b.p);
}

static void reads_the_variety_dts(struct unit *t)
{
	struct blob b;
	struct fdt f;
	uint64_t base = 0, size = 0;
	int root, intc, intc2, dev, deep, len = 0;
	const uint8_t *data;

	if (!load(t, "variety.dtb", &b))
		return;
	UNIT_ASSERT_EQ(t, fdt_open(&f, b.p, b.n, NULL), 0);
	root = fdt_root(&f);
	/* Names that share a prefix: the first sibling that matches wins, so "/memory"
	 * finds "memory@80000000" ahead of "memory" itself, and never "memoryx". */
	UNIT_EXPECT_STREQ(t, fdt_name(&f, fdt_path(&f, "/memory")), "memory@80000000");
	UNIT_EXPECT_STREQ(t, fdt_name(&f, fdt_path(&f, "/memoryx")), "memoryx");
	UNIT_EXPECT_EQ(t, fdt_path(&f, "/memory@80000000/x"), -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_EQ(t, fdt_path(&f, "/memor"), -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_EQ(t, fdt_path(&f, "//memoryx//"), fdt_path(&f, "/memoryx"));
	/* One-cell and two-cell addresses, and the ones that give no base. */
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/memory"), &base), 0);
	UNIT_EXPECT_EQ(t, base, 0x80000000ull);
	/* The plain "memory" after it is reachable only by walking. */
	UNIT_EXPECT_STREQ(t, fdt_name(&f, fdt_next_sibling(&f, fdt_path(&f, "/memory"))), "memory");
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_next_sibling(&f, fdt_path(&f, "/memory")), &base),
		       -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/intc@200"), &base), 0);
	UNIT_EXPECT_EQ(t, base, 0x200ull);
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/bus/dev@0,1"), &base), 0);
	UNIT_EXPECT_EQ(t, base, 1ull);
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/bus/short-reg"), &base),
		       -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/bus/three-cells/child"), &base),
		       -FDT_ERR_NOTFOUND);
	/* Interrupt parents: the root's, a node's own, and inherited from a bus. */
	intc = fdt_path(&f, "/intc@100");
	intc2 = fdt_path(&f, "/intc@200");
	deep = fdt_path(&f, "/bus/l1/l2/l3/l4/l5/l6/l7/l8");
	UNIT_ASSERT_GE(t, deep, 0);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, intc), intc);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, intc2), intc);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, deep), intc2);
	UNIT_EXPECT_EQ(t, fdt_find_compatible(&f, -1, "test,deep"), deep);
	UNIT_EXPECT_STREQ(t, fdt_prop_string(&f, deep, "deepest"), "yes");
	/* A compatible list with an empty entry in the middle. */
	UNIT_EXPECT_TRUE(t, fdt_is_compatible(&f, root, "refkernel,other"));
	UNIT_EXPECT_TRUE(t, fdt_is_compatible(&f, root, ""));
	UNIT_EXPECT_FALSE(t, fdt_is_compatible(&f, root, "refkernel"));
	/* Property shapes. */
	dev = fdt_path(&f, "/blob-holder");
	data = fdt_prop(&f, dev, "data", &len);
	UNIT_ASSERT_TRUE(t, data != NULL);
	UNIT_EXPECT_EQ(t, len, 128);
	UNIT_EXPECT_EQ(t, data[127], 0x7f);
	UNIT_EXPECT_TRUE(t, fdt_prop(&f, dev, "empty", &len) != NULL);
	UNIT_EXPECT_EQ(t, len, 0);
	UNIT_EXPECT_TRUE(t, fdt_prop_string(&f, dev, "empty") == NULL);
	UNIT_EXPECT_TRUE(t, fdt_prop_string(&f, dev, "not-a-string") == NULL);
	UNIT_EXPECT_EQ(t, fdt_prop_u32(&f, dev, "u32", 0), 0xdeadbeefu);
	UNIT_EXPECT_EQ(t, fdt_prop_u32(&f, dev, "odd", 7), 7u);
	UNIT_EXPECT_EQ(t, fdt_prop_u32(&f, dev, "two-cells", 7), 7u);
	data = fdt_prop(&f, dev, "two-cells", &len);
	UNIT_EXPECT_EQ(t, fdt_read_cells(data, 2), 0x123456789abcdef0ull);
	UNIT_EXPECT_EQ(t, fdt_read_cells(data, 1), 0x12345678ull);
	/* Reservations, up to the top of the address space. */
	UNIT_EXPECT_TRUE(t, fdt_reserved_entry(&f, 1, &base, &size));
	UNIT_EXPECT_EQ(t, base, 0xffffffff00000000ull);
	UNIT_EXPECT_EQ(t, size, 0xffffffffull);
	UNIT_EXPECT_TRUE(t, fdt_reserved_entry(&f, 2, &base, &size));
	UNIT_EXPECT_EQ(t, base + size, 1ull);
	UNIT_EXPECT_FALSE(t, fdt_reserved_entry(&f, 3, &base, &size));
	free(b.p);
}

static void rejects_version_16_from_dtc(struct unit *t)
{
	struct blob b;
	struct fdt f;
	uint32_t where = 0;

	if (!load(t, "test-v16.dtb", &b))
		return;
	UNIT_EXPECT_EQ(t, fdt_open(&f, b.p, b.n, &where), -FDT_ERR_VERSION);
	UNIT_EXPECT_EQ(t, where, (uint32_t)H_VERSION);
	free(b.p);
}

/* Every prefix of the blob, in a block of exactly that size: refused as truncated. And
 * with totalsize made to agree with the cut: refused (or, at full length, accepted). */
static void every_truncation_is_refused(struct unit *t)
{
	static const char *const names[] = {"test.dtb", "variety.dtb"};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct blob b;
		int bad = 0;

		if (!load(t, names[k], &b))
			continue;
		for (size_t n = 0; n <= b.n; n++) {
			uint8_t *p = unit_memdup(b.p, n);
			struct fdt f;
			int err = fdt_open(&f, p, n, NULL);

			if (n < b.n && !UNIT_CHECK(t, err == -FDT_ERR_TRUNCATED,
						   "%s cut to %zu: %d", names[k], n, err))
				bad++;
			free(p);
			if (n >= H_SIZE) {
				uint8_t *q = unit_memdup(b.p, n);
				char what[64];

				put32(q + H_TOTALSIZE, (uint32_t)n);
				snprintf(what, sizeof(what), "%s with totalsize %zu", names[k], n);
				err = open_and_check(t, q, n, what, false, NULL);
				UNIT_CHECK(t, (err == 0) == (n == b.n), "%s: %d", what, err);
				free(q);
			}
		}
		unit_note("%s: %zu truncations refused", names[k], b.n - (size_t)bad);
		free(b.p);
	}
}

/* Each block moved to the end and cut short by every amount: always an error, the
 * specific one for the block, and never a read past the cut. */
static void every_cut_block_is_refused(struct unit *t)
{
	static const char *const names[] = {"test.dtb", "variety.dtb"};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		static const int blocks[] = {H_OFF_STRUCT, H_OFF_STRINGS, H_OFF_RSVMAP};
		static const char *const block_names[] = {"structure", "strings", "reservation"};
		struct blob b;

		if (!load(t, names[k], &b))
			continue;
		for (size_t j = 0; j < 3; j++) {
			struct blob r = relayout(&b, blocks[j]);
			uint32_t off = be32(r.p + blocks[j]), full = (uint32_t)r.n - off;
			char what[80];

			snprintf(what, sizeof(what), "%s with the %s block last", names[k],
				 block_names[j]);
			UNIT_CHECK(t, open_and_check(t, r.p, r.n, what, true, NULL) == 0,
				   "%s does not open", what);
			for (uint32_t cut = 0; cut < full; cut++) {
				uint8_t *p = unit_memdup(r.p, off + cut);
				struct fdt f;
				int err, want;

				put32(p + H_TOTALSIZE, off + cut);
				if (blocks[j] == H_OFF_STRUCT) {
					put32(p + H_SIZE_STRUCT, cut);
					want = cut % 4 ? -FDT_ERR_BADOFFSET : -FDT_ERR_BADSTRUCTURE;
				} else if (blocks[j] == H_OFF_STRINGS) {
					put32(p + H_SIZE_STRINGS, cut);
					want = -FDT_ERR_BADSTRING;
				} else {
					want = cut == 0 ? -FDT_ERR_BADOFFSET : -FDT_ERR_BADRSVMAP;
				}
				err = fdt_open(&f, p, off + cut, NULL);
				/* A structure block cut inside a node name or property value
				 * can also fail as BADSTRING or BADPROP. */
				bool also = blocks[j] == H_OFF_STRUCT && cut % 4 == 0 &&
					    (err == -FDT_ERR_BADSTRING || err == -FDT_ERR_BADPROP);

				UNIT_CHECK(t, err == want || also,
					   "%s cut to %u: %d (%s), "
					   "expected %d",
					   what, cut, err, fdt_strerror(err), want);
				free(p);
			}
			free(r.p);
		}
		free(b.p);
	}
}

static void sweep_note(const char *what, const struct sweep_stats *st)
{
	char by[256];
	size_t len = 0;

	by[0] = '\0';
	for (int e = 1; e <= FDT_ERR_NULL; e++)
		if (st->by_error[e] && len < sizeof(by))
			len += (size_t)snprintf(by + len, sizeof(by) - len, " %s:%lu",
						fdt_strerror(-e), st->by_error[e]);
	unit_note("%s: %lu opened (%lu outside the model), %lu refused:%s", what, st->opened,
		  st->unmodelled, st->rejected, by);
}

/* Every single-bit flip of every byte: refused, or opened and consistent. */
static void every_bit_flip_is_safe(struct unit *t)
{
	static const char *const names[] = {"test.dtb", "variety.dtb"};

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct sweep_stats st = {0};
		struct blob b;

		if (!load(t, names[k], &b))
			continue;
		for (size_t bit = 0; bit < b.n * 8; bit++) {
			char what[64];

			b.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			snprintf(what, sizeof(what), "%s with bit %zu flipped", names[k], bit);
			/* The whole-blob accessors on one opened variant in 32: the walk
			 * and every property are checked on all. */
			open_and_check(t, b.p, b.n, what, st.opened % 32 == 0, &st);
			b.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		UNIT_EXPECT_GT(t, st.opened, 0ul);
		UNIT_EXPECT_GT(t, st.rejected, 0ul);
		sweep_note(names[k], &st);
		free(b.p);
	}
}

/* Words overwritten with values that mean something to a parser (tokens, lengths near
 * the limits, offsets of other structures), at random aligned places. */
static void random_word_mutations_are_safe(struct unit *t)
{
	static const char *const names[] = {"test.dtb", "variety.dtb"};
	uint64_t seed = 0xfd7;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		struct sweep_stats st = {0};
		struct blob b;

		if (!load(t, names[k], &b))
			continue;
		for (int round = 0; round < 1500; round++) {
			uint8_t *p = unit_memdup(b.p, b.n);
			int edits = 1 + (int)unit_below(&seed, 3);
			char what[64];

			for (int e = 0; e < edits; e++) {
				uint32_t at = (uint32_t)unit_below(&seed, b.n / 4) * 4;
				uint32_t other = (uint32_t)unit_below(&seed, b.n / 4) * 4;
				static const uint32_t values[] = {
					0,	    1,		2,	    3, 4,  9, 0x7fffffff,
					0x80000000, 0xfffffffc, 0xffffffff, 8, 16, 40};
				uint32_t v;

				switch (unit_below(&seed, 4)) {
				case 0:
					v = values[unit_below(&seed,
							      sizeof(values) / sizeof(values[0]))];
					break;
				case 1:
					v = be32(p + other); /* a token or length */
					break;
				case 2:
					v = be32(p + at) + (uint32_t)unit_below(&seed, 9) - 4;
					break;
				default:
					v = (uint32_t)b.n - (uint32_t)unit_below(&seed, 64);
					break;
				}
				put32(p + at, v);
			}
			snprintf(what, sizeof(what), "%s mutation %d", names[k], round);
			open_and_check(t, p, b.n, what, st.opened % 8 == 0, &st);
			free(p);
		}
		UNIT_EXPECT_GT(t, st.opened, 0ul);
		sweep_note(names[k], &st);
		free(b.p);
	}
}

/* ---- hand-built blobs ------------------------------------------------------------------ */

struct builder {
	uint8_t s[4096];
	uint32_t slen;
	char str[1024];
	uint32_t strlen;
	uint64_t rsv[4][2];
	int nrsv;
};

static void b_u32(struct builder *b, uint32_t v)
{
	put32(b->s + b->slen, v);
	b->slen += 4;
}

static void b_end(struct builder *b)
{
	b_u32(b, TOK_END_NODE);
}

static void b_begin(struct builder *b, const char *name)
{
	size_t n = strlen(name) + 1;

	b_u32(b, TOK_BEGIN_NODE);
	memcpy(b->s + b->slen, name, n);
	b->slen = align4(b->slen + (uint32_t)n);
}

static uint32_t b_string(struct builder *b, const char *name)
{
	uint32_t off = b->strlen;

	memcpy(b->str + off, name, strlen(name) + 1);
	b->strlen += (uint32_t)strlen(name) + 1;
	return off;
}

static void b_prop(struct builder *b, const char *name, const void *data, uint32_t len)
{
	b_u32(b, TOK_PROP);
	b_u32(b, len);
	b_u32(b, b_string(b, name));
	memcpy(b->s + b->slen, data, len);
	b->slen = align4(b->slen + len);
}

static void b_prop_u32(struct builder *b, const char *name, uint32_t v)
{
	uint8_t cell[4];

	put32(cell, v);
	b_prop(b, name, cell, 4);
}

/* header | reservations | structure | strings, in exactly the bytes needed. */
static struct blob b_finish(const struct builder *b)
{
	uint32_t off_rsv = H_SIZE, off_struct = off_rsv + 16 * ((uint32_t)b->nrsv + 1);
	uint32_t off_strings = off_struct + b->slen, total = off_strings + b->strlen;
	struct blob out = {calloc(1, total), total};

	put32(out.p + H_MAGIC, FDT_MAGIC);
	put32(out.p + H_TOTALSIZE, total);
	put32(out.p + H_OFF_STRUCT, off_struct);
	put32(out.p + H_OFF_STRINGS, off_strings);
	put32(out.p + H_OFF_RSVMAP, off_rsv);
	put32(out.p + H_VERSION, 17);
	put32(out.p + H_LAST_COMP, 16);
	put32(out.p + H_SIZE_STRINGS, b->strlen);
	put32(out.p + H_SIZE_STRUCT, b->slen);
	for (int i = 0; i < b->nrsv; i++) {
		put64(out.p + off_rsv + 16 * i, b->rsv[i][0]);
		put64(out.p + off_rsv + 16 * i + 8, b->rsv[i][1]);
	}
	memcpy(out.p + off_struct, b->s, b->slen);
	memcpy(out.p + off_strings, b->str, b->strlen);
	return out;
}

/* fdt_open() on the builder's blob, in a block of exactly its size. */
static int b_open(struct unit *t, const struct builder *b, const char *what, uint32_t *where)
{
	struct blob blob = b_finish(b);
	int err;

	if (where) {
		struct fdt f;
		uint8_t *p = unit_memdup(blob.p, blob.n);

		err = fdt_open(&f, p, blob.n, where);
		free(p);
	} else {
		err = open_and_check(t, blob.p, blob.n, what, true, NULL);
	}
	free(blob.p);
	return err;
}

static void nop_tokens_are_skipped(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct blob blob;
	struct fdt f;

	b_u32(b, TOK_NOP);
	b_begin(b, "");
	b_u32(b, TOK_NOP);
	b_prop(b, "compatible", "root", 5);
	b_u32(b, TOK_NOP);
	b_prop_u32(b, "#address-cells", 1);
	b_u32(b, TOK_NOP);
	b_begin(b, "a@10");
	b_u32(b, TOK_NOP);
	b_prop_u32(b, "reg", 0x10);
	b_u32(b, TOK_NOP);
	b_begin(b, "b");
	b_prop(b, "compatible", "bee", 4);
	b_end(b);
	b_u32(b, TOK_NOP);
	b_end(b);
	b_u32(b, TOK_NOP);
	b_u32(b, TOK_NOP);
	b_begin(b, "c");
	b_end(b);
	b_u32(b, TOK_NOP);
	b_end(b);
	b_u32(b, TOK_NOP);
	b_u32(b, TOK_END);
	UNIT_ASSERT_EQ(t, b_open(t, b, "NOPs everywhere", NULL), 0);

	blob = b_finish(b);
	UNIT_ASSERT_EQ(t, fdt_open(&f, blob.p, blob.n, NULL), 0);
	UNIT_EXPECT_EQ(t, fdt_root(&f), 4);
	UNIT_EXPECT_STREQ(t, fdt_name(&f, fdt_path(&f, "/a/b")), "b");
	UNIT_EXPECT_STREQ(t, fdt_name(&f, fdt_next_sibling(&f, fdt_path(&f, "/a"))), "c");
	UNIT_EXPECT_EQ(t, fdt_find_compatible(&f, -1, "bee"), fdt_path(&f, "/a/b"));
	uint64_t base = 0;

	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, fdt_path(&f, "/a"), &base), 0);
	UNIT_EXPECT_EQ(t, base, 0x10ull);
	free(blob.p);
	free(b);
}

/* A chain of `depth` nodes below and including the root, the root with an interrupt
 * parent: the deepest node must still find it (FDT_MAX_DEPTH levels). */
static void build_chain(struct builder *b, int depth)
{
	memset(b, 0, sizeof(*b));
	b_begin(b, "");
	b_prop_u32(b, "interrupt-parent", 0x42);
	b_prop_u32(b, "phandle", 0x42);
	for (int i = 1; i < depth; i++)
		b_begin(b, "n");
	for (int i = 0; i < depth; i++)
		b_end(b);
	b_u32(b, TOK_END);
}

static void nesting_limit_is_exact(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct blob blob;
	struct fdt f;
	char path[FDT_MAX_DEPTH * 2 + 1] = "";
	int deepest;

	build_chain(b, FDT_MAX_DEPTH);
	UNIT_ASSERT_EQ(t, b_open(t, b, "FDT_MAX_DEPTH levels", NULL), 0);
	blob = b_finish(b);
	UNIT_ASSERT_EQ(t, fdt_open(&f, blob.p, blob.n, NULL), 0);
	for (int i = 1; i < FDT_MAX_DEPTH; i++)
		strcat(path, "/n");
	deepest = fdt_path(&f, path);
	UNIT_ASSERT_GE(t, deepest, 0);
	UNIT_EXPECT_EQ(t, fdt_first_child(&f, deepest), -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_GE(t, fdt_parent(&f, deepest), 0);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, deepest), fdt_root(&f));
	free(blob.p);

	build_chain(b, FDT_MAX_DEPTH + 1);
	UNIT_EXPECT_EQ(t, b_open(t, b, "FDT_MAX_DEPTH + 1 levels", NULL), -FDT_ERR_TOODEEP);
	free(b);
}

struct bad_structure {
	const char *what;
	int err;
	void (*build)(struct builder *b);
};

static void bs_two_roots(struct builder *b)
{
	b_begin(b, "");
	b_end(b);
	b_begin(b, "");
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_end_node_first(struct builder *b)
{
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_prop_outside(struct builder *b)
{
	b_prop_u32(b, "x", 1);
	b_begin(b, "");
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_only_end(struct builder *b)
{
	b_u32(b, TOK_END);
}

static void bs_empty(struct builder *b)
{
	(void)b;
}

static void bs_end_inside_node(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, TOK_END);
}

static void bs_unknown_token(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, 5);
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_name_runs_off(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, TOK_BEGIN_NODE);
	memcpy(b->s + b->slen, "abcdefgh", 8); /* no NUL before the block ends */
	b->slen += 8;
}

static void bs_prop_runs_off(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, TOK_PROP);
	b_u32(b, 9); /* 9 bytes of value, 8 left in the block */
	b_u32(b, b_string(b, "p"));
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_prop_header_cut(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, TOK_PROP);
	b_u32(b, 0); /* the name offset is missing */
}

static void bs_prop_name_outside(struct builder *b)
{
	b_begin(b, "");
	b_u32(b, TOK_PROP);
	b_u32(b, 0);
	b_u32(b, 2); /* the strings block is "p\0": 2 is past it */
	b_string(b, "p");
	b_end(b);
	b_u32(b, TOK_END);
}

static void bs_prop_name_unterminated(struct builder *b)
{
	b_begin(b, "");
	b_prop(b, "p", "", 0);
	b_end(b);
	b_u32(b, TOK_END);
	b->strlen--; /* drop the name's NUL: the block ends in "p" */
}

static void bs_value_ends_block(struct builder *b)
{
	b_begin(b, "");
	b_prop(b, "p", "1234", 4); /* ends exactly at the block's end, no END_NODE */
}

static void structure_errors_are_named(struct unit *t)
{
	static const struct bad_structure cases[] = {
		{"two roots", FDT_ERR_BADSTRUCTURE, bs_two_roots},
		{"END_NODE before any node", FDT_ERR_BADSTRUCTURE, bs_end_node_first},
		{"property outside any node", FDT_ERR_BADSTRUCTURE, bs_prop_outside},
		{"only FDT_END", FDT_ERR_BADSTRUCTURE, bs_only_end},
		{"empty structure block", FDT_ERR_BADSTRUCTURE, bs_empty},
		{"FDT_END inside a node", FDT_ERR_BADSTRUCTURE, bs_end_inside_node},
		{"unknown token", FDT_ERR_BADSTRUCTURE, bs_unknown_token},
		{"node name runs off the block", FDT_ERR_BADSTRING, bs_name_runs_off},
		{"property value runs off the block", FDT_ERR_BADPROP, bs_prop_runs_off},
		{"property header cut", FDT_ERR_BADSTRUCTURE, bs_prop_header_cut},
		{"property name outside strings", FDT_ERR_BADSTRING, bs_prop_name_outside},
		{"property name unterminated", FDT_ERR_BADSTRING, bs_prop_name_unterminated},
		{"value ends the block", FDT_ERR_BADSTRUCTURE, bs_value_ends_block},
	};
	struct builder *b = malloc(sizeof(*b));

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err;

		memset(b, 0, sizeof(*b));
		cases[i].build(b);
		err = b_open(t, b, cases[i].what, NULL);
		UNIT_CHECK(t, err == -cases[i].err, "%s: %d (%s), expected %d (%s)", cases[i].what,
			   err, fdt_strerror(err), -cases[i].err, fdt_strerror(-cases[i].err));
	}
	free(b);
}

/* The error offset names the token at fault. */
static void error_offsets_point_at_the_fault(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	uint32_t where = 0, token;

	b_begin(b, "");
	b_prop_u32(b, "a", 1);
	token = b->slen;
	b_u32(b, 0x77);
	b_end(b);
	b_u32(b, TOK_END);
	UNIT_EXPECT_EQ(t, b_open(t, b, "bad token", &where), -FDT_ERR_BADSTRUCTURE);
	UNIT_EXPECT_EQ(t, where, H_SIZE + 16 + token);
	free(b);
}

/* The edges of the blocks: names that end on the last byte of the strings block (the
 * last byte of the blob), empty names, empty values, an unterminated compatible list. */
static void block_edges_are_usable(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct blob blob;
	struct fdt f;
	int len = -1, node;

	b->rsv[0][0] = 0x1000;
	b->rsv[0][1] = 0; /* size 0 with a base: not the terminator */
	b->rsv[1][0] = 0;
	b->rsv[1][1] = 0x2000;
	b->nrsv = 2;
	b_begin(b, "");
	b_prop(b, "compatible", "abc\0de", 6); /* "de" has no NUL */
	b_prop(b, "", "x", 1);
	b_begin(b, "n");
	b_prop(b, "last-name", "", 0);
	b_end(b);
	b_end(b);
	b_u32(b, TOK_END);
	UNIT_ASSERT_EQ(t, b_open(t, b, "edges", NULL), 0);
	blob = b_finish(b);
	UNIT_ASSERT_EQ(t, fdt_open(&f, blob.p, blob.n, NULL), 0);
	UNIT_EXPECT_TRUE(t, fdt_is_compatible(&f, fdt_root(&f), "abc"));
	UNIT_EXPECT_FALSE(t, fdt_is_compatible(&f, fdt_root(&f), "de"));
	UNIT_EXPECT_TRUE(t, fdt_prop(&f, fdt_root(&f), "", &len) != NULL);
	UNIT_EXPECT_EQ(t, len, 1);
	node = fdt_path(&f, "/n");
	UNIT_EXPECT_TRUE(t, fdt_prop(&f, node, "last-name", &len) != NULL);
	UNIT_EXPECT_EQ(t, len, 0);
	UNIT_EXPECT_EQ(t, fdt_reg_base(&f, node, &(uint64_t){0}), -FDT_ERR_NOTFOUND);
	uint64_t base = 1, size = 1;

	UNIT_EXPECT_TRUE(t, fdt_reserved_entry(&f, 0, &base, &size));
	UNIT_EXPECT_EQ(t, base, 0x1000ull);
	UNIT_EXPECT_EQ(t, size, 0ull);
	UNIT_EXPECT_TRUE(t, fdt_reserved_entry(&f, 1, &base, &size));
	UNIT_EXPECT_FALSE(t, fdt_reserved_entry(&f, 2, &base, &size));
	free(blob.p);
	free(b);
}

static void interrupt_parent_edges(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct blob blob;
	struct fdt f;

	b_begin(b, "");
	b_begin(b, "self"); /* its own interrupt parent */
	b_prop_u32(b, "phandle", 7);
	b_prop_u32(b, "interrupt-parent", 7);
	b_end(b);
	b_begin(b, "dangling"); /* names a phandle nobody has */
	b_prop_u32(b, "interrupt-parent", 8);
	b_end(b);
	b_begin(b, "orphan"); /* nothing up the tree */
	b_end(b);
	b_end(b);
	b_u32(b, TOK_END);
	UNIT_ASSERT_EQ(t, b_open(t, b, "interrupt parents", NULL), 0);
	blob = b_finish(b);
	UNIT_ASSERT_EQ(t, fdt_open(&f, blob.p, blob.n, NULL), 0);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, fdt_path(&f, "/self")), fdt_path(&f, "/self"));
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, fdt_path(&f, "/dangling")), -FDT_ERR_NOTFOUND);
	UNIT_EXPECT_EQ(t, fdt_interrupt_parent(&f, fdt_path(&f, "/orphan")), -FDT_ERR_NOTFOUND);
	free(blob.p);
	free(b);
}

static void header_checks(struct unit *t)
{
	struct builder *b = calloc(1, sizeof(*b));
	struct blob good;
	struct {
		int field;
		uint32_t value;
		int err;
		uint32_t where;
	} cases[] = {
		{H_MAGIC, 0xd00dfeee, FDT_ERR_MAGIC, 0},
		{H_VERSION, 16, FDT_ERR_VERSION, H_VERSION},
		{H_LAST_COMP, 18, FDT_ERR_VERSION, H_VERSION},
		{H_TOTALSIZE, 39, FDT_ERR_BADOFFSET, H_TOTALSIZE},
		{H_TOTALSIZE, FDT_MAX_SIZE + 1, FDT_ERR_BADOFFSET, H_TOTALSIZE},
		{H_OFF_STRUCT, 36, FDT_ERR_BADOFFSET, H_OFF_STRUCT},
		{H_OFF_STRUCT, 0xfffffffc, FDT_ERR_BADOFFSET, H_OFF_STRUCT},
		{H_SIZE_STRUCT, 0xfffffff0, FDT_ERR_BADOFFSET, H_OFF_STRUCT},
		{H_SIZE_STRUCT, 6, FDT_ERR_BADOFFSET, H_OFF_STRUCT},
		{H_OFF_STRINGS, 0, FDT_ERR_BADOFFSET, H_OFF_STRINGS},
		{H_SIZE_STRINGS, 0xffffffff, FDT_ERR_BADOFFSET, H_OFF_STRINGS},
		{H_OFF_RSVMAP, 44, FDT_ERR_BADOFFSET, H_OFF_RSVMAP},
		{H_OFF_RSVMAP, 32, FDT_ERR_BADOFFSET, H_OFF_RSVMAP},
		/* Newer versions that stay compatible with 17 are fine. */
		{H_VERSION, 20, 0, 0},
		{H_LAST_COMP, 2, 0, 0},
		{H_BOOT_CPU, 0xffffffff, 0, 0},
	};
	struct fdt f;
	uint32_t where;

	b_begin(b, "");
	b_end(b);
	b_u32(b, TOK_END);
	good = b_finish(b);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *p = unit_memdup(good.p, good.n);
		int err;

		put32(p + cases[i].field, cases[i].value);
		where = 0x5a5a;
		err = fdt_open(&f, p, good.n, &where);
		UNIT_CHECK(t, err == -cases[i].err && (err == 0 || where == cases[i].where),
			   "header field %d = %#x: %d at %u, expected %d at %u", cases[i].field,
			   cases[i].value, err, where, -cases[i].err, cases[i].where);
		free(p);
	}
	/* No blob, a misaligned one, less than a header of memory. */
	UNIT_EXPECT_EQ(t, fdt_open(&f, NULL, 4096, NULL), -FDT_ERR_NULL);
	uint8_t *p = malloc(good.n + 8);

	memcpy(p + 4, good.p, good.n);
	UNIT_EXPECT_EQ(t, fdt_open(&f, p + 4, good.n, NULL), -FDT_ERR_BADOFFSET);
	memcpy(p, good.p, good.n);
	UNIT_EXPECT_EQ(t, fdt_open(&f, p, H_SIZE - 1, NULL), -FDT_ERR_TRUNCATED);
	UNIT_EXPECT_EQ(t, fdt_open(&f, p, good.n, NULL), 0);
	free(p);
	free(good.p);
	free(b);
}

static void error_strings(struct unit *t)
{
	for (int e = FDT_ERR_NOTFOUND; e <= FDT_ERR_NULL; e++) {
		const char *s = fdt_strerror(-e);

		UNIT_CHECK(t, s && *s && strcmp(s, "unknown device tree error") != 0,
			   "error %d has no text", e);
		UNIT_CHECK(t, s == fdt_strerror(e), "error %d: sign matters", e);
		for (int o = FDT_ERR_NOTFOUND; o < e; o++)
			UNIT_CHECK(t, strcmp(s, fdt_strerror(-o)) != 0,
				   "errors %d and %d read "
				   "the same",
				   o, e);
	}
	UNIT_EXPECT_STREQ(t, fdt_strerror(0), "unknown device tree error");
	UNIT_EXPECT_STREQ(t, fdt_strerror(-(FDT_ERR_NULL + 1)), "unknown device tree error");
	UNIT_EXPECT_STREQ(t, fdt_strerror(INT_MIN), "unknown device tree error");
	UNIT_EXPECT_STREQ(t, fdt_strerror(1 << 30), "unknown device tree error");
}

static void reads_cells_at_any_alignment(struct unit *t)
{
	uint8_t bytes[16];

	for (int i = 0; i < 16; i++)
		bytes[i] = (uint8_t)(0xf0 + i);
	for (int off = 0; off < 8; off++) {
		uint8_t *p = unit_memdup(bytes + off, 8);

		UNIT_EXPECT_EQ(t, fdt32(p), be32(bytes + off));
		UNIT_EXPECT_EQ(t, fdt64(p), be64(bytes + off));
		UNIT_EXPECT_EQ(t, fdt_read_cells(p, 1), (uint64_t)be32(bytes + off));
		UNIT_EXPECT_EQ(t, fdt_read_cells(p, 2), be64(bytes + off));
		free(p);
	}
}

UNIT_SUITE(fdt, UNIT_CASE(dtc_blobs_match_the_scan), UNIT_CASE(reads_the_test_dts),
	   UNIT_CASE(reads_the_variety_dts), UNIT_CASE(rejects_version_16_from_dtc),
	   UNIT_CASE(header_checks), UNIT_CASE(structure_errors_are_named),
	   UNIT_CASE(error_offsets_point_at_the_fault), UNIT_CASE(nop_tokens_are_skipped),
	   UNIT_CASE(nesting_limit_is_exact), UNIT_CASE(block_edges_are_usable),
	   UNIT_CASE(interrupt_parent_edges), UNIT_CASE(error_strings),
	   UNIT_CASE(reads_cells_at_any_alignment), UNIT_CASE(every_truncation_is_refused),
	   UNIT_CASE(every_cut_block_is_refused), UNIT_CASE(every_bit_flip_is_safe),
	   UNIT_CASE(random_word_mutations_are_safe));

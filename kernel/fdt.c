/*
 * Flattened device tree reader. The layout is the Devicetree Specification v0.4,
 * chapter 5: a 40-byte header, a memory reservation block, a structure block of
 * big-endian tokens and a strings block of property names.
 *
 * Everything is checked once in fdt_open(); the walkers below then rely on that check
 * (each still stops at the end of the structure block, as a second line of defence).
 */
#include <string.h>

#include "compiler.h"
#include "fdt.h"

enum {
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
};

/* Header fields, as byte offsets (spec 5.2). */
enum {
	HDR_MAGIC = 0,
	HDR_TOTALSIZE = 4,
	HDR_OFF_STRUCT = 8,
	HDR_OFF_STRINGS = 12,
	HDR_OFF_RSVMAP = 16,
	HDR_VERSION = 20,
	HDR_LAST_COMP = 24,
	HDR_SIZE_STRINGS = 32,
	HDR_SIZE_STRUCT = 36,
	HDR_SIZE = 40,
};

uint32_t fdt32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t fdt64(const void *p)
{
	return (uint64_t)fdt32(p) << 32 | fdt32((const uint8_t *)p + 4);
}

uint64_t fdt_read_cells(const void *p, uint32_t cells)
{
	return cells == 2 ? fdt64(p) : fdt32(p);
}

const char *fdt_strerror(int err)
{
	static const char *const names[] = {
		[FDT_ERR_NOTFOUND] = "not found",
		[FDT_ERR_MAGIC] = "bad magic (not a device tree)",
		[FDT_ERR_VERSION] = "unsupported version (need 17)",
		[FDT_ERR_TRUNCATED] = "truncated (totalsize beyond the memory given)",
		[FDT_ERR_BADOFFSET] = "block offset or size out of bounds",
		[FDT_ERR_BADSTRUCTURE] = "malformed structure block",
		[FDT_ERR_BADSTRING] = "unterminated name or string",
		[FDT_ERR_BADPROP] = "property runs past the structure block",
		[FDT_ERR_TOODEEP] = "nodes nested too deeply",
		[FDT_ERR_BADRSVMAP] = "unterminated memory reservation block",
		[FDT_ERR_NULL] = "no device tree passed",
	};

	/* -INT_MIN overflows: negate in unsigned arithmetic. */
	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	if (e == 0 || e >= ARRAY_SIZE(names) || !names[e])
		return "unknown device tree error";
	return names[e];
}

static uint32_t align4(uint32_t x)
{
	return (x + 3) & ~3u;
}

/* Length of the NUL-terminated string at s, or -1 if no NUL comes before s + max. */
static long bounded_strlen(const char *s, uint32_t max)
{
	const char *nul = memchr(s, '\0', max);

	return nul ? nul - s : -1;
}

static int check_header(struct fdt *f, const uint8_t *b, size_t max_size, uint32_t *where)
{
	uint32_t total, off_struct, size_struct, off_strings, size_strings, off_rsv;

	*where = 0;
	if (max_size < HDR_SIZE)
		return -FDT_ERR_TRUNCATED;
	if (fdt32(b + HDR_MAGIC) != FDT_MAGIC)
		return -FDT_ERR_MAGIC;
	*where = HDR_VERSION;
	if (fdt32(b + HDR_VERSION) < 17 || fdt32(b + HDR_LAST_COMP) > 17)
		return -FDT_ERR_VERSION;

	*where = HDR_TOTALSIZE;
	total = fdt32(b + HDR_TOTALSIZE);
	if (total < HDR_SIZE || total > FDT_MAX_SIZE)
		return -FDT_ERR_BADOFFSET;
	if (total > max_size)
		return -FDT_ERR_TRUNCATED;

	off_struct = fdt32(b + HDR_OFF_STRUCT);
	size_struct = fdt32(b + HDR_SIZE_STRUCT);
	off_strings = fdt32(b + HDR_OFF_STRINGS);
	size_strings = fdt32(b + HDR_SIZE_STRINGS);
	off_rsv = fdt32(b + HDR_OFF_RSVMAP);

	/* 64-bit sums: the 32-bit fields cannot overflow them. */
	*where = HDR_OFF_STRUCT;
	if (off_struct < HDR_SIZE || (uint64_t)off_struct + size_struct > total ||
	    !IS_ALIGNED(off_struct, 4) || !IS_ALIGNED(size_struct, 4))
		return -FDT_ERR_BADOFFSET;
	*where = HDR_OFF_STRINGS;
	if (off_strings < HDR_SIZE || (uint64_t)off_strings + size_strings > total)
		return -FDT_ERR_BADOFFSET;
	*where = HDR_OFF_RSVMAP;
	if (off_rsv < HDR_SIZE || off_rsv >= total || !IS_ALIGNED(off_rsv, 8))
		return -FDT_ERR_BADOFFSET;

	f->blob = b;
	f->size = total;
	f->structs = b + off_struct;
	f->structs_size = size_struct;
	f->strings = (const char *)b + off_strings;
	f->strings_size = size_strings;
	f->rsvmap = b + off_rsv;
	return 0;
}

static int check_rsvmap(struct fdt *f, uint32_t *where)
{
	uint32_t room = f->size - (uint32_t)(f->rsvmap - f->blob);
	uint32_t i;

	for (i = 0; (i + 1) * 16 <= room; i++) {
		const uint8_t *e = f->rsvmap + i * 16;

		if (fdt64(e) == 0 && fdt64(e + 8) == 0) {
			f->rsvmap_count = i;
			return 0;
		}
	}
	*where = (uint32_t)(f->rsvmap - f->blob);
	return -FDT_ERR_BADRSVMAP;
}

/* Walk every token once; *pos is left at the fault. */
static int check_structure(const struct fdt *f, uint32_t *pos)
{
	const uint8_t *s = f->structs;
	uint32_t size = f->structs_size;
	int depth = 0;
	bool seen_root = false;
	/* Properties come before a node's children (Devicetree Specification 5.4.2). */
	bool had_child[FDT_MAX_DEPTH + 1] = {false};

	*pos = 0;
	while (*pos + 4 <= size) {
		uint32_t token = fdt32(s + *pos);
		uint32_t p = *pos + 4;
		long n;

		switch (token) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && seen_root)
				return -FDT_ERR_BADSTRUCTURE; /* a second root */
			if (++depth > FDT_MAX_DEPTH)
				return -FDT_ERR_TOODEEP;
			had_child[depth - 1] = true;
			had_child[depth] = false;
			seen_root = true;
			n = bounded_strlen((const char *)s + p, size - p);
			if (n < 0)
				return -FDT_ERR_BADSTRING;
			p = align4(p + (uint32_t)n + 1);
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return -FDT_ERR_BADSTRUCTURE;
			break;
		case FDT_PROP: {
			uint32_t len, nameoff;

			if (depth == 0 || p + 8 > size || had_child[depth])
				return -FDT_ERR_BADSTRUCTURE;
			len = fdt32(s + p);
			nameoff = fdt32(s + p + 4);
			p += 8;
			if ((uint64_t)p + len > size)
				return -FDT_ERR_BADPROP;
			if (nameoff >= f->strings_size ||
			    bounded_strlen(f->strings + nameoff, f->strings_size - nameoff) < 0)
				return -FDT_ERR_BADSTRING;
			p = align4(p + len);
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && seen_root ? 0 : -FDT_ERR_BADSTRUCTURE;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		if (p > size)
			return -FDT_ERR_BADSTRUCTURE;
		*pos = p;
	}
	return -FDT_ERR_BADSTRUCTURE; /* ran off the end without FDT_END */
}

int fdt_open(struct fdt *f, const void *blob, size_t max_size, uint32_t *err_offset)
{
	uint32_t where = 0;
	int err;

	memset(f, 0, sizeof(*f));
	if (!blob) {
		err = -FDT_ERR_NULL;
		goto out;
	}
	if (!IS_ALIGNED((uintptr_t)blob, 8)) {
		err = -FDT_ERR_BADOFFSET;
		goto out;
	}
	err = check_header(f, blob, max_size, &where);
	if (!err)
		err = check_rsvmap(f, &where);
	if (!err) {
		err = check_structure(f, &where);
		where += (uint32_t)(f->structs - f->blob);
	}
out:
	if (err)
		memset(f, 0, sizeof(*f));
	if (err_offset)
		*err_offset = where;
	return err;
}

/* ---- walking a validated blob ---------------------------------------------------- */

/* The token at pos, or FDT_END past the end of the block. */
static uint32_t token_at(const struct fdt *f, uint32_t pos)
{
	return pos + 4 <= f->structs_size ? fdt32(f->structs + pos) : FDT_END;
}

/* Offset just past the token at pos (for BEGIN_NODE: past the name; PROP: the data). */
static uint32_t skip_token(const struct fdt *f, uint32_t pos)
{
	switch (token_at(f, pos)) {
	case FDT_BEGIN_NODE:
		return align4(pos + 4 + (uint32_t)strlen((const char *)f->structs + pos + 4) + 1);
	case FDT_PROP:
		return align4(pos + 12 + fdt32(f->structs + pos + 4));
	case FDT_END:
		return f->structs_size;
	default:
		return pos + 4;
	}
}

/* First token after a node's properties and NOPs. */
static uint32_t after_props(const struct fdt *f, int node)
{
	uint32_t pos = skip_token(f, (uint32_t)node);

	while (token_at(f, pos) == FDT_PROP || token_at(f, pos) == FDT_NOP)
		pos = skip_token(f, pos);
	return pos;
}

int fdt_root(const struct fdt *f)
{
	uint32_t pos = 0;

	while (token_at(f, pos) == FDT_NOP)
		pos += 4;
	return token_at(f, pos) == FDT_BEGIN_NODE ? (int)pos : -FDT_ERR_NOTFOUND;
}

const char *fdt_name(const struct fdt *f, int node)
{
	return (const char *)f->structs + node + 4;
}

int fdt_first_child(const struct fdt *f, int node)
{
	uint32_t pos = after_props(f, node);

	return token_at(f, pos) == FDT_BEGIN_NODE ? (int)pos : -FDT_ERR_NOTFOUND;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	uint32_t pos = (uint32_t)node;
	int depth = 0;

	/* Skip the node's whole subtree. */
	do {
		uint32_t t = token_at(f, pos);

		if (t == FDT_BEGIN_NODE)
			depth++;
		else if (t == FDT_END_NODE)
			depth--;
		else if (t == FDT_END)
			return -FDT_ERR_NOTFOUND;
		pos = skip_token(f, pos);
	} while (depth > 0);

	while (token_at(f, pos) == FDT_NOP)
		pos += 4;
	return token_at(f, pos) == FDT_BEGIN_NODE ? (int)pos : -FDT_ERR_NOTFOUND;
}

const void *fdt_prop(const struct fdt *f, int node, const char *name, int *len)
{
	uint32_t pos = skip_token(f, (uint32_t)node);
	uint32_t t;

	while ((t = token_at(f, pos)) == FDT_PROP || t == FDT_NOP) {
		if (t == FDT_PROP && strcmp(f->strings + fdt32(f->structs + pos + 8), name) == 0) {
			if (len)
				*len = (int)fdt32(f->structs + pos + 4);
			return f->structs + pos + 12;
		}
		pos = skip_token(f, pos);
	}
	if (len)
		*len = -FDT_ERR_NOTFOUND;
	return NULL;
}

const char *fdt_prop_string(const struct fdt *f, int node, const char *name)
{
	int len;
	const char *s = fdt_prop(f, node, name, &len);

	if (!s || len <= 0 || s[len - 1] != '\0')
		return NULL;
	return s;
}

uint32_t fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t dflt)
{
	int len;
	const void *p = fdt_prop(f, node, name, &len);

	return p && len == 4 ? fdt32(p) : dflt;
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	int len;
	const char *list = fdt_prop(f, node, "compatible", &len);
	const char *end;

	if (!list)
		return false;
	end = list + len;
	while (list < end) {
		long n = bounded_strlen(list, (uint32_t)(end - list));

		if (n < 0)
			return false;
		if (strcmp(list, compat) == 0)
			return true;
		list += n + 1;
	}
	return false;
}

int fdt_find_compatible(const struct fdt *f, int from, const char *compat)
{
	uint32_t pos = from < 0 ? 0 : skip_token(f, (uint32_t)from);
	uint32_t t;

	while ((t = token_at(f, pos)) != FDT_END) {
		if (t == FDT_BEGIN_NODE && fdt_is_compatible(f, (int)pos, compat))
			return (int)pos;
		pos = skip_token(f, pos);
	}
	return -FDT_ERR_NOTFOUND;
}

/* Does node name `name` match path component comp[0..len)? "memory" matches
 * "memory@80000000" when the component has no unit address of its own. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len) != 0)
		return false;
	return name[len] == '\0' || (name[len] == '@' && !memchr(comp, '@', len));
}

int fdt_parent(const struct fdt *f, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0;
	uint32_t pos = 0;
	uint32_t t;

	while ((t = token_at(f, pos)) != FDT_END) {
		if (t == FDT_BEGIN_NODE) {
			if ((int)pos == node)
				return depth > 0 ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
			if (depth == FDT_MAX_DEPTH) /* fdt_open() rules this out */
				break;
			stack[depth++] = (int)pos;
		} else if (t == FDT_END_NODE && depth > 0) {
			depth--;
		}
		pos = skip_token(f, pos);
	}
	return -FDT_ERR_NOTFOUND;
}

int fdt_reg_base(const struct fdt *f, int node, uint64_t *base)
{
	int parent = fdt_parent(f, node);
	uint32_t cells = parent >= 0 ? fdt_prop_u32(f, parent, "#address-cells", 2) : 2;
	int len;
	const void *reg = fdt_prop(f, node, "reg", &len);

	if (!reg || (cells != 1 && cells != 2) || len < (int)(cells * 4))
		return -FDT_ERR_NOTFOUND;
	*base = fdt_read_cells(reg, cells);
	return 0;
}

int fdt_find_phandle(const struct fdt *f, uint32_t phandle)
{
	uint32_t pos = 0;
	uint32_t t;

	while ((t = token_at(f, pos)) != FDT_END) {
		if (t == FDT_BEGIN_NODE && fdt_prop_u32(f, (int)pos, "phandle", 0) == phandle)
			return (int)pos;
		pos = skip_token(f, pos);
	}
	return -FDT_ERR_NOTFOUND;
}

int fdt_interrupt_parent(const struct fdt *f, int node)
{
	for (int depth = 0; node >= 0 && depth < FDT_MAX_DEPTH; depth++) {
		uint32_t phandle = fdt_prop_u32(f, node, "interrupt-parent", 0);

		if (phandle)
			return fdt_find_phandle(f, phandle);
		node = fdt_parent(f, node);
	}
	return -FDT_ERR_NOTFOUND;
}

int fdt_path(const struct fdt *f, const char *path)
{
	int node = fdt_root(f);

	if (node < 0 || path[0] != '/')
		return -FDT_ERR_NOTFOUND;
	while (*path) {
		const char *comp;
		size_t len;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		comp = path;
		while (*path && *path != '/')
			path++;
		len = (size_t)(path - comp);

		for (node = fdt_first_child(f, node); node >= 0; node = fdt_next_sibling(f, node))
			if (name_matches(fdt_name(f, node), comp, len))
				break;
		if (node < 0)
			return -FDT_ERR_NOTFOUND;
	}
	return node;
}

bool fdt_reserved_entry(const struct fdt *f, uint32_t i, uint64_t *base, uint64_t *size)
{
	if (i >= f->rsvmap_count)
		return false;
	*base = fdt64(f->rsvmap + i * 16);
	*size = fdt64(f->rsvmap + i * 16 + 8);
	return true;
}

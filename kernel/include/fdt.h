/*
 * Flattened device tree reader (Devicetree Specification v0.4, chapter 5).
 *
 * fdt_open() validates the whole blob once: header, block offsets and sizes, every token,
 * every name and property inside its block, balanced nesting. After that the accessors
 * only walk memory the check has covered, so a malformed blob is rejected up front with
 * an error code instead of being read out of bounds later.
 *
 * Nodes are named by their offset in the structure block (of their FDT_BEGIN_NODE token).
 */
#ifndef FDT_H
#define FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeed
/* Larger blobs are refused. QEMU hands a -dtb blob over with room to grow: 2 MiB + 20000
 * bytes for the 1 MiB trees it dumps. */
#define FDT_MAX_SIZE  (4u << 20)
#define FDT_MAX_DEPTH 32

enum fdt_error {
	FDT_ERR_NOTFOUND = 1, /* no such node or property */
	FDT_ERR_MAGIC,	      /* header magic is not 0xd00dfeed */
	FDT_ERR_VERSION,      /* not compatible with version 17 */
	FDT_ERR_TRUNCATED,    /* totalsize larger than the memory given */
	FDT_ERR_BADOFFSET,    /* a block lies outside the blob or is misaligned */
	FDT_ERR_BADSTRUCTURE, /* bad token, unbalanced nodes or missing FDT_END */
	FDT_ERR_BADSTRING,    /* a name runs past the end of its block */
	FDT_ERR_BADPROP,      /* property data runs past the structure block */
	FDT_ERR_TOODEEP,      /* nesting beyond FDT_MAX_DEPTH */
	FDT_ERR_BADRSVMAP,    /* memory reservation block is unterminated */
	FDT_ERR_NULL,	      /* no blob at all */
};

struct fdt {
	const uint8_t *blob;
	uint32_t size;
	const uint8_t *structs;
	uint32_t structs_size;
	const char *strings;
	uint32_t strings_size;
	const uint8_t *rsvmap;
	uint32_t rsvmap_count;
};

/* Validate blob (at most max_size bytes readable) and fill f. Returns 0 or
 * -FDT_ERR_*; err_offset, if not NULL, gets the byte offset in the blob of the fault. */
int fdt_open(struct fdt *f, const void *blob, size_t max_size, uint32_t *err_offset);
const char *fdt_strerror(int err);

/* Big-endian cell access. */
uint32_t fdt32(const void *p);
uint64_t fdt64(const void *p);

/* Tree walking. fdt_root() is the offset of the root node. */
int fdt_root(const struct fdt *f);
int fdt_first_child(const struct fdt *f, int node);  /* -FDT_ERR_NOTFOUND if none */
int fdt_next_sibling(const struct fdt *f, int node); /* -FDT_ERR_NOTFOUND at the end */
const char *fdt_name(const struct fdt *f, int node); /* "" for the root */
int fdt_parent(const struct fdt *f, int node);	     /* -FDT_ERR_NOTFOUND for the root */

/* The first address in a node's "reg", read with its parent's #address-cells. Returns
 * 0 or -FDT_ERR_NOTFOUND when there is no usable reg. */
int fdt_reg_base(const struct fdt *f, int node, uint64_t *base);

/* Node by absolute path ("/cpus", "/soc/serial@10000000"); a component without a unit
 * address also matches a node that has one ("/memory" finds "/memory@80000000"). */
int fdt_path(const struct fdt *f, const char *path);

/* Next node after `from` (in depth-first order; -1 starts at the root) whose
 * "compatible" list contains compat. */
int fdt_find_compatible(const struct fdt *f, int from, const char *compat);

/* Property data and length, or NULL (and *len = -FDT_ERR_NOTFOUND). */
const void *fdt_prop(const struct fdt *f, int node, const char *name, int *len);
/* A string property, only if it is NUL-terminated inside its data. */
const char *fdt_prop_string(const struct fdt *f, int node, const char *name);
/* A one-cell (u32) property; returns dflt when absent or of the wrong size. */
uint32_t fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t dflt);
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);

/* The node whose "phandle" is phandle, or -FDT_ERR_NOTFOUND. */
int fdt_find_phandle(const struct fdt *f, uint32_t phandle);

/* The interrupt controller node's interrupt parent: the nearest "interrupt-parent" on
 * node or its ancestors (Devicetree Specification 2.4.1). */
int fdt_interrupt_parent(const struct fdt *f, int node);

/* Read a cells-long (1 or 2) big-endian number from p. */
uint64_t fdt_read_cells(const void *p, uint32_t cells);

/* Entry i of the memory reservation block; false past the end. */
bool fdt_reserved_entry(const struct fdt *f, uint32_t i, uint64_t *base, uint64_t *size);

#endif

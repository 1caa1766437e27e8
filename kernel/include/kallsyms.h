/* The kernel's own symbol table (function names and extents), embedded by the build in
 * a second link pass (tools/kallsyms.py), for crash reports: "fdt_open+0x1c/0x80". */
#ifndef KALLSYMS_H
#define KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The function containing addr: its name, addr's offset in it and its size. */
bool kallsyms_lookup(uintptr_t addr, const char **name, uintptr_t *offset, uintptr_t *size);

/* "name+0xoff/0xsize", or "0xaddr" when addr is in no known function. Returns buf. */
char *kallsyms_format(uintptr_t addr, char *buf, size_t size);

/* Address of a function by name, or 0. */
uintptr_t kallsyms_address(const char *name);

#endif

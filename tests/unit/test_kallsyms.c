/*
 * kernel/kallsyms.c over two tables:
 *   - the test program's own, made by tools/kallsyms.py from the program's first link
 *     and linked into the second, as the kernel's build does (tests/host/test_unit.py):
 *     real functions resolve to their names, every entry to itself;
 *   - a small one written here, read by a second copy of kallsyms.c compiled with its
 *     symbols renamed synth_*: adjacent functions, gaps, a zero-sized entry, a function
 *     that ends at the top of the address space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "kallsyms.h"
#include "kernel.h"
#include "lineedit.h"
#include "logbuf.h"
#include "unit.h"

/* The table's layout (tools/kallsyms.py writes it, kernel/kallsyms.c reads it). */
struct kallsyms_entry {
	uint64_t addr;
	uint32_t size;
	uint32_t name;
};

extern const uint32_t kallsyms_count;
extern const struct kallsyms_entry kallsyms_entries[];
extern const char kallsyms_names[];

bool synth_kallsyms_lookup(uintptr_t addr, const char **name, uintptr_t *offset, uintptr_t *size);
char *synth_kallsyms_format(uintptr_t addr, char *buf, size_t size);
uintptr_t synth_kallsyms_address(const char *name);

/* ---- the program's own table ----------------------------------------------------------- */

__attribute__((noinline)) static int local_function(int x)
{
	return x * 3 + 1;
}

int main(int argc, char **argv);

static void table_is_sorted(struct unit *t)
{
	UNIT_ASSERT_TRUE(t, kallsyms_count > 100);
	for (uint32_t i = 1; i < kallsyms_count; i++)
		if (!UNIT_CHECK(t, kallsyms_entries[i - 1].addr < kallsyms_entries[i].addr,
				"entries %u and %u out of order", i - 1, i))
			break;
	unit_note("%u functions in the table", kallsyms_count);
}

static void finds_known_functions(struct unit *t)
{
	const struct {
		const char *name;
		uintptr_t addr;
	} known[] = {
		{"fdt_open", (uintptr_t)fdt_open},
		{"logbuf_append", (uintptr_t)logbuf_append},
		{"lineedit_feed", (uintptr_t)lineedit_feed},
		{"cmdline_get", (uintptr_t)cmdline_get},
		{"kallsyms_lookup", (uintptr_t)kallsyms_lookup},
		{"main", (uintptr_t)main},
		{"local_function", (uintptr_t)local_function},
	};

	UNIT_EXPECT_EQ(t, local_function(2), 7);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *name = NULL;
		uintptr_t addr = known[i].addr, offset = 1, size = 0;
		char want[128], buf[128];

		if (!UNIT_CHECK(t,
				kallsyms_lookup(addr, &name, &offset, &size) &&
					strcmp(name, known[i].name) == 0 && offset == 0 && size > 0,
				"%s at %#lx: %s+%#lx/%#lx", known[i].name, (unsigned long)addr,
				name ? name : "(none)", (unsigned long)offset, (unsigned long)size))
			continue;
		UNIT_CHECK(t,
			   kallsyms_lookup(addr + size - 1, &name, &offset, &size) &&
				   strcmp(name, known[i].name) == 0 && offset + 1 == size,
			   "%s: its last byte", known[i].name);
		UNIT_CHECK(t, kallsyms_address(known[i].name) == addr, "address of %s",
			   known[i].name);
		snprintf(want, sizeof(want), "%s+0x1/%#lx", known[i].name, (unsigned long)size);
		UNIT_EXPECT_STREQ(t, kallsyms_format(addr + 1, buf, sizeof(buf)), want);
	}
	UNIT_EXPECT_EQ(t, kallsyms_address("no_such_function_anywhere"), (uintptr_t)0);
	UNIT_EXPECT_EQ(t, kallsyms_address("fdt_ope"), (uintptr_t)0);
}

/* The index of the last entry at or below x, or -1: what lookup must pick. */
static long covering(uintptr_t x, long hint)
{
	long j = hint;

	while (j >= 0 && kallsyms_entries[j].addr > x)
		j--;
	while (j + 1 < (long)kallsyms_count && kallsyms_entries[j + 1].addr <= x)
		j++;
	return j;
}

static bool resolves_as(struct unit *t, uintptr_t x, long hint)
{
	long j = covering(x, hint);
	const char *name = NULL;
	uintptr_t offset = 0, size = 0;
	bool want = false, got = kallsyms_lookup(x, &name, &offset, &size);

	if (j >= 0) {
		uint32_t extent = kallsyms_entries[j].size ? kallsyms_entries[j].size : 1;

		want = x - kallsyms_entries[j].addr < extent;
	}
	if (!UNIT_CHECK(t, got == want, "%#lx: found %d, expected %d", (unsigned long)x, got, want))
		return false;
	if (!want)
		return true;
	return UNIT_CHECK(t,
			  strcmp(name, kallsyms_names + kallsyms_entries[j].name) == 0 &&
				  offset == x - kallsyms_entries[j].addr &&
				  size == kallsyms_entries[j].size,
			  "%#lx: %s+%#lx", (unsigned long)x, name, (unsigned long)offset);
}

/* Each entry's first and last byte, the byte after it and the one before. */
static void every_entry_resolves(struct unit *t)
{
	for (long i = 0; i < (long)kallsyms_count; i++) {
		uintptr_t a = (uintptr_t)kallsyms_entries[i].addr;
		uint32_t size = kallsyms_entries[i].size;

		if (!resolves_as(t, a, i) || !resolves_as(t, a + size - 1, i) ||
		    !resolves_as(t, a + size, i) || !resolves_as(t, a - 1, i) ||
		    !resolves_as(t, a + size / 2, i))
			break;
		if (i % 16 == 0) {
			const char *name = kallsyms_names + kallsyms_entries[i].name;
			long first = 0;

			while (strcmp(kallsyms_names + kallsyms_entries[first].name, name))
				first++; /* the address is that of the first of the name */
			UNIT_CHECK(t,
				   kallsyms_address(name) ==
					   (uintptr_t)kallsyms_entries[first].addr,
				   "address of %s", name);
		}
	}
	UNIT_EXPECT_TRUE(t, resolves_as(t, 0, 0));
	UNIT_EXPECT_TRUE(t, resolves_as(t, UINTPTR_MAX, (long)kallsyms_count - 1));
}

/* Formatting into every buffer size: a prefix of the full text, always terminated. */
static void format_truncates(struct unit *t)
{
	char full[128];
	uintptr_t addr = (uintptr_t)lineedit_feed + 5;
	size_t len = strlen(kallsyms_format(addr, full, sizeof(full)));

	for (size_t size = 1; size <= len + 1; size++) {
		char *buf = malloc(size);

		UNIT_EXPECT_PTR_EQ(t, kallsyms_format(addr, buf, size), buf);
		UNIT_CHECK(t, strlen(buf) == size - 1 && memcmp(buf, full, size - 1) == 0,
			   "into %zu bytes: \"%s\"", size, buf);
		free(buf);
	}
}

/* ---- a table written by hand ---------------------------------------------------------- */

#define TOP_ADDR ((uint64_t)UINTPTR_MAX - 0xff)

extern const uint32_t synth_kallsyms_count;
extern const struct kallsyms_entry synth_kallsyms_entries[];
extern const char synth_kallsyms_names[];

const char synth_kallsyms_names[] = "first\0second\0zero_size\0big\0after_gap\0top";
const struct kallsyms_entry synth_kallsyms_entries[] = {
	{0x1000, 0x10, 0},     /* first */
	{0x1010, 0x20, 6},     /* second: right after first */
	{0x2000, 0, 13},       /* zero_size: covers its first byte only */
	{0x3000, 0x1000, 23},  /* big */
	{0x5000, 0x8, 27},     /* after_gap */
	{TOP_ADDR, 0x100, 37}, /* top: its last byte is UINTPTR_MAX */
};
const uint32_t synth_kallsyms_count =
	sizeof(synth_kallsyms_entries) / sizeof(synth_kallsyms_entries[0]);

static void synthetic_table(struct unit *t)
{
	static const struct {
		uint64_t addr;
		const char *text; /* kallsyms_format() */
	} probes[] = {
		{0, "0"},
		{0xfff, "0xfff"},
		{0x1000, "first+0/0x10"},
		{0x100f, "first+0xf/0x10"},
		{0x1010, "second+0/0x20"},
		{0x102f, "second+0x1f/0x20"},
		{0x1030, "0x1030"},
		{0x2000, "zero_size+0/0"},
		{0x2001, "0x2001"},
		{0x3fff, "big+0xfff/0x1000"},
		{0x4000, "0x4000"},
		{0x5007, "after_gap+0x7/0x8"},
		{0x5008, "0x5008"},
		{TOP_ADDR - 1, NULL},
		{TOP_ADDR + 0xff, "top+0xff/0x100"},
	};
	char buf[64], want[64];

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uintptr_t addr = (uintptr_t)probes[i].addr;

		if (probes[i].text)
			snprintf(want, sizeof(want), "%s", probes[i].text);
		else
			snprintf(want, sizeof(want), "%#lx", (unsigned long)addr);
		UNIT_CHECK(t, strcmp(synth_kallsyms_format(addr, buf, sizeof(buf)), want) == 0,
			   "%#llx: \"%s\", expected \"%s\"", (unsigned long long)probes[i].addr,
			   buf, want);
	}
	UNIT_EXPECT_EQ(t, synth_kallsyms_address("big"), (uintptr_t)0x3000);
	UNIT_EXPECT_EQ(t, synth_kallsyms_address("top"), (uintptr_t)TOP_ADDR);
	UNIT_EXPECT_EQ(t, synth_kallsyms_address("bi"), (uintptr_t)0);
	UNIT_EXPECT_EQ(t, synth_kallsyms_address(""), (uintptr_t)0);
}

UNIT_SUITE(kallsyms, UNIT_CASE(table_is_sorted), UNIT_CASE(finds_known_functions),
	   UNIT_CASE(every_entry_resolves), UNIT_CASE(format_truncates),
	   UNIT_CASE(synthetic_table));

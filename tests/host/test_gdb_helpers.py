"""The pure-Python half of the GDB helpers (tools/gdb/refkernel.py): kdmesg's reading of
the printk ring, checked against the kernel's own kernel/logbuf.c compiled for the host.
A driver appends records of every length (empty, padded, truncated, wrapping around the
ring's end many times) and dumps the ring with what logbuf_read() returns; parse_log()
must find exactly those records, and must stop, saying why, at a damaged one. And kbt's
one per-arch fact, the register a context switch returns through, must exist for every
target's GDB architecture and name a member of that arch's struct switch_frame."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SRCTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRCTREE, "tools", "gdb"))
sys.path.insert(0, os.path.join(SRCTREE, "tools"))
import refkernel  # noqa: E402
import target as targetlib  # noqa: E402

# Includes logbuf.c itself, so that struct record_header (local to it) can be described.
DRIVER = r"""
#include <stdio.h>
#include <stdlib.h>
#include "logbuf.c"

static char storage[RING];

static void hex(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", ((const unsigned char *)p)[i]);
}

static void dump(const struct logbuf *lb)
{
	struct log_record rec;
	char text[RING];
	uint64_t seq = 0;

	printf("state %llu %llu %llu %llu ", (unsigned long long)lb->head,
	       (unsigned long long)lb->tail, (unsigned long long)lb->first_seq,
	       (unsigned long long)lb->next_seq);
	hex(lb->buf, lb->size);
	printf("\n");
	while (logbuf_read(lb, &seq, &rec, text, sizeof(text))) {
		printf("rec %llu %d ", (unsigned long long)rec.seq, rec.level);
		hex(text, rec.len);
		printf("\n");
	}
	printf("end\n");
}

int main(int argc, char **argv)
{
	struct logbuf lb;
	char text[RING];

	printf("layout %zu %zu %zu %zu %zu %zu %zu %zu\n", sizeof(struct record_header),
	       offsetof(struct record_header, len), sizeof(((struct record_header *)0)->len),
	       offsetof(struct record_header, level),
	       sizeof(((struct record_header *)0)->level),
	       offsetof(struct record_header, seq), sizeof(((struct record_header *)0)->seq),
	       _Alignof(struct record_header));
	logbuf_init(&lb, storage, sizeof(storage));
	dump(&lb);
	srand((unsigned)atoi(argv[1]));
	for (int i = 0; i < 300; i++) {
		size_t len = (size_t)(rand() % (RING / 4 + 20));	/* some get truncated */

		for (size_t j = 0; j < len; j++)
			text[j] = (char)(j % 17 == 16 ? '\n' : 'a' + (i + j) % 26);
		logbuf_append(&lb, i % 8, text, len);
		if (i % 7 == 0)
			dump(&lb);
	}
	dump(&lb);
	return 0;
}
"""

RING = 256


class Snapshot:
    """One dump: the ring and struct logbuf fields, and logbuf_read()'s records."""

    def __init__(self, fields, ring):
        self.head, self.tail, self.first_seq, self.next_seq = fields
        self.ring = ring
        self.records = []


def build_and_run(seed):
    """The driver's layout line and its snapshots, for a random sequence from seed."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise AssertionError("no host C compiler: install the Debian package gcc")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "driver.c")
        with open(src, "w", encoding="utf-8") as f:
            f.write(DRIVER)
        exe = os.path.join(tmp, "driver")
        cmd = [cc, "-std=gnu11", "-O1", "-Wall", "-Werror", f"-DRING={RING}",
               "-I", os.path.join(SRCTREE, "kernel"),
               "-I", os.path.join(SRCTREE, "kernel", "include"), src, "-o", exe]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode:
            raise AssertionError(f"build failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")
        out = subprocess.run([exe, str(seed)], capture_output=True, text=True, timeout=60,
                             check=True).stdout
    layout, snaps = None, []
    for line in out.splitlines():
        word, *rest = line.split()
        if word == "layout":
            layout = [int(x) for x in rest]
        elif word == "state":
            snaps.append(Snapshot([int(x) for x in rest[:4]], bytes.fromhex(rest[4])))
        elif word == "rec":
            snaps[-1].records.append((int(rest[0]), int(rest[1]),
                                      bytes.fromhex(rest[2] if len(rest) > 2 else "")))
    return layout, snaps


def decoder(layout):
    """decode_header for the host's struct record_header, as the driver described it."""
    _, off_len, size_len, off_level, size_level, off_seq, size_seq, _ = layout

    def field(raw, off, size):
        return int.from_bytes(raw[off:off + size], sys.byteorder)

    return lambda raw: (field(raw, off_len, size_len), field(raw, off_level, size_level),
                        field(raw, off_seq, size_seq))


def parse(layout, snap, ring=None, head=None):
    return refkernel.parse_log(ring or snap.ring, snap.head if head is None else head,
                               snap.tail, snap.first_seq, snap.next_seq, layout[0],
                               layout[7], decoder(layout))


class ParseLogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.layout, cls.snaps = build_and_run(1)

    def test_reads_what_logbuf_read_returns(self):
        self.assertGreater(len(self.snaps), 40)
        for layout, snaps in ((self.layout, self.snaps), build_and_run(2)):
            for snap in snaps:
                records, problems = parse(layout, snap)
                self.assertEqual(problems, [])
                self.assertEqual(records, snap.records)

    def test_covers_wraparound_truncation_and_empty_records(self):
        last = self.snaps[-1]
        self.assertGreater(last.first_seq, 100)             # wrapped many times
        lengths = {len(text) for snap in self.snaps for _, _, text in snap.records}
        self.assertIn(0, lengths)
        self.assertIn(RING // 4, lengths)                   # truncated ones
        self.assertTrue(any(snap.tail % RING > snap.head % RING for snap in self.snaps))

    def test_empty_ring(self):
        self.assertEqual(parse(self.layout, self.snaps[0]), ([], []))

    def test_damaged_length_stops_with_a_reason(self):
        snap = self.snaps[-1]
        ring = bytearray(snap.ring)
        second = snap.tail + self.layout[0] + refkernel.align_up(len(snap.records[0][2]),
                                                                 self.layout[7])
        off = (second + self.layout[1]) % RING
        ring[off:off + 4] = (RING).to_bytes(4, sys.byteorder)
        records, problems = parse(self.layout, snap, bytes(ring))
        self.assertEqual(records, snap.records[:1])
        self.assertEqual(len(problems), 1)
        self.assertIn(f"position {second} claims {RING} bytes", problems[0])

    def test_damaged_sequence_number_stops(self):
        snap = self.snaps[-1]
        ring = bytearray(snap.ring)
        off = (snap.tail + self.layout[5]) % RING
        ring[off] ^= 0x40
        records, problems = parse(self.layout, snap, bytes(ring))
        self.assertEqual(records, [])
        self.assertIn("sequence number", problems[0])

    def test_impossible_head_and_tail(self):
        snap = self.snaps[-1]
        records, problems = parse(self.layout, snap, head=snap.tail + RING + 8)
        self.assertEqual(records, [])
        self.assertIn("do not describe a ring", problems[0])


class FormatTest(unittest.TestCase):
    def test_one_line_per_line_of_text(self):
        records = [(0, 6, b"banner\n"), (1, 0, b"\nPanic at x\n"), (2, 6, b"abc-7"),
                   (3, 4, b""), (4, 3, b"two\nlines\n")]
        self.assertEqual(refkernel.format_records(records),
                         ["<6>banner", "<0>", "<0>Panic at x", "<6>abc-7", "<4>",
                          "<3>two", "<3>lines"])

    def test_undecodable_bytes_do_not_stop_it(self):
        self.assertEqual(refkernel.format_records([(0, 7, b"\xff ok\n")]),
                         ["<7>\ufffd ok"])

    def test_human_sizes(self):
        self.assertEqual([refkernel.human_size(n) for n in
                          (300, 1024, 512 << 10, 128 << 20, 1 << 30, 3 << 19)],
                         ["300 bytes", "1 KiB", "512 KiB", "128 MiB", "1 GiB", "1.5 MiB"])


class SwitchFrameTest(unittest.TestCase):
    def test_every_target_has_a_return_register_in_its_switch_frame(self):
        targets = targetlib.all_targets(SRCTREE)
        self.assertGreaterEqual({t.arch for t in targets}, {"riscv64", "aarch64", "x86_64"})
        for t in targets:
            arch = t["GDB_ARCH"]
            self.assertIn(arch, refkernel.RETURN_REGISTER,
                          f"{t.arch}/{t.name}: kbt knows no return register for {arch}")
            header = os.path.join(SRCTREE, "arch", t.arch, "include", "switch_frame.h")
            with open(header, encoding="utf-8") as f:
                body = re.search(r"struct switch_frame \{(.*?)\};", f.read(), re.S)
            self.assertIsNotNone(body, f"{header} defines no struct switch_frame")
            members = re.findall(r"\b(\w+)\s*[,;\[]", re.sub(r"/\*.*?\*/", "", body.group(1),
                                                          flags=re.S))
            self.assertIn(refkernel.RETURN_REGISTER[arch], members,
                          f"{header}: no member for the return register")


if __name__ == "__main__":
    unittest.main()


class PageWalkTest(unittest.TestCase):
    """kpte's decoders over hand-built tables in a fake memory: a 4 KiB page, a large
    page, a hole, and the permission and memory-type bits of each format."""

    def setUp(self):
        self.mem = {}

    def read(self, addr):
        return self.mem.get(addr, 0)

    def put(self, table, index, value):
        self.mem[table + 8 * index] = value

    def test_sv39_page_megapage_and_hole(self):
        def pte(pa, flags):
            return ((pa >> 12) << 10) | flags
        va = 0x80201000
        self.put(0x1000, (va >> 30) & 511, pte(0x2000, 0x1))
        self.put(0x2000, (va >> 21) & 511, pte(0x3000, 0x1))
        self.put(0x3000, (va >> 12) & 511, pte(0x80201000, 0x1 | 0x2 | 0x8))   # R X
        self.put(0x2000, 5, pte(0x10a00000, 0x1 | 0x2 | 0x4 | (1 << 8)))      # RW, device
        _, result = refkernel.walk_sv39(0x1000, va + 0x10, self.read)
        self.assertEqual(result, (0x80201010, "r-x normal", 4096))
        big = (2 << 30) | (5 << 21) | 0x1234
        _, result = refkernel.walk_sv39(0x1000, big, self.read)
        self.assertEqual(result, (0x10a01234, "rw- device", 2 << 20))
        steps, result = refkernel.walk_sv39(0x1000, 0x2000000000, self.read)
        self.assertIsNone(result)
        self.assertIn("invalid at level 2", steps[-1])
        self.assertEqual(refkernel.format_walk(va, [], (0x80201000, "r-x normal", 4096))[-1],
                         "0x80201000 -> 0x80201000  r-x normal  4 KiB page")

    def test_arm64_block_page_and_permissions(self):
        table, page, block = 0x3, 0x3, 0x1
        af, ro, pxn, device = 1 << 10, 1 << 7, 1 << 53, 1 << 2
        va = 0x40201000
        self.put(0x1000, 0, 0x2000 | table)                    # L0[0]
        self.put(0x2000, 1, 0x3000 | table)                    # L1[1]: 1..2 GiB
        self.put(0x3000, 1, 0x4000 | table)                    # L2[1]
        self.put(0x4000, 1, 0x40201000 | af | ro | page)       # L3[1]: r-x
        self.put(0x3000, 2, 0x40400000 | af | pxn | block)     # L2[2]: 2 MiB rw-
        self.put(0x2000, 0, 0x09000000 & ~((1 << 30) - 1) | af | pxn | device | block)
        _, result = refkernel.walk_arm64(0x1000, va + 8, self.read)
        self.assertEqual(result, (0x40201008, "r-x normal", 4096))
        _, result = refkernel.walk_arm64(0x1000, 0x40400000 + 0x5000, self.read)
        self.assertEqual(result, (0x40405000, "rw- normal", 2 << 20))
        _, result = refkernel.walk_arm64(0x1000, 0x09000000, self.read)
        self.assertEqual(result, (0x09000000, "rw- device", 1 << 30))
        steps, result = refkernel.walk_arm64(0x1000, 0x2000000000, self.read)
        self.assertIsNone(result)

    def test_x86_64_levels_combine_permissions(self):
        present, rw, ps, pcd, nx = 1, 2, 1 << 7, 1 << 4, 1 << 63
        va = 0x201000
        self.put(0x1000, 0, 0x2000 | present | rw)
        self.put(0x2000, 0, 0x3000 | present | rw)
        self.put(0x3000, 1, 0x4000 | present | rw)             # PD[1] -> PT
        self.put(0x4000, 1, 0x201000 | present)                # read-only, executable
        self.put(0x3000, 2, 0x400000 | present | rw | ps | nx)  # 2 MiB rw-
        self.put(0x2000, 3, 0xc0000000 | present | rw | ps | pcd | nx)  # 1 GiB device
        _, result = refkernel.walk_x86_64(0x1000, va, self.read)
        self.assertEqual(result, (0x201000, "r-x normal", 4096))
        _, result = refkernel.walk_x86_64(0x1000, 0x400000 + 0x123, self.read)
        self.assertEqual(result, (0x400123, "rw- normal", 2 << 20))
        _, result = refkernel.walk_x86_64(0x1000, 0xfee00000, self.read)
        self.assertEqual(result, (0xfee00000, "rw- device", 1 << 30))
        _, result = refkernel.walk_x86_64(0x1000, 0x2000000000, self.read)
        self.assertIsNone(result)

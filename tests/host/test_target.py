"""Target definition files: every file in the tree parses, malformed files are refused
with file:line, inheritance works, and the generated Kconfig and C header are right."""

import os
import tempfile
import unittest

import target

GOOD = """\
DESCRIPTION = test board
TIER = 1
GCC_PREFIXES = x- y-
GCC_PACKAGE = gcc-x
LLVM_TRIPLE = x-none-elf
CPU_CFLAGS = -mfoo
KERNEL_BASE = 0x80200000
EARLY_UART = ns16550_mmio
EARLY_UART_BASE = 0x10000000
EXIT = sifive_test
QEMU = qemu-system-x
QEMU_PACKAGE = qemu-system-misc
QEMU_MACHINE = virt
QEMU_CPU = rv64
QEMU_MEM = 128M
QEMU_IMAGE = bin
GDB_ARCH = riscv:rv64
"""


class TargetFileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "arch", "xarch", "targets")
        os.makedirs(self.dir)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name + ".target")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_every_target_in_the_tree_parses(self):
        targets = target.all_targets()
        self.assertGreaterEqual(len(targets), 3)
        self.assertEqual({t.arch for t in targets} >= {"riscv64", "aarch64", "x86_64"}, True)
        for t in targets:
            self.assertIn(t["TIER"], ("1", "2", "3"))

    def test_parses_values_and_names(self):
        t = target.parse(self.write("board", "# comment\n\n" + GOOD))
        self.assertEqual(t.name, "board")
        self.assertEqual(t.arch, "xarch")
        self.assertEqual(t["QEMU_MEM"], "128M")
        self.assertEqual(t.words("GCC_PREFIXES"), ["x-", "y-"])

    def test_rejects_malformed_line_with_location(self):
        path = self.write("bad", GOOD + "this is not an assignment\n")
        with self.assertRaisesRegex(target.TargetError, r"bad.target:18: expected 'KEY = value'"):
            target.parse(path)

    def test_rejects_duplicate_and_missing_keys(self):
        with self.assertRaisesRegex(target.TargetError, "TIER is set twice"):
            target.parse(self.write("dup", GOOD + "TIER = 2\n"))
        with self.assertRaisesRegex(target.TargetError, "missing required keys: QEMU_CPU"):
            target.parse(self.write("missing", GOOD.replace("QEMU_CPU = rv64\n", "")))

    def test_rejects_bad_values(self):
        with self.assertRaisesRegex(target.TargetError, "EXIT must be one of"):
            target.parse(self.write("exit", GOOD.replace("sifive_test", "magic")))
        with self.assertRaisesRegex(target.TargetError, "not allowed in values"):
            target.parse(self.write("dollar", GOOD.replace("-mfoo", "$(shell rm -rf x)")))

    def test_inherit_overrides_parent(self):
        self.write("base", GOOD)
        t = target.parse(self.write("child", "INHERIT = base\nQEMU_CPU = max\nTIER = 2\n"))
        self.assertEqual(t["QEMU_CPU"], "max")
        self.assertEqual(t["QEMU_MACHINE"], "virt")
        self.assertNotIn("INHERIT", t)
        with self.assertRaisesRegex(target.TargetError, "does not exist"):
            target.parse(self.write("orphan", "INHERIT = nothere\n"))

    def test_kconfig_lists_every_target_tier1_first(self):
        self.write("zeta", GOOD)
        self.write("alpha", GOOD.replace("TIER = 1", "TIER = 2"))
        text = target.kconfig(os.path.dirname(self.dir))
        self.assertLess(text.index("config TARGET_ZETA"), text.index("config TARGET_ALPHA"))
        self.assertIn('default "alpha" if TARGET_ALPHA', text)

    def test_c_header_types_and_host_keys(self):
        t = target.parse(self.write("board", GOOD))
        h = target.c_header(t)
        self.assertIn("#define TARGET_KERNEL_BASE 0x80200000", h)
        self.assertIn("#define TARGET_EARLY_UART ns16550_mmio", h)
        self.assertIn("#define TARGET_EXIT_sifive_test 1", h)
        self.assertIn('#define TARGET_DESCRIPTION_STR "test board"', h)
        self.assertIn('#define TARGET_NAME "board"', h)
        self.assertNotIn("QEMU", h)         # host-only keys stay out of the kernel
        self.assertNotIn("CPU_CFLAGS", h)


if __name__ == "__main__":
    unittest.main()

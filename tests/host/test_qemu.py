"""QEMU command lines built from the target files, and exit status decoding."""

import os
import tempfile
import unittest

import qemu
import target


class QemuArgvTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        for name in ("kernel.elf", "kernel.bin"):
            open(os.path.join(self.tmp.name, name), "w").close()

    def tearDown(self):
        self.tmp.cleanup()

    def test_every_tier1_target_builds_a_command_line(self):
        for t in target.all_targets():
            argv = qemu.qemu_argv(t, self.tmp.name, append="x y")
            self.assertEqual(argv[0], t["QEMU"])
            self.assertIn(t["QEMU_MACHINE"], argv)
            image = "kernel.bin" if t["QEMU_IMAGE"] == "bin" else "kernel.elf"
            self.assertEqual(argv[argv.index("-kernel") + 1],
                             os.path.join(self.tmp.name, image))
            self.assertEqual(argv[argv.index("-append") + 1], "x y")
            if t.get("QEMU_FIRMWARE"):
                self.assertEqual(argv[argv.index("-bios") + 1], t["QEMU_FIRMWARE"])

    def test_overrides(self):
        t = target.find("riscv64", "qemu-virt")
        argv = qemu.qemu_argv(t, self.tmp.name, mem="512M", smp=4, extra="-s -d int")
        self.assertEqual(argv[argv.index("-m") + 1], "512M")
        self.assertEqual(argv[argv.index("-smp") + 1], "4")
        self.assertEqual(argv[-3:], ["-s", "-d", "int"])

    def test_missing_image_is_a_clear_error(self):
        t = target.find("riscv64", "qemu-virt")
        with self.assertRaisesRegex(qemu.QemuError, "build it first"):
            qemu.qemu_argv(t, os.path.join(self.tmp.name, "nothing-here"))

    def test_unknown_target_lists_valid_ones(self):
        with self.assertRaisesRegex(target.TargetError, "valid: .*qemu-virt"):
            target.find("riscv64", "no-such-board")

    def test_exit_status_decoding(self):
        x86 = target.find("x86_64", "qemu-q35")
        self.assertEqual(qemu.exit_status(x86, 1), 0)       # (0 << 1) | 1
        self.assertEqual(qemu.exit_status(x86, 5), 2)
        self.assertIsNone(qemu.exit_status(x86, 0))         # no exit device: a crash
        rv = target.find("riscv64", "qemu-virt")
        self.assertEqual(qemu.exit_status(rv, 7), 7)
        self.assertIsNone(qemu.exit_status(rv, None))       # timed out
        self.assertIsNone(qemu.exit_status(rv, -9))         # killed by a signal

    def test_default_gdb_ports_differ_per_arch(self):
        ports = {qemu.default_gdbport(t) for t in target.all_targets()
                 if t.name in ("qemu-virt", "qemu-q35")}
        self.assertEqual(len(ports), 3)


if __name__ == "__main__":
    unittest.main()

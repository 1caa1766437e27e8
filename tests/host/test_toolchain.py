"""Toolchain detection in the Makefile: the candidate list from the target file is tried
in order, CROSS_COMPILE= wins, LLVM=1 selects clang, and a missing toolchain names the
Debian package to install."""

import os
import stat
import subprocess
import tempfile
import unittest

SRCTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ToolchainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.bin = os.path.join(cls.tmp.name, "bin")
        os.makedirs(cls.bin)
        # A second riscv64 GCC under another prefix, as distributions name them.
        fake = os.path.join(cls.bin, "riscv64-fake-elf-gcc")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nexec riscv64-unknown-elf-gcc "$@"\n')
        os.chmod(fake, os.stat(fake).st_mode | stat.S_IEXEC)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def make(self, arch, *args):
        env = dict(os.environ, PATH=self.bin + os.pathsep + os.environ["PATH"])
        env.pop("CROSS_COMPILE", None)
        env.pop("LLVM", None)
        out = os.path.join(self.tmp.name, f"o-{arch}-{abs(hash(args))}")
        return subprocess.run(["make", "-s", "-C", SRCTREE, f"ARCH={arch}", f"O={out}",
                               *args, "print-toolchain"],
                              capture_output=True, text=True, env=env, timeout=60)

    def test_first_installed_candidate_wins(self):
        r = self.make("riscv64", "GCC_PREFIXES=absent- riscv64-fake-elf- riscv64-unknown-elf-")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("CC=riscv64-fake-elf-gcc", r.stdout)

    def test_default_candidates(self):
        r = self.make("riscv64")
        self.assertIn("CC=riscv64-unknown-elf-gcc", r.stdout, r.stderr)
        r = self.make("aarch64")
        self.assertIn("CC=aarch64-linux-gnu-gcc", r.stdout, r.stderr)
        r = self.make("x86_64")
        self.assertIn("CC=x86_64-linux-gnu-gcc", r.stdout, r.stderr)

    def test_cross_compile_overrides_detection(self):
        r = self.make("riscv64", "CROSS_COMPILE=riscv64-fake-elf-")
        self.assertIn("CC=riscv64-fake-elf-gcc", r.stdout, r.stderr)

    def test_missing_toolchain_names_the_package(self):
        r = self.make("riscv64", "GCC_PREFIXES=absent- other-")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("no riscv64 GCC found (tried: absent-gcc other-gcc)", r.stderr)
        self.assertIn("install the Debian package gcc-riscv64-unknown-elf", r.stderr)
        r = self.make("aarch64", "CROSS_COMPILE=nothere-")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("nothere-gcc not found", r.stderr)
        self.assertIn("gcc-aarch64-linux-gnu", r.stderr)

    def test_llvm_selects_clang_with_the_target_triple(self):
        r = self.make("riscv64", "LLVM=1")
        self.assertIn("CC=clang --target=riscv64-unknown-elf", r.stdout, r.stderr)
        self.assertIn("LD=ld.lld", r.stdout)
        # riscv64 LLVM builds still take libgcc from GCC (no bare-metal compiler-rt).
        self.assertIn("rv64imac/lp64/libgcc.a", r.stdout)

    def test_bad_llvm_value(self):
        r = self.make("riscv64", "LLVM=yes")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LLVM must be 1", r.stderr)


if __name__ == "__main__":
    unittest.main()

"""Build-system tests: a clean build, a no-op rebuild that rebuilds nothing, header and
config changes that rebuild exactly their dependents, O=, V=1, configuration precedence
(command line > .config > defconfig) and the clear errors for bad input. They build
riscv64 in private build directories under build/tests/."""

import os
import re
import shutil
import subprocess
import unittest

SRCTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(SRCTREE, "build", "tests")
JOBS = f"-j{os.cpu_count() or 2}"


def make(*args, check=True, timeout=300):
    env = {k: v for k, v in os.environ.items()
           if k not in ("ARCH", "LLVM", "CROSS_COMPILE", "LIBC", "TARGET", "O", "V")}
    r = subprocess.run(["make", "-C", SRCTREE, "--no-print-directory", JOBS, *args],
                       capture_output=True, text=True, env=env, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}")
    return r


# Objects generated from the linked kernel or from .config (the symbol table, the lz4
# stub's payload, the embedded configuration), made again when those change. They are
# not compiled from sources.
FROM_THE_IMAGE = ("kallsyms", "kconfig_data", "stub/boot/stub/payload.o")


def compiled(output):
    """Objects a build compiled, from the quiet "  CC      kernel/main.o" lines."""
    return sorted(o for o in re.findall(r"^  (?:CC|AS)\s+(\S+)$", output, re.M)
                  if not o.startswith(FROM_THE_IMAGE))


class BuildTest(unittest.TestCase):
    """One riscv64 build directory shared by the incremental tests, built once."""

    O = os.path.join(BUILD, "incremental")

    @classmethod
    def setUpClass(cls):
        shutil.rmtree(cls.O, ignore_errors=True)
        cls.first = make("ARCH=riscv64", f"O={cls.O}")

    def test_clean_build_produces_images(self):
        for name in ("kernel.elf", "kernel.bin", "kernel.map", ".config"):
            self.assertTrue(os.path.exists(os.path.join(self.O, name)), name)
        out = self.first.stdout
        self.assertRegex(out, r"(?m)^  CC      kernel/main\.o$")
        self.assertRegex(out, r"(?m)^  LD      kernel\.elf$")
        self.assertIn("kernel/main.o", compiled(out))

    def test_noop_rebuild_rebuilds_nothing(self):
        elf = os.path.join(self.O, "kernel.elf")
        before = os.stat(elf).st_mtime_ns
        r = make("ARCH=riscv64", f"O={self.O}")
        self.assertEqual(compiled(r.stdout), [])
        self.assertNotIn("LD", r.stdout)
        self.assertEqual(os.stat(elf).st_mtime_ns, before)

    def test_touching_a_header_rebuilds_its_dependents_only(self):
        header = os.path.join(SRCTREE, "kernel", "include", "lineedit.h")
        os.utime(header)
        r = make("ARCH=riscv64", f"O={self.O}")
        self.assertEqual(compiled(r.stdout), ["kernel/lineedit.o", "kernel/shell.o"])
        self.assertIn("LD      kernel.elf", r.stdout)

    def test_config_change_rebuilds_only_its_users(self):
        config = os.path.join(self.O, ".config")
        with open(config) as f:
            text = f.read()
        new = re.sub(r"CONFIG_LOG_BUF_SHIFT=\d+", "CONFIG_LOG_BUF_SHIFT=13", text)
        self.assertNotEqual(new, text)
        try:
            with open(config, "w") as f:
                f.write(new)
            r = make("ARCH=riscv64", f"O={self.O}")
            self.assertEqual(compiled(r.stdout), ["kernel/printk.o"])
        finally:
            with open(config, "w") as f:
                f.write(text)
            make("ARCH=riscv64", f"O={self.O}")

    def test_no_second_heap_in_the_image(self):
        # picolibc's malloc would be a heap beside kmalloc: it must not be linked.
        syms = subprocess.run(["riscv64-unknown-elf-nm", os.path.join(self.O, "kernel.elf")],
                              capture_output=True, text=True, check=True).stdout
        names = {line.split()[-1] for line in syms.splitlines()}
        self.assertIn("heap_stats", names)     # the kernel's own heap is there
        self.assertFalse(names & {"malloc", "free", "sbrk", "_sbrk", "__malloc_sbrk_base"},
                         "a C library heap is linked")

    def test_objects_stay_in_the_build_directory(self):
        stray = subprocess.run(["git", "-C", SRCTREE, "status", "--porcelain",
                                "--ignored", "--", "kernel", "drivers", "arch"],
                               capture_output=True, text=True).stdout
        self.assertNotRegex(stray, r"\.(o|d|elf|bin)\b")
        self.assertTrue(os.path.exists(os.path.join(self.O, "kernel", "main.o")))

    def test_verbose_prints_command_lines(self):
        os.utime(os.path.join(SRCTREE, "kernel", "errors.c"))
        r = make("ARCH=riscv64", f"O={self.O}", "V=1")
        self.assertRegex(r.stdout, r"riscv64-unknown-elf-gcc .*-Wall -Wextra -Werror[\s\S]* -c -o "
                                   r"\S+/kernel/errors\.o")
        self.assertNotRegex(r.stdout, r"(?m)^  CC      ")


class ConfigPrecedenceTest(unittest.TestCase):
    O = os.path.join(BUILD, "precedence")

    def setUp(self):
        shutil.rmtree(self.O, ignore_errors=True)

    def config(self, *args):
        return make("ARCH=riscv64", f"O={self.O}", *args, "print-config").stdout

    def test_command_line_over_config_over_defconfig(self):
        self.assertIn("LIBC=picolibc", self.config())             # the defconfig
        self.assertIn("LIBC=minimal", self.config("LIBC=minimal"))  # command line wins
        self.assertIn("LIBC=minimal", self.config())              # and is now .config
        self.assertIn("LIBC=picolibc", self.config("LIBC=picolibc"))
        self.assertIn("TOOLCHAIN=llvm", self.config("LLVM=1"))
        self.assertIn("TOOLCHAIN=gcc", self.config("LLVM=0"))

    def test_savedefconfig_and_defconfig_round_trip(self):
        self.config("LIBC=minimal")
        make("ARCH=riscv64", f"O={self.O}", "savedefconfig")
        with open(os.path.join(self.O, "defconfig")) as f:
            saved = f.read()
        self.assertIn("CONFIG_LIBC_MINIMAL=y", saved)
        self.assertNotIn("CONFIG_LOG_BUF_SHIFT", saved)     # defaults stay out
        make("ARCH=riscv64", f"O={self.O}", "defconfig")
        self.assertIn("LIBC=picolibc", self.config())

    def test_target_selects_its_defconfig(self):
        out = make("ARCH=aarch64", f"O={self.O}", "TARGET=qemu-virt-max", "print-config").stdout
        self.assertIn("TARGET=qemu-virt-max", out)


class BadInputTest(unittest.TestCase):
    O = os.path.join(BUILD, "bad-input")

    def fails(self, *args, o=None):
        r = make(f"O={o or self.O}", *args, check=False)
        self.assertNotEqual(r.returncode, 0)
        return r.stderr

    def test_unknown_arch_lists_the_valid_ones(self):
        err = self.fails("ARCH=mips")
        self.assertIn("unknown ARCH 'mips'; valid: aarch64 riscv64 x86_64", err)

    def test_unknown_target_lists_the_valid_ones(self):
        err = self.fails("ARCH=riscv64", "TARGET=nope")
        self.assertIn("unknown TARGET 'nope' for riscv64; valid: qemu-virt", err)

    def test_libc_not_available_for_target(self):
        err = self.fails("ARCH=x86_64", "LIBC=picolibc", "print-config", o=self.O + "-x86")
        self.assertIn("cannot set LIBC_PICOLIBC=y for this target", err)

    def test_bad_libc_value(self):
        self.assertIn("LIBC must be picolibc or minimal", self.fails("LIBC=glibc"))

    def test_build_directory_of_another_arch(self):
        o = self.O + "-x86"
        make("ARCH=x86_64", f"O={o}", "print-config")
        err = self.fails("ARCH=riscv64", o=o)
        self.assertIn("is configured for x86_64, not riscv64", err)

    def test_missing_toolchain(self):
        err = self.fails("ARCH=riscv64", "CROSS_COMPILE=no-such-prefix-", o=self.O + "-rv")
        self.assertIn("no-such-prefix-gcc not found", err)
        self.assertIn("install the Debian package gcc-riscv64-unknown-elf", err)


if __name__ == "__main__":
    unittest.main()


class MenuconfigTest(unittest.TestCase):
    """make menuconfig in a real terminal (tmux), driven by keystrokes like a user."""

    O = os.path.join(BUILD, "menuconfig")

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", "refkernel-test", *args], capture_output=True,
                              text=True, timeout=10)

    def screen(self):
        return self.tmux("capture-pane", "-t", "mc", "-p").stdout

    def wait_for(self, text, seconds=10):
        import time
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if text in self.screen():
                return True
            time.sleep(0.1)
        return False

    def setUp(self):
        if not shutil.which("tmux"):
            self.fail("tmux not found: install the Debian package tmux (tools/setup does)")
        shutil.rmtree(self.O, ignore_errors=True)

    def tearDown(self):
        self.tmux("kill-server")

    def test_choose_the_minimal_libc(self):
        self.tmux("new-session", "-d", "-s", "mc", "-x", "120", "-y", "40",
                  f"make -C {SRCTREE} ARCH=riscv64 O={self.O} menuconfig; "
                  "echo MENUCONFIG-EXIT=$?; sleep 30")
        self.assertTrue(self.wait_for("refkernel configuration (riscv64)"), self.screen())
        # Jump to the symbol as a user would ("/"), land on it in its choice, pick it.
        self.tmux("send-keys", "-t", "mc", "/")
        self.assertTrue(self.wait_for("Jump to symbol"), self.screen())
        self.tmux("send-keys", "-t", "mc", "-l", "LIBC_MINIMAL")
        self.assertTrue(self.wait_for('LIBC_MINIMAL(=n) "minimal in-tree libc'), self.screen())
        self.tmux("send-keys", "-t", "mc", "Enter")
        self.assertTrue(self.wait_for("( ) minimal in-tree libc"), self.screen())
        self.tmux("send-keys", "-t", "mc", "Space")
        self.assertTrue(self.wait_for("C library (minimal"), self.screen())
        self.tmux("send-keys", "-t", "mc", "Q")
        self.assertTrue(self.wait_for("Save configuration?"), self.screen())
        self.tmux("send-keys", "-t", "mc", "y")
        self.assertTrue(self.wait_for("MENUCONFIG-EXIT=0"), self.screen())
        with open(os.path.join(self.O, ".config")) as f:
            config = f.read()
        self.assertIn("CONFIG_LIBC_MINIMAL=y", config)
        out = make("ARCH=riscv64", f"O={self.O}", "print-config").stdout
        self.assertIn("LIBC=minimal", out)

"""Host-side unit tests of the portable kernel code (tests/unit/): kernel/fdt.c, logbuf.c,
lineedit.c, cmdline.c, kallsyms.c, time.c's arithmetic and timer queue, and the minimal
libc (kernel/libc/) compared with glibc. One program, built into build/tests/unit/<config>/
for every configuration below and run, its KTAP output read with tools/ktap.py:

  gcc-asan, clang-asan   native x86_64 with AddressSanitizer and UBSan
  i386                   ILP32, where 64-bit assumptions show: i686-linux-gnu-gcc, static,
                         run natively (or under qemu-i386); not gcc -m32, as Debian's
                         gcc-multilib conflicts with the riscv64 cross compiler
  aarch64, riscv64       static cross builds run under QEMU user-mode emulation

The cross builds have UBSan in trap mode (no runtime to link): undefined behaviour kills
the program with SIGILL, and a native configuration shows the report. A missing compiler,
C library or QEMU fails the configuration with the Debian package to install.

UNIT_CONFIGS=gcc-asan,i386 (say) runs only those; the others then report as skipped.

The kernel's libc is compiled only against its own headers, with every symbol renamed
k_* (tests/unit/klibc_names.h), so that one program calls both it and glibc. kallsyms.c
is tested with a table made by tools/kallsyms.py from the test program itself, linked in
a second pass as the kernel's build does.
"""

import concurrent.futures
import errno
import hashlib
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import unittest

SRCTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRCTREE, "tools"))

import kallsyms  # noqa: E402  (tools/kallsyms.py)
import ktap  # noqa: E402

UNIT = os.path.join(SRCTREE, "tests", "unit")
BUILD = os.path.join(SRCTREE, "build", "tests", "unit")
DATA = os.path.join(BUILD, "data")
RUN_TIMEOUT = 300

# Portable kernel code under test, compiled against the host C library's headers.
KERNEL_SOURCES = ["kernel/fdt.c", "kernel/logbuf.c", "kernel/lineedit.c", "kernel/cmdline.c",
                  "kernel/kallsyms.c"]
TIME_SOURCE = "kernel/time.c"           # needs unsigned __int128 (not on i386)
# The minimal libc, compiled only against its own headers, its symbols renamed k_*.
LIBC_SOURCES = ["kernel/libc/format.c", "kernel/libc/strtol.c", "kernel/libc/string.c",
                "tests/unit/klibc_check.c"]
TEST_SOURCES = ["unit.c", "host_shim.c", "test_fdt.c", "test_logbuf.c", "test_lineedit.c",
                "test_cmdline.c", "test_format.c", "test_strtol.c", "test_string.c",
                "test_kallsyms.c", "test_time_math.c"]
# kallsyms.c a second time, over a table test_kallsyms.c writes by hand.
SYNTH_RENAMES = [f"-D{name}=synth_{name}" for name in (
    "kallsyms_count", "kallsyms_entries", "kallsyms_names", "kallsyms_lookup",
    "kallsyms_format", "kallsyms_address")]

WARNINGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wstrict-prototypes",
            "-Wmissing-prototypes"]
SANITIZE = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all"]
TRAP_UBSAN = ["-O2", "-fsanitize=undefined", "-fsanitize-undefined-trap-on-error"]

# Device trees for test_fdt.c: name -> (source, dtc options).
DTBS = {
    "test.dtb": ("tests/kernel/test.dts", []),
    "test-pad.dtb": ("tests/kernel/test.dts", ["-p", "512"]),
    "test-v16.dtb": ("tests/kernel/test.dts", ["-V", "16"]),
    "variety.dtb": ("tests/unit/fdt_variety.dts", []),
}

SAN_ENV = {
    # Leaks are not what these tests are about; LeakSanitizer also fails under ptrace.
    "ASAN_OPTIONS": "detect_leaks=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}


class Config:
    """One way of building and running the program."""

    def __init__(self, name, cc, packages, flags, ldflags=(), qemu=None, nm="nm",
                 int128=True, native_first=False):
        self.name = name
        self.cc = cc
        self.packages = packages        # what to install when something is missing
        self.flags = list(flags)
        self.ldflags = list(ldflags)
        self.qemu = qemu                # QEMU user-mode emulator, None for native
        self.nm = nm
        self.int128 = int128
        self.native_first = native_first    # try running natively, else under QEMU
        self.gcc = "clang" not in cc


CONFIGS = [
    Config("gcc-asan", "gcc", "gcc", SANITIZE, ["-no-pie"]),
    Config("clang-asan", "clang", "clang libclang-rt-14-dev", SANITIZE, ["-no-pie"]),
    Config("i386", "i686-linux-gnu-gcc", "gcc-i686-linux-gnu libc6-dev-i386-cross",
           TRAP_UBSAN, ["-static"], qemu="qemu-i386", nm="i686-linux-gnu-nm",
           int128=False, native_first=platform.machine() == "x86_64"),
    Config("aarch64", "aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
           TRAP_UBSAN, ["-static"], qemu="qemu-aarch64", nm="aarch64-linux-gnu-nm"),
    Config("riscv64", "riscv64-linux-gnu-gcc",
           "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross",
           TRAP_UBSAN, ["-static"], qemu="qemu-riscv64", nm="riscv64-linux-gnu-nm"),
]


def selected():
    """The configurations to run: all, or those named in UNIT_CONFIGS (comma-separated),
    for a quicker loop while working on one."""
    names = [n for n in os.environ.get("UNIT_CONFIGS", "").split(",") if n]
    unknown = set(names) - {c.name for c in CONFIGS}
    if unknown:
        raise ValueError(f"UNIT_CONFIGS: no configuration {', '.join(sorted(unknown))} "
                         f"(there are {', '.join(c.name for c in CONFIGS)})")
    return [c for c in CONFIGS if not names or c.name in names]


class BuildError(Exception):
    pass


class Outcome:
    def __init__(self):
        self.error = None
        self.stdout = self.stderr = ""
        self.returncode = None
        self.build_s = self.run_s = 0.0
        self.how = ""


def qemu_binary(name):
    """qemu-user's emulator, or qemu-user-static's."""
    return shutil.which(name) or shutil.which(name + "-static")


def run_tool(cmd, what, packages, cwd=None):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} not found: install the Debian package(s) {packages}")
    if r.returncode != 0:
        msg = r.stderr[-4000:]
        hint = ""
        if "No such file or directory" in msg and (".h:" in msg or ".h>" in msg or
                                                   "cannot find" in msg):
            hint = f"\n(a C library or runtime is missing: install {packages})"
        elif "cannot find -l" in msg or "cannot find crt" in msg or "libasan" in msg:
            hint = f"\n(a runtime library is missing: install {packages})"
        raise BuildError(f"{what} failed: {shlex.join(cmd)}\n{msg}{hint}")
    return r


class Builder:
    """Compiles and links one configuration; reuses objects whose command and inputs
    (as -MMD lists them) are unchanged."""

    def __init__(self, cfg, pool):
        self.cfg = cfg
        self.pool = pool
        self.out = os.path.join(BUILD, cfg.name)
        os.makedirs(self.out, exist_ok=True)

    def compiler_includes(self):
        dirs = []
        for d in ("include", "include-fixed"):
            r = run_tool([self.cfg.cc, f"-print-file-name={d}"], "finding the compiler's "
                         "headers", self.cfg.packages)
            path = r.stdout.strip()
            if os.path.isabs(path) and os.path.isdir(path):
                dirs += ["-isystem", path]
        return dirs

    @staticmethod
    def stamp(obj, cmd):
        """The command and the contents of every input -MMD listed (contents, not times:
        a file put back as it was must not look older than the object built from an
        edited copy)."""
        digest = hashlib.sha256(shlex.join(cmd).encode())
        with open(obj + ".d") as f:
            deps = f.read().replace("\\\n", " ").split(":", 1)[1].split()
        for dep in sorted(set(d for d in deps if not d.endswith(":"))):
            with open(dep, "rb") as f:
                digest.update(dep.encode() + b"\0" + hashlib.sha256(f.read()).digest())
        return digest.hexdigest()

    def up_to_date(self, obj, cmd):
        try:
            with open(obj + ".stamp") as f:
                return os.path.exists(obj) and f.read() == self.stamp(obj, cmd)
        except (OSError, IndexError):
            return False

    def compile(self, src, obj, flags):
        cmd = [self.cfg.cc, *WARNINGS, *self.cfg.flags, *flags, "-MMD", "-MF", obj + ".d",
               "-c", src, "-o", obj]
        if self.up_to_date(obj, cmd):
            return obj
        run_tool(cmd, f"compiling {os.path.relpath(src, SRCTREE)}", self.cfg.packages)
        with open(obj + ".stamp", "w") as f:
            f.write(self.stamp(obj, cmd))
        return obj

    def objects(self):
        """Every object, compiled on the shared pool."""
        cfg = self.cfg
        # One CPU: the host side of the tests is single-threaded (test_time_math.c's
        # arch_cpu_index() is always 0).
        kinc = ["-iquote", os.path.join(SRCTREE, "kernel", "include"), "-DCONFIG_NR_CPUS=1"]
        host = [*kinc, "-iquote", UNIT]
        libc = ["-ffreestanding", "-nostdinc", *self.compiler_includes(),
                "-I", os.path.join(SRCTREE, "kernel", "libc", "include"), "-iquote", UNIT,
                "-include", os.path.join(UNIT, "klibc_names.h")]
        if cfg.gcc:
            # As kernel/libc/Kbuild: keep the byte loops from becoming calls to memcpy.
            libc.append("-fno-tree-loop-distribute-patterns")
        jobs = []
        kernel = KERNEL_SOURCES + ([TIME_SOURCE] if cfg.int128 else [])
        for src in kernel:
            obj = os.path.join(self.out, "k-" + os.path.basename(src)[:-2] + ".o")
            jobs.append((os.path.join(SRCTREE, src), obj, kinc))
        jobs.append((os.path.join(SRCTREE, "kernel", "kallsyms.c"),
                     os.path.join(self.out, "k-kallsyms-synth.o"), kinc + SYNTH_RENAMES))
        for src in LIBC_SOURCES:
            obj = os.path.join(self.out, "libc-" + os.path.basename(src)[:-2] + ".o")
            jobs.append((os.path.join(SRCTREE, src), obj, libc))
        for src in TEST_SOURCES:
            jobs.append((os.path.join(UNIT, src), os.path.join(self.out, src[:-2] + ".o"),
                         host))
        futures = [self.pool.submit(self.compile, *job) for job in jobs]
        return [f.result() for f in futures]

    def link(self, objs, table, exe):
        table_obj = table[:-2] + ".o"
        run_tool([self.cfg.cc, *self.cfg.flags, "-c", table, "-o", table_obj],
                 "assembling the symbol table", self.cfg.packages)
        run_tool([self.cfg.cc, *self.cfg.flags, *self.cfg.ldflags, *objs, table_obj,
                  "-o", exe + ".tmp"], "linking", self.cfg.packages)
        os.replace(exe + ".tmp", exe)

    def symbols(self, exe):
        try:
            return kallsyms.functions(self.cfg.nm, exe)
        except FileNotFoundError:
            raise BuildError(f"{self.cfg.nm} not found: install {self.cfg.packages}")

    def build(self):
        """The program, with its own functions in its kallsyms table (two links)."""
        objs = self.objects()
        pass1 = os.path.join(self.out, "unit.pass1")
        exe = os.path.join(self.out, "unit")
        empty = os.path.join(self.out, "kallsyms-empty.S")
        table = os.path.join(self.out, "kallsyms.S")
        with open(empty, "w") as f:
            f.write(kallsyms.assembly([]))
        self.pool.submit(self.link, objs, empty, pass1).result()
        syms = self.symbols(pass1)
        with open(table, "w") as f:
            f.write(kallsyms.assembly(syms))
        self.pool.submit(self.link, objs, table, exe).result()
        if self.symbols(exe) != syms:
            raise BuildError("linking the kallsyms table in moved functions: the table "
                             "made from the first link does not match the final program")
        return exe


def run_program(cfg, exe):
    """Run the program; returns (CompletedProcess, how it was run)."""
    def run(cmd):
        for attempt in range(5):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                      timeout=RUN_TIMEOUT, env=dict(os.environ, **SAN_ENV))
            except OSError as e:
                # A just-linked file can be busy for a moment when another thread forks.
                if e.errno != errno.ETXTBSY or attempt == 4:
                    raise
                time.sleep(0.2)

    args = [exe, "-d", DATA]
    if cfg.native_first:
        try:
            return run(args), "natively"
        except OSError as e:
            if e.errno != errno.ENOEXEC:
                raise
            # This kernel cannot run the target's binaries itself: emulate.
    if cfg.qemu:
        qemu = qemu_binary(cfg.qemu)
        if not qemu:
            raise BuildError(f"{cfg.qemu} not found: install the Debian package qemu-user")
        return run([qemu, *args]), f"under {cfg.qemu}"
    return run(args), "natively"


def make_data():
    os.makedirs(DATA, exist_ok=True)
    if not shutil.which("dtc"):
        raise BuildError("dtc not found: install the Debian package device-tree-compiler")
    for name, (src, opts) in DTBS.items():
        run_tool(["dtc", "-q", "-I", "dts", "-O", "dtb", *opts, "-o",
                  os.path.join(DATA, name), os.path.join(SRCTREE, src)],
                 f"dtc {src}", "device-tree-compiler")


def missing_tools(cfg):
    if not shutil.which(cfg.cc):
        return f"{cfg.cc} not found: install the Debian package(s) {cfg.packages}"
    if cfg.qemu and not cfg.native_first and not qemu_binary(cfg.qemu):
        return (f"{cfg.qemu} not found: install the Debian package qemu-user "
                "(or qemu-user-static)")
    return None


def build_and_run(cfg, pool, data_error):
    out = Outcome()
    start = time.monotonic()
    try:
        if data_error:
            raise BuildError(data_error)
        missing = missing_tools(cfg)
        if missing:
            raise BuildError(missing)
        exe = Builder(cfg, pool).build()
        out.build_s = time.monotonic() - start
        start = time.monotonic()
        r, out.how = pool.submit(run_program, cfg, exe).result()
        out.run_s = time.monotonic() - start
        out.stdout, out.stderr, out.returncode = r.stdout, r.stderr, r.returncode
    except BuildError as e:
        out.error = str(e)
    except subprocess.TimeoutExpired as e:
        tail = (e.stdout or b"").decode(errors="replace")[-3000:]
        out.error = f"{shlex.join(e.cmd)}: timed out after {e.timeout} s\n{tail}"
    except Exception as e:          # reported by the test, not as a crash of setUpClass
        out.error = f"{type(e).__name__}: {e}"
    return out


def failure_report(out):
    """The output's tail, then what went wrong, most telling last (the test runner shows
    a failure's last lines): failed checks, failed cases, the sanitizer's report."""
    lines = out.stdout.splitlines()
    checks = [line.strip() for line in lines
              if line.strip().startswith("# ") and ".c:" in line]
    cases = [line.strip() for line in lines
             if line.startswith("    not ok") and "# TODO" not in line]
    sanitizer = [line.strip() for line in out.stderr.splitlines()
                 if re.search(r"ERROR: \w+Sanitizer|runtime error|SUMMARY: |^\s*#[0-3] ",
                              line)]
    panic = [line for line in lines if line.startswith("Kernel panic")]
    return (out.stdout[-3000:] + "\n--- stderr ---\n" + out.stderr[-3000:] +
            "\n--- summary ---\n" +
            "\n".join(checks[:4] + cases[:3] + panic + sanitizer[:6]))


class UnitTest(unittest.TestCase):
    outcomes = {}

    @classmethod
    def setUpClass(cls):
        data_error = None
        try:
            make_data()
        except BuildError as e:
            data_error = str(e)
        workers = max(2, os.cpu_count() or 2)
        # Coordinators (one thread per configuration) hand compiles, links and runs to
        # one pool of as many workers as CPUs; the emulated runs are the longest, so
        # they are queued first.
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool, \
                concurrent.futures.ThreadPoolExecutor(max_workers=len(CONFIGS)) as coord:
            order = sorted(selected(), key=lambda c: c.qemu is None)
            futures = {c.name: coord.submit(build_and_run, c, pool, data_error)
                       for c in order}
            cls.outcomes = {name: f.result() for name, f in futures.items()}

    def check(self, name):
        cfg = next(c for c in CONFIGS if c.name == name)
        if name not in self.outcomes:
            self.skipTest(f"not in UNIT_CONFIGS={os.environ.get('UNIT_CONFIGS')}")
        out = self.outcomes[name]
        if out.error:
            self.fail(f"{name}: {out.error}")
        if out.returncode is not None and out.returncode < 0:
            sig = signal.Signals(-out.returncode).name
            why = (" (a UBSan trap: undefined behaviour; the gcc-asan configuration "
                   "prints the report)" if sig == "SIGILL" and "-fsanitize-undefined-"
                   "trap-on-error" in cfg.flags else "")
            self.fail(f"{name}: the program was killed by {sig}{why}\n" +
                      failure_report(out))
        parser, problems = ktap.parse_text(out.stdout)
        passed, failed, skipped = parser.counts()
        self.assertEqual(problems, [], f"{name}: bad or incomplete KTAP\n" +
                         failure_report(out))
        self.assertEqual((failed, out.returncode), (0, 0), f"{name}: {failed} failed\n" +
                         failure_report(out))
        self.assertGreater(passed, 40, f"{name}: too few tests ran\n" + failure_report(out))
        notes = [f"{r.path} # {r.directive}" + (" (passes now: drop its UNIT_TODO_IF)"
                                                 if r.status == "pass" else "")
                 for r in parser.results if r.directive]
        print(f"    unit {name}: {passed} passed, {skipped} skipped or known "
              f"(built in {out.build_s:.1f} s, ran {out.how} in {out.run_s:.1f} s)",
              flush=True)
        for n in notes:
            print(f"      {n}", flush=True)


def _add_tests():
    for cfg in CONFIGS:
        def test(self, name=cfg.name):
            self.check(name)
        test.__name__ = "test_" + cfg.name.replace("-", "_")
        test.__doc__ = f"The unit tests built as {cfg.name} ({cfg.cc}) pass."
        setattr(UnitTest, test.__name__, test)


_add_tests()

if __name__ == "__main__":
    unittest.main()

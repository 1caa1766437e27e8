"""The boot stub's freestanding LZ4 decoder (boot/lz4): the C test driver (round trips
against liblz4, every truncation and single-bit flip of sample frames, error codes, the
`lz4` CLI's frames) built with ASan and UBSan, and a bounded libFuzzer run in which every
input the decoder accepts must decode identically with liblz4. Programs are built in a
temporary directory; a fuzzer crash leaves its input in build/tests/lz4/."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

import ktap

SRCTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(SRCTREE, "build", "tests", "lz4")
LZ4_DIR = os.path.join(SRCTREE, "boot", "lz4")
TEST_DIR = os.path.join(SRCTREE, "tests", "lz4")
FUZZ_SECONDS = 15

SAN_ENV = {
    # Leak checking is not what these tests are about, and LeakSanitizer fails under
    # ptrace (gdb, some containers).
    "ASAN_OPTIONS": "detect_leaks=0",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}


def require_liblz4(test):
    if not os.path.exists("/usr/include/lz4frame.h") or \
            not os.path.exists("/usr/lib/x86_64-linux-gnu/liblz4.a"):
        test.fail("liblz4 headers or static library missing: install the Debian package "
                  "liblz4-dev")


def failure_report(out):
    """The output's tail, then the lines that say what went wrong (the test runner shows
    the last lines of a failure)."""
    key = [line for line in out.splitlines()
           if re.search(r"ERROR: \w+Sanitizer|runtime error|# FAIL|^not ok|^fuzz_lz4:|"
                        r"Test unit written|SUMMARY", line)]
    return out[-3000:] + "\n--- summary ---\n" + "\n".join(key[-10:])


def build(test, cc, flags, sources, out):
    if not shutil.which(cc):
        test.fail(f"{cc} not found: install the Debian package "
                  f"{'clang' if cc == 'clang' else 'gcc'}")
    cmd = [cc, "-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", *flags,
           "-I", LZ4_DIR, "-I", TEST_DIR, *sources,
           os.path.join(LZ4_DIR, "lz4_decode.c"), "-o", out, "-l:liblz4.a"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        msg = r.stderr[-3000:]
        if "fuzzer" in msg and ("cannot find" in msg or "No such file" in msg):
            test.fail("clang's libFuzzer runtime is missing: install the Debian package "
                      "libclang-rt-14-dev\n" + msg)
        test.fail(f"build failed: {' '.join(cmd)}\n{msg}")


class Lz4DecoderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="test_lz4-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_driver_under_asan_ubsan(self):
        """Round trips, mutations, error codes and CLI frames: every check passes and the
        sanitizers see no out-of-bounds access or undefined behaviour."""
        require_liblz4(self)
        if not shutil.which("lz4"):
            self.fail("the lz4 command is missing: install the Debian package lz4")
        exe = os.path.join(self.dir, "test_lz4")
        build(self, "cc", ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"],
              [os.path.join(TEST_DIR, "test_lz4.c")], exe)
        r = subprocess.run([exe, self.dir], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, **SAN_ENV))
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, "test_lz4 failed:\n" + failure_report(out))
        self.assertNotIn("runtime error", out)
        parser, problems = ktap.parse_text(r.stdout)
        self.assertEqual(problems, [], "test_lz4's KTAP output is malformed")
        passed, failed, _ = parser.counts()
        self.assertEqual((failed, passed >= 10), (0, True), failure_report(out))

    def test_bounded_fuzz_run_agrees_with_liblz4(self):
        """libFuzzer for FUZZ_SECONDS from a seed corpus of `lz4` CLI frames: no crash,
        no sanitizer report, no disagreement with liblz4."""
        require_liblz4(self)
        if not shutil.which("lz4"):
            self.fail("the lz4 command is missing: install the Debian package lz4")
        exe = os.path.join(self.dir, "fuzz_lz4")
        build(self, "clang", ["-fsanitize=fuzzer,address,undefined",
                              "-fno-sanitize-recover=all"],
              [os.path.join(TEST_DIR, "fuzz_lz4.c")], exe)
        seeds = os.path.join(self.dir, "seeds")
        corpus = os.path.join(self.dir, "corpus")
        os.makedirs(seeds)
        os.makedirs(corpus)
        os.makedirs(BUILD, exist_ok=True)
        self.make_seeds(seeds)
        r = subprocess.run([exe, f"-max_total_time={FUZZ_SECONDS}", "-timeout=10",
                            "-rss_limit_mb=2048", "-max_len=8192", "-print_final_stats=1",
                            f"-artifact_prefix={BUILD}/", corpus, seeds],
                           capture_output=True, text=True, timeout=FUZZ_SECONDS + 60,
                           env=dict(os.environ, **SAN_ENV))
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 0, "fuzz_lz4 found a problem (input saved under "
                         f"{BUILD}/):\n" + failure_report(out))
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)", out)
        rate = re.search(r"stat::average_exec_per_sec:\s*(\d+)", out)
        self.assertTrue(runs and int(runs.group(1)) > 1000, "too few runs:\n" + out[-2000:])
        print(f"    lz4 fuzz: {runs.group(1)} executions in {FUZZ_SECONDS} s "
              f"({rate.group(1) if rate else '?'}/s)", flush=True)

    @staticmethod
    def make_seeds(seeds):
        """Small frames with every option the CLI has, small blocks for several blocks
        per frame, a legacy frame and a skippable one."""
        text = b"".join(b"line %d: the boot stub decompresses the kernel\n" % i
                        for i in range(60))
        with open("/usr/bin/ls", "rb") as f:
            binary = f.read(3000)
        with open(os.path.join(seeds, "text"), "wb") as f:
            f.write(text)
        with open(os.path.join(seeds, "bin"), "wb") as f:
            f.write(binary)
        options = ["", "-9", "--no-frame-crc", "--no-frame-crc -B100 -BD",
                   "--no-frame-crc -12 -B64", "-BX --content-size -B4", "-l",
                   "--fast=5 --no-frame-crc -B200"]
        for i, opts in enumerate(options):
            for name in ("text", "bin"):
                src = os.path.join(seeds, name)
                subprocess.run(f"lz4 -q -f {opts} {src} {src}-{i}.lz4", shell=True,
                               check=True)
        for name in ("text", "bin"):
            os.unlink(os.path.join(seeds, name))
        skippable = b"\x50\x2a\x4d\x18\x03\x00\x00\x00abc"
        with open(os.path.join(seeds, "text-2.lz4"), "rb") as f:
            frame = f.read()
        with open(os.path.join(seeds, "skip+frame+frame"), "wb") as f:
            f.write(skippable + frame + frame)


if __name__ == "__main__":
    unittest.main()

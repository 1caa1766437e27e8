"""The debug workflow: QEMU's gdbstub + gdb-multiarch with the kernel's symbols stops
in kmain with a sane backtrace (the same commands `make debug` / `make gdb` use)."""

import os
import shlex
import subprocess

import qemu


def test_gdb_break_kmain(ctx):
    if qemu.console_steps(ctx.target, ctx.chain, ""):
        raise ctx.Skip("this boot loader is driven over the console, which gdb's pipe holds")
    log = os.path.join(ctx.objtree, "gdb-console.log")
    argv = ctx.qemu_argv(serial=f"file:{log}") + ["-S", "-gdb", "stdio"]
    # Same setup as `make gdb`, but connected through a pipe (no port) and in batch mode.
    gdb = qemu.gdb_argv(ctx.target, ctx.objtree, "| exec " + shlex.join(argv))
    gdb += ["-batch", "-ex", "break kmain", "-ex", "continue", "-ex", "bt", "-ex", "info registers",
            "-ex", "kill"]
    try:
        out = subprocess.run(gdb, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=ctx.timeout).stdout
    except subprocess.TimeoutExpired:
        raise AssertionError(f"gdb did not finish within {ctx.timeout} s")
    assert "Breakpoint 1, kmain" in out, f"did not stop in kmain:\n{out[-600:]}"
    bt = [line for line in out.splitlines() if line.startswith("#")]
    assert bt and "kmain" in bt[0], f"backtrace does not start in kmain: {bt}"
    assert "too long" not in out, "register packet size mismatch"

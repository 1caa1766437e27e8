"""The debug workflow: QEMU's gdbstub + gdb-multiarch with the kernel's symbols stops
in kmain with a sane backtrace (the same commands `make debug` / `make gdb` use), and the
kernel-aware commands of tools/gdb/refkernel.py read the kernel's real state: each is
checked against what the kernel itself printed on its console, the .config the image was
built from and the command line QEMU passed. The thread commands (kthreads, kbt) are
checked in a scene of blocked and running threads the test image sets up."""

import os
import re
import select
import shlex
import signal
import subprocess
import tempfile
import time

import ktap
import qemu

MARK = "@@ refkernel-test "
CMDLINE = "ktest=off gdbtest=kbootinfo"     # an argument only this test passes
# Bounded: on aarch64 with GCC, gdb's unwinder repeats shell_run's frame for ever (the
# kernel's own backtrace stops at kmain).
BT = "bt 12"


def _skip_if_console_driven(ctx):
    if qemu.console_steps(ctx.target, ctx.chain, ""):
        raise ctx.Skip("this boot loader is driven over the console, which gdb's pipe holds")


def _skip_without_dwarf(ctx):
    if ctx.config.get("CONFIG_DEBUG_INFO") != "y":
        raise ctx.Skip("the kernel commands read DWARF types: CONFIG_DEBUG_INFO is off")


def _gdb_argv(ctx, qemu_argv, commands, pipe=None):
    """`make gdb`'s setup connected through a pipe (no port), in batch mode. Each entry of
    commands is a gdb command; the output of the ones given as ("out", cmd) is marked, so
    that _sections() can tell them apart. pipe: the shell command gdb runs for the
    connection (default: exec QEMU)."""
    remote = "| " + (pipe or "exec " + shlex.join(qemu_argv))
    argv = qemu.gdb_argv(ctx.target, ctx.objtree, remote, lz4=ctx.lz4)
    argv.append("-batch")
    for cmd in commands:
        if isinstance(cmd, tuple):
            argv += ["-ex", f"echo {MARK}{cmd[1]}\\n", "-ex", cmd[1]]
        else:
            argv += ["-ex", cmd]
    return argv


def _kill_gdb(proc):
    """Kill gdb and the QEMU it started. gdb runs a pipe's command in a session of its
    own, which would outlive gdb: that command's process group (QEMU, or a shell and
    its QEMU) is killed first, so that gdb (its parent) sees the connection close and
    reaps it; then gdb."""
    children = []
    for task in os.listdir(f"/proc/{proc.pid}/task") if proc.poll() is None else []:
        try:
            with open(f"/proc/{proc.pid}/task/{task}/children") as f:
                children += [int(pid) for pid in f.read().split()]
        except OSError:
            pass
    for pid in children:
        try:
            with open(f"/proc/{pid}/stat") as f:
                pgrp = int(f.read().rsplit(")", 1)[1].split()[2])
            if pgrp == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _run_gdb(argv, timeout):
    """gdb's (stdout, stderr); everything it started is gone when this returns."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    qemu.track_process_group(proc.pid)  # killed with the runner, should it be
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_gdb(proc)
        out, _ = proc.communicate()
        raise AssertionError(f"gdb did not finish within {timeout} s:\n{out[-600:]}")
    finally:
        qemu.track_process_group(proc.pid, alive=False)


def _sections(out):
    """{command: its output lines} for the marked commands."""
    sections, current = {}, None
    for line in out.splitlines():
        if line.startswith(MARK):
            current = sections.setdefault(line[len(MARK):], [])
        elif current is not None:
            current.append(line)
    return sections


def _kernel_lines(console):
    """The console from the banner on, without the firmware's lines before it."""
    lines = [line.rstrip("\r") for line in console.replace("\r\n", "\n").split("\n")]
    starts = [i for i, line in enumerate(lines) if line.startswith("refkernel ")]
    assert starts, f"no banner on the console: {lines[-5:]}"
    return lines[starts[0]:]


def _dmesg_texts(lines):
    """kdmesg's lines as (level, text)."""
    out = []
    for line in lines:
        m = re.match(r"<(\d)>(.*)$", line)
        if m:
            out.append((int(m.group(1)), m.group(2)))
    return out


def _assert_in_order(needles, haystack, what):
    """Every line of needles appears in haystack, in the same order."""
    pos = 0
    for needle in needles:
        try:
            pos = haystack.index(needle, pos) + 1
        except ValueError:
            raise AssertionError(f"{what}: {needle!r} missing or out of order; found "
                                 f"{haystack[max(0, pos - 2):pos + 3]} around there")


def _banner_fact(lines, pattern, required=True):
    """The first match of pattern in lines (None if not required and absent)."""
    for line in lines:
        m = re.search(pattern, line)
        if m:
            return m
    assert not required, f"no line matches {pattern!r} in {lines}"
    return None


def test_gdb_break_kmain(ctx):
    _skip_if_console_driven(ctx)
    log = os.path.join(ctx.objtree, "gdb-console.log")
    argv = ctx.qemu_argv(serial=f"file:{log}") + ["-S", "-gdb", "stdio"]
    gdb = _gdb_argv(ctx, argv, ["break kmain", "continue", "bt", "info registers", "kill"])
    out, _ = _run_gdb(gdb, ctx.timeout)
    assert "Breakpoint 1, kmain" in out, f"did not stop in kmain:\n{out[-600:]}"
    bt = [line for line in out.splitlines() if line.startswith("#")]
    assert bt and "kmain" in bt[0], f"backtrace does not start in kmain: {bt}"
    assert "too long" not in out, "register packet size mismatch"


def test_gdb_through_the_lz4_stub(ctx):
    """With the self-decompressing image, gdb has the stub's symbols as well: it stops in
    the decompressor, then in the kernel it wrote."""
    _skip_if_console_driven(ctx)
    if not ctx.lz4:
        raise ctx.Skip("the image is not the self-decompressing one (LZ4=1)")
    log = os.path.join(ctx.objtree, "gdb-lz4-console.log")
    argv = ctx.qemu_argv(serial=f"file:{log}") + ["-S", "-gdb", "stdio"]
    gdb = _gdb_argv(ctx, argv, ["break stub_main", "break kmain", "continue", "continue",
                                "bt 3", "kill"])
    out, _ = _run_gdb(gdb, ctx.timeout)
    assert "Breakpoint 1, " in out and "stub_main" in out, \
        f"did not stop in the decompressor:\n{out[-600:]}"
    assert "Breakpoint 2, kmain" in out, f"did not stop in kmain afterwards:\n{out[-600:]}"


def test_gdb_kernel_commands(ctx):
    """Stopped where the shell starts (banner printed, interrupts set up), every command
    agrees with the console, the .config and QEMU's -append."""
    _skip_if_console_driven(ctx)
    _skip_without_dwarf(ctx)
    log = os.path.join(ctx.objtree, "gdb-commands-console.log")
    argv = ctx.qemu_argv(append=CMDLINE, serial=f"file:{log}") + ["-S", "-gdb", "stdio"]
    # *shell_run: the function's first instruction, reached exactly once.
    gdb = _gdb_argv(ctx, argv, ["break *shell_run", "continue", ("out", "kdmesg"),
                                ("out", "kconfig"), ("out", "kcpus"), ("out", "kirqs"),
                                ("out", "kbootinfo"), *[("out", f"kpte {what}") for what in
                                                        KPTE_PROBES], "kill"])
    stdout, stderr = _run_gdb(gdb, ctx.timeout)
    assert "Breakpoint 1, " in stdout and "shell_run" in stdout, \
        f"did not stop in shell_run:\n{stdout[-600:]}\n{stderr[-600:]}"
    out = _sections(stdout)
    with open(log, encoding="utf-8", errors="replace") as f:
        console = _kernel_lines(f.read())
    banner = console[:console.index("Type 'help' for the list of commands.") + 1]

    # kdmesg: the banner at level 6 (info), and every console line of it in order.
    dmesg = _dmesg_texts(out["kdmesg"])
    texts = [text for _, text in dmesg]
    assert (6, banner[0]) in dmesg, \
        f"kdmesg lacks the banner at level 6 (info): {out['kdmesg'][:3]}\n{stderr}"
    _assert_in_order(banner, texts, "kdmesg against the console")

    # kconfig: exactly the .config the image was built from.
    if ctx.config.get("CONFIG_IKCONFIG") == "y":
        with open(os.path.join(ctx.objtree, ".config"), encoding="utf-8") as f:
            config = f.read().splitlines()
        missing = [line for line in config if line not in out["kconfig"]]
        assert out["kconfig"] == config, \
            f"kconfig differs from {ctx.objtree}/.config: lacks {missing[:5]}, " \
            f"starts {out['kconfig'][:3]}\n{stderr[-300:]}"
    else:
        assert "no kernel_config" in stderr, "kconfig without CONFIG_IKCONFIG: no error"

    # kbootinfo: QEMU's -append, and the banner's figures.
    info = out["kbootinfo"]
    assert f'  cmdline      "{CMDLINE}"' in info, f"kbootinfo cmdline: {info}"
    mem = _banner_fact(banner, r"memory\s+(\d+) MiB in (\d+) range")
    m = _banner_fact(info, r"^  memory\s+(\d+) ranges?, (\d+) bytes")
    assert int(m.group(1)) == int(mem.group(2)) and \
        int(m.group(2)) >> 20 == int(mem.group(1)), \
        f"kbootinfo memory differs from the banner's {mem.group(0)}: {m.group(0)}"
    timer = _banner_fact(banner, r"timer\s+(\d+) Hz", required=False)
    if timer:
        assert f"  timer        {timer.group(1)} Hz" in info, f"kbootinfo timer: {info}"
    cpu = _banner_fact(banner, r"cpu\s+id (\d+) \(.*\), (\d+) CPUs? found")
    boot_id, ncpus = int(cpu.group(1)), int(cpu.group(2))
    m = _banner_fact(info, r"^  cpus\s+(\d+): (.*)$")
    assert int(m.group(1)) == ncpus, f"kbootinfo cpus: {info}"
    assert f"{boot_id:#x} (boot)" in m.group(2), f"kbootinfo boot CPU: {m.group(0)}"
    con = _banner_fact(banner, r"console\s+\S+ at (0x[0-9a-f]+)$", required=False)
    kcon = _banner_fact(info, r"^  console\s+(\w+) at (0x[0-9a-f]+), reg_shift \d+, "
                              r"irq (-?\d+)")
    if con:
        assert int(kcon.group(2), 16) == int(con.group(1), 16), \
            f"console base: banner {con.group(1)}, kbootinfo {kcon.group(2)}"

    # kcpus: one line per CPU, the boot CPU marked with the banner's id, stopped in
    # shell_run, outside any interrupt.
    rows = [line.split() for line in out["kcpus"][1:]]
    assert len(rows) == ncpus, f"kcpus shows {len(rows)} CPUs, the banner {ncpus}: " \
                               f"{out['kcpus']}"
    boot_rows = [row for row in rows if len(row) > 2 and row[2] == "*"]
    assert len(boot_rows) == 1 and int(boot_rows[0][1], 16) == boot_id, \
        f"kcpus boot CPU is not id {boot_id}: {out['kcpus']}"
    assert "<shell_run>" in boot_rows[0] and boot_rows[0][-3] == "0", \
        f"kcpus boot CPU not in shell_run at nesting 0: {boot_rows[0]}"
    # The shell runs in the boot context, the thread "main" (kernel/thread.c).
    assert boot_rows[0][0] == "0" and boot_rows[0][-1].startswith("main["), \
        f"kcpus: the boot CPU is not index 0 running main: {boot_rows[0]}"

    # kirqs: the timer and, when it receives by interrupt, the console on its line.
    irqs = {row[2]: row for row in (line.split() for line in out["kirqs"][2:-1])}
    assert out["kirqs"] and out["kirqs"][0].startswith("controller: ") and \
        out["kirqs"][-1].startswith("total "), f"kirqs: {out['kirqs']}"
    assert "timer" in irqs, f"kirqs has no timer line: {out['kirqs']}"
    if not any("no receive interrupt" in line for line in console):
        assert "console" in irqs and irqs["console"][0] == kcon.group(3), \
            f"kirqs console line differs from boot_info's irq {kcon.group(3)}: {out['kirqs']}"

    # kpte: the page tables as the kernel built them (W^X, identity).
    _check_kpte(out, console)


# kpte probes: code, a read-only and a writable variable, and an address nothing maps
# (tests/kernel/test_vm.c's scratch window), with what W^X makes of each.
KPTE_PROBES = {"kmain": "r-x normal", "arch_name": "r-- normal",
               "&console_loglevel": "rw- normal", "0x2000000000": None}


def _check_kpte(out, console):
    """Each probe's last kpte line: identity mapped with the image's protection once the
    kernel says its page tables are on; before that only that the walk ends somewhere."""
    mmu_on = any(line.startswith("vm: MMU on") for line in console)
    for what, prot in KPTE_PROBES.items():
        lines = [line for line in out[f"kpte {what}"] if not line.startswith("[Inferior ")]
        assert lines, f"kpte {what} printed nothing"
        last = lines[-1]
        if not mmu_on:
            assert "->" in last or "not mapped" in last or "MMU is off" in last, \
                f"kpte {what}: {lines}"
            continue
        if prot is None:
            assert last.endswith(": not mapped"), f"kpte {what} should be unmapped: {lines}"
            continue
        m = re.match(r"^(0x[0-9a-f]+) -> (0x[0-9a-f]+)  (\S+ \S+)  \d+ [KMG]iB page$", last)
        assert m, f"kpte {what}: no translation line: {lines}"
        assert m.group(1) == m.group(2), f"kpte {what}: not identity mapped: {last}"
        assert m.group(3) == prot, f"kpte {what}: {m.group(3)}, expected {prot}: {lines}"


def _drive_console(proc, fifo_out, fifo_in, deadline, steps):
    """Read the console FIFO until gdb exits; steps are (text to wait for, text to send),
    each looked for after the previous one. Returns the console text and whether gdb
    had to be killed at the deadline."""
    text, pos, step = "", 0, 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _kill_gdb(proc)
            return text, True
        ready, _, _ = select.select([fifo_out], [], [], min(remaining, 0.2))
        if ready:
            text += os.read(fifo_out, 65536).decode("utf-8", "replace")
        while step < len(steps) and text.find(steps[step][0], pos) >= 0:
            pos = text.find(steps[step][0], pos) + len(steps[step][0])
            os.write(fifo_in, steps[step][1].encode())
            step += 1
        if not ready and proc.poll() is not None:
            return text, False


def test_gdb_kdmesg_after_panic(ctx):
    """The shell's `crash panic`, stopped in arch_poweroff: kdmesg holds the banner and
    the whole panic report, as the console showed them."""
    _skip_if_console_driven(ctx)
    _skip_without_dwarf(ctx)
    with tempfile.TemporaryDirectory(prefix="refkernel-gdb-") as tmp:
        # The console on a FIFO pair (QEMU's pipe: chardev reads <path>.in and writes
        # <path>.out): gdb holds QEMU's stdio, and the test types at the shell.
        path = os.path.join(tmp, "serial")
        for suffix in (".in", ".out"):
            os.mkfifo(path + suffix)
        # O_RDWR: opening never blocks, and neither side sees end-of-file while QEMU
        # starts or after it exits (gdb's exit ends the run).
        fifo_out = os.open(path + ".out", os.O_RDWR | os.O_NONBLOCK)
        fifo_in = os.open(path + ".in", os.O_RDWR)
        argv = ctx.qemu_argv(append="ktest=off", serial=f"pipe:{path}") + \
            ["-S", "-gdb", "stdio"]
        gdb = _gdb_argv(ctx, argv, ["break arch_poweroff", "continue", ("out", BT),
                                    ("out", "kdmesg"), ("out", "kcpus"), "kill"])
        # gdb's output to a file: nobody reads a pipe while the test types.
        with open(os.path.join(tmp, "gdb.out"), "w+", encoding="utf-8") as out_file:
            proc = subprocess.Popen(gdb, stdin=subprocess.DEVNULL, stdout=out_file,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            qemu.track_process_group(proc.pid)
            try:
                # The shell prints its prompt after the banner's last line.
                console, timed_out = _drive_console(
                    proc, fifo_out, fifo_in, time.monotonic() + ctx.timeout,
                    [("Type 'help' for the list of commands.", ""), ("> ", "crash panic\r")])
            finally:
                qemu.track_process_group(proc.pid, alive=False)
                os.close(fifo_out)
                os.close(fifo_in)
            out_file.seek(0)
            stdout = out_file.read()
    assert not timed_out, f"gdb did not finish within {ctx.timeout} s:\n{stdout[-600:]}\n" \
        f"console: {console[-300:]!r}"
    assert "Breakpoint 1, " in stdout and "arch_poweroff" in stdout, \
        f"did not stop in arch_poweroff:\n{stdout[-800:]}"
    out = _sections(stdout)
    lines = _kernel_lines(console)
    assert any("Kernel panic: deliberate panic from the shell" in line for line in lines), \
        f"the kernel did not panic: {lines[-5:]}"
    assert any("panic_at" in line or "cmd_crash" in line for line in out[BT]), \
        f"the backtrace does not lead to the panic: {out[BT]}"
    dmesg = _dmesg_texts(out["kdmesg"])
    texts = [text for _, text in dmesg]
    # Everything printk'd reached the console at panic time (console_loglevel 8): the
    # banner and the report, in order. The shell's own output (echo, prompt) is not in
    # the log and is left out of the comparison.
    banner = lines[:lines.index("Type 'help' for the list of commands.") + 1]
    start = max(i for i, line in enumerate(lines) if line.startswith("Panic at "))
    report = lines[start:lines.index("Kernel panic: deliberate panic from the shell") + 1]
    _assert_in_order(banner + report, texts, "kdmesg after the panic")
    assert (0, "Kernel panic: deliberate panic from the shell") in dmesg, \
        f"the panic message is not at level 0 (emergency): {out['kdmesg'][-3:]}"
    boot = [line for line in out["kcpus"] if " * " in line]
    assert boot and "<arch_poweroff" in boot[0], f"kcpus: {out['kcpus']}"


# The scene tests/kernel/test_gdb_target.c sets up. The backtraces are checked for
# calls between files, calls through pointers and the probe (kept out of line): frames
# that do not depend on one compiler's inlining.
PROBE = "gdb_probe_hit"


def _frame_names(lines):
    """Function names of backtrace lines, gdb's own (`#3  0x... in f (...) at`, `#4  f
    (...)`) or kthreads' (`#1  0x... in f [inlined] at`), innermost first."""
    names = []
    for line in lines:
        m = re.match(r"\s*#\d+\s+(?:0x[0-9a-f]+ in )?([A-Za-z_][\w.]*)", line)
        if m:
            names.append(m.group(1))
    return names


def _assert_chain(names, chain, what):
    """chain appears in names in this order, chain[0] first of all."""
    assert names and names[0] == chain[0], \
        f"{what}: innermost frame is not {chain[0]}: {names}"
    _assert_in_order(chain, names, what)


def _kthreads(lines):
    """kthreads' rows as {id: (current mark, name, state, prio, cpu, where, frames)}."""
    rows, last = {}, None
    for line in lines:
        m = re.match(r"^([* ]) +(\d+)  (\S+) +(\w+) +(\d+) +(\d+)  (.*)$", line)
        if m:
            last = int(m.group(2))
            rows[last] = (m.group(1) == "*", m.group(3), m.group(4), int(m.group(5)),
                          int(m.group(6)), m.group(7), [])
        elif last is not None and line.startswith("      "):
            rows[last][6].append(line)
    return rows


def _printed(out, what):
    m = re.match(r"\$\d+ = (.*)$", out[0] if out else "")
    assert m, f"{what}: no value printed: {out}"
    return m.group(1)


def test_gdb_threads(ctx):
    """Stopped in a function of a secondary thread: its backtrace names it, the thread's
    entry and thread_start; kthreads lists exactly the threads (ids, names, states,
    priorities, CPUs) the kernel printed just before, each with its own backtrace; kbt
    shows a blocked thread's call chain (by name, by an expression giving its id, by a
    struct thread pointer) and gives the live registers back; detached while kbt is in
    effect, the kernel runs on and powers off with its pass status."""
    _skip_if_console_driven(ctx)
    _skip_without_dwarf(ctx)
    with tempfile.TemporaryDirectory(prefix="refkernel-gdb-") as tmp:
        log = os.path.join(ctx.objtree, "gdb-threads-console.log")
        status = os.path.join(tmp, "status")
        argv = ctx.qemu_argv(append=ctx.args.append, serial=f"file:{log}") + \
            ["-S", "-gdb", "stdio"]
        # At detach gdb closes the pipe and waits for its command, but after 5 s it
        # sends a SIGTERM: the shell ignores it and waits for QEMU (still bounded by
        # the timeout below), then leaves QEMU's exit code where the test reads it.
        pipe = f"trap '' TERM; {shlex.join(argv)}; echo $? > {shlex.quote(status)}"
        gdb = _gdb_argv(ctx, argv, [
            f"break {PROBE}", "continue", ("out", "bt 4"), ("out", "p/x $sp"),
            ("out", "p/x $pc"), ("out", "kthreads 10"), ("out", "kcpus"),
            ("out", "kbt gdb-blocked"), ("out", "bt 10"),
            ("out", "frame function blocked_thread"), ("out", "p g->blocked->name"),
            ("out", "kbt reset"), ("out", "p/x $sp"), ("out", "p/x $pc"), ("out", "bt 1"),
            ("out", "kbt gdb_target.creator"), ("out", "bt 12"),
            ("out", "kbt gdb_target.blocked->id"), ("out", "bt 10"),
            "delete", ("out", "detach")], pipe=pipe)
        stdout, stderr = _run_gdb(gdb, ctx.timeout)
        try:
            with open(status, encoding="utf-8") as f:
                rc = int(f.read())
        except (OSError, ValueError):
            rc = None
    assert f"Breakpoint 1, {PROBE}" in stdout, \
        f"did not stop in {PROBE}:\n{stdout[-600:]}\n{stderr[-600:]}"
    # Some commands run twice ("p/x $sp", "bt 10"): the outputs are taken in order.
    ordered = []
    for line in stdout.splitlines():
        if line.startswith(MARK):
            ordered.append((line[len(MARK):], []))
        elif ordered:
            ordered[-1][1].append(line)
    out = [lines for _, lines in ordered]
    assert len(out) == 18, f"gdb ran {len(out)} of 18 marked commands:\n{stdout[-600:]}"
    (live_bt, sp0, pc0, kthreads, kcpus, kbt_blocked, blocked_bt, frame, local_name,
     reset, sp1, pc1, bt_after, kbt_creator, creator_bt, kbt_id, id_bt, detach) = out
    entry = ["probe_thread", "thread_start"]
    blocked_chain = ["wait_queue_wait_locked", "sem_down", "blocked_thread", "thread_start"]

    # The live CPU: the probe, called by its thread's entry, called by thread_start.
    _assert_chain(_frame_names(live_bt), [PROBE] + entry, "live backtrace")

    # kthreads against the list the probe printed (thread_list()) just before the stop.
    with open(log, encoding="utf-8", errors="replace") as f:
        console = f.read().replace("\r\n", "\n")
    kernel_view = {int(m.group(1)): (m.group(2), m.group(3), int(m.group(4)), int(m.group(5)))
                   for m in re.finditer(r"# gdb-target: thread (\d+) (\S+) (\w+) prio (\d+) "
                                        r"cpu (\d+)", console)}
    assert kernel_view, f"the kernel printed no thread list: {console[-400:]!r}"
    rows = _kthreads(kthreads)
    assert {i: r[1:5] for i, r in rows.items()} == kernel_view, \
        f"kthreads differs from the kernel's thread list:\n{kthreads}\nkernel: {kernel_view}"
    by_name = {r[1]: (i, r) for i, r in rows.items()}
    probe_id, probe = by_name["gdb-probe"]
    blocked_id, blocked = by_name["gdb-blocked"]
    _, creator = by_name["main"]
    assert probe[0] and "current on CPU" in probe[5], f"kthreads: probe not current: {probe}"
    assert not blocked[0] and not creator[0], \
        f"kthreads: a blocked thread is marked current: {blocked} {creator}"
    _assert_chain(_frame_names(probe[6]), [PROBE] + entry, "kthreads, gdb-probe")
    _assert_in_order(blocked_chain, _frame_names(blocked[6]), "kthreads, gdb-blocked")
    _assert_in_order(["thread_join", "probe_sees_the_scene"], _frame_names(creator[6]),
                     "kthreads, main")

    # kcpus: the probe is the current thread of exactly one CPU, the blocked ones of none.
    cpu_threads = [line.split()[-1] for line in kcpus[1:]]
    assert cpu_threads.count(f"gdb-probe[{probe_id}]") == 1 and \
        f"gdb-blocked[{blocked_id}]" not in cpu_threads, f"kcpus: {kcpus}"

    # kbt by name: the blocking call chain; frame and locals work in it.
    assert kbt_blocked and \
        kbt_blocked[0].startswith(f"kbt: thread {blocked_id} (gdb-blocked)"), \
        f"kbt gdb-blocked: {kbt_blocked}\n{stderr[-600:]}"
    _assert_in_order(blocked_chain, _frame_names(blocked_bt), "kbt gdb-blocked, bt")
    assert _frame_names(frame)[:1] == ["blocked_thread"], f"frame function: {frame}"
    assert '"gdb-blocked"' in _printed(local_name, "p g->blocked->name in blocked_thread"), \
        f"a local of the switched-to thread's frame: {local_name}"

    # kbt reset: exactly the live registers again.
    assert reset and reset[0].startswith("kbt: live registers back"), f"kbt reset: {reset}"
    assert (_printed(sp1, "sp"), _printed(pc1, "pc")) == \
        (_printed(sp0, "sp"), _printed(pc0, "pc")), \
        f"sp/pc after kbt reset {sp1} {pc1}, before kbt {sp0} {pc0}"
    assert _frame_names(bt_after)[:1] == [PROBE], f"bt after kbt reset: {bt_after}"

    # kbt by a struct thread pointer and by an expression giving an id.
    _assert_in_order(["thread_join", "probe_sees_the_scene"], _frame_names(creator_bt),
                     f"kbt gdb_target.creator ({kbt_creator[:1]}), bt")
    assert kbt_id and kbt_id[0].startswith(f"kbt: thread {blocked_id} "), \
        f"kbt by id: {kbt_id}"
    _assert_in_order(blocked_chain, _frame_names(id_bt), "kbt by id, bt")

    # Detached with kbt in effect: the hook restored the live registers first, and the
    # kernel finished its tests as if it had never stopped.
    assert any("live registers back before resuming" in line for line in detach), \
        f"detach did not restore the live registers: {detach}"
    parser = ktap.KtapParser()
    for line in _kernel_lines(console):
        parser.feed(line)
    problems = parser.finish()
    failed = [r.path for r in parser.results if r.status == "fail"]
    assert not problems and not failed, \
        f"the kernel did not finish its tests after the detach: {problems} {failed}"
    assert "gdb_target.probe_sees_the_scene" in \
        [r.path for r in parser.results if r.status == "pass"], \
        "gdb_target.probe_sees_the_scene did not pass"
    assert rc is not None and qemu.exit_status(ctx.target, rc) == 0 and \
        "# ktest: PASS" in console, f"QEMU exit code {rc}: not the kernel's pass status"

"""What tools/bench-alloc and tools/bench-sched share: boot the kernel under QEMU (as is,
then under -icount shift=0, where one ns of virtual time is one instruction), run
kernel/bench.c's `bench` shell commands, parse their lines, check with `bench loop`
that the arch's counter follows the virtual clock, and print the table."""

import os
import re
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import qemu  # noqa: E402
import target as targetlib  # noqa: E402

ICOUNT = "-icount shift=0"
# `bench loop`: how far ns per iteration may be from its instruction count under
# -icount before the counter counts as not following the virtual clock.
LOOP_TOLERANCE = 0.02
TIMEOUT = 180

# kernel/bench.c's line: bench <name> ops=.. batches=.. hz=.. ticks=a/b/c ns=a/b/c [k=v..]
LINE = re.compile(r"^bench (?P<name>[\w-]+) (?P<kv>(?:\w+=\S+ ?)+)$")
TRIPLE = re.compile(r"^(\d+\.\d\d)/(\d+\.\d\d)/(\d+\.\d\d)$")


class BenchError(Exception):
    pass


def parse_line(line):
    """One result line as a dict (ticks and ns as (min, median, mean) floats), or
    BenchError when it does not have the documented shape."""
    m = LINE.match(line)
    if not m:
        raise BenchError(f"unparseable result line: {line!r}")
    kv = dict(item.split("=", 1) for item in m.group("kv").split())
    missing = {"ops", "batches", "hz", "ticks", "ns"} - kv.keys()
    if missing:
        raise BenchError(f"result line lacks {', '.join(sorted(missing))}: {line!r}")
    res = {"name": m.group("name"), **kv}
    for key in ("ticks", "ns"):
        t = TRIPLE.match(kv[key])
        if not t:
            raise BenchError(f"{key}= is not min/median/mean: {line!r}")
        res[key] = tuple(float(x) for x in t.groups())
    for key in ("ops", "batches", "hz"):
        if not kv[key].isdigit():
            raise BenchError(f"{key}= is not a number: {line!r}")
        res[key] = int(kv[key])
    return res


def run_commands(args, commands, extra):
    """Boot the kernel (ktest=off), run each shell command, power off. Returns
    {command: [output lines]}."""
    t = targetlib.parse(args.target_file)
    argv = qemu.qemu_argv(t, args.objtree, args.mem, args.smp, "ktest=off",
                          " ".join(x for x in (args.extra, extra) if x), serial="stdio")
    s = qemu.Session(argv, TIMEOUT)
    try:
        if not (s.expect("Type 'help'") and s.expect("> ")):
            raise BenchError(f"no shell prompt (last output: {s.output[-3:]})")
        out = {}
        for cmd in commands:
            start = len(s.output)
            s.send(cmd + "\r")
            if not s.expect("> "):
                raise BenchError(f"`{cmd}` did not finish within {TIMEOUT} s (last "
                                 f"output: {s.output[-3:]})")
            # The lines after the echoed command, up to the next prompt.
            lines = [ln for ln in s.output[start:] if ln and not ln.startswith(">")]
            out[cmd] = lines
        s.send("poweroff\r")
        s.wait()
        return out
    finally:
        s.kill()
        s.close()


def results(lines, cmd):
    """The result lines of one command; BenchError with the kernel's own message when
    it printed an error instead."""
    errors = [ln for ln in lines if ln.startswith("bench:")]
    if errors:
        raise BenchError(f"`{cmd}`: " + " / ".join(errors))
    res = [parse_line(ln) for ln in lines if ln.startswith("bench ")]
    if not res:
        raise BenchError(f"`{cmd}` printed no result (output: {lines[-3:]})")
    return res


def icount_check(loop):
    """None when ns per loop iteration under -icount equals its instruction count (the
    counter follows QEMU's virtual clock), else why not."""
    insns = int(loop.get("insns", "0"))
    ns = loop["ns"][1]
    if insns <= 0:
        return "bench loop did not say its instructions per iteration"
    if abs(ns - insns) > LOOP_TOLERANCE * insns:
        return (f"the counter does not follow -icount: a {insns}-instruction loop "
                f"iteration took {ns:.2f} ns of counter time")
    return None


def boot_and_bench(args, commands, optional=(), icount_skip=()):
    """Run commands in a normal and an -icount boot (without those in icount_skip).
    Returns (normal, icount, why): {name: result} for each, why = None or the reason
    instructions are unavailable. A command in optional may print a `bench:` error: it
    is then reported in normal[command] as a string."""
    normal, icount = {}, {}
    for extra, dest in (("", normal), (ICOUNT, icount)):
        cmds = ["bench loop"] + [c for c in commands if not extra or c not in icount_skip]
        out = run_commands(args, cmds, extra)
        for cmd in cmds:
            try:
                for r in results(out[cmd], cmd):
                    dest[r["name"]] = r
            except BenchError as e:
                if cmd not in optional or any(ln.startswith("bench ") for ln in out[cmd]):
                    raise
                dest[cmd] = str(e)
    why = icount_check(icount["loop"])
    return normal, icount, why


def fmt(x):
    return f"{x:.2f}" if x < 100 else f"{x:.1f}" if x < 10000 else f"{x:.0f}"


def table(title, names, normal, icount, why, insns_note=None, no_insns=()):
    """Print one table: ticks and ns (min/median/mean) from the normal boot,
    instructions (median) from the -icount one (none for the names in no_insns). A
    name without a result is a BenchError; one the kernel refused (a string in
    normal) is shown as not measured."""
    for name in names:
        if name not in normal:
            raise BenchError(f"the kernel printed no `bench {name}` result")
        if not why and name not in no_insns and isinstance(normal[name], dict) \
                and not isinstance(icount.get(name), dict):
            raise BenchError(f"the -icount boot printed no `bench {name}` result")
    hz = normal["loop"]["hz"]
    print(f"{title}: counter {hz} Hz; figures per operation, min/median/mean over "
          f"{normal['loop']['batches']} batches")
    print(f"  {'operation':<18} {'ops/batch':>9}  {'ticks min/med/mean':>26}  "
          f"{'ns min/med/mean':>28}  {'insns':>8}")
    for name in names:
        r = normal.get(name)
        if isinstance(r, str) or r is None:
            print(f"  {name:<18} not measured: {r or 'no result'}")
            continue
        ri = icount.get(name)
        insns = "n/a" if why or name in no_insns else f"{ri['ns'][1]:.0f}"
        ticks = "/".join(fmt(x) for x in r["ticks"])
        ns = "/".join(fmt(x) for x in r["ns"])
        print(f"  {name:<18} {r['ops']:>9}  {ticks:>26}  {ns:>28}  {insns:>8}")
    if why:
        print(f"  instructions unavailable: {why}")
    else:
        print(f"  insns: median under {ICOUNT} (bench loop: "
              f"{icount['loop']['ns'][1]:.2f} ns per {icount['loop']['insns']}-instruction "
              f"iteration)")
    if insns_note:
        print(f"  {insns_note}")

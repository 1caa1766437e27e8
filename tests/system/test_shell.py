"""The serial console as a user meets it: banner, shell commands, line editing, exit
status. The test image is booted with ktest=off, which skips the test suites."""

import qemu


def _shell(ctx, append="ktest=off"):
    s = ctx.boot(append=append)
    # Wait for the kernel's own prompt (a boot loader's "=> " must not count).
    assert s.expect("Type 'help' for the list of commands.") and s.expect("> "), \
        f"no shell prompt; console: {s.output[-5:]}"
    return s


def _run(s, line, expect):
    s.send(line + "\r")
    assert s.expect(expect), f"{line!r}: expected {expect!r}; got {s.output[-3:]}"


def _poweroff(ctx, s, status):
    s.send(f"poweroff {status}\r")
    rc = s.wait()
    got = ctx.status(rc)
    assert got == status, f"poweroff {status}: host saw status {got} (QEMU exit code {rc})"


def test_banner(ctx):
    s = _shell(ctx, append="ktest=off hello=world")
    text = "\n".join(s.output)
    for needed in ("refkernel ", ctx.target.arch, ctx.target.name, "toolchain ",
                   "libc ", "firmware ", "cpu ", "memory ", "console ",
                   'cmdline   "ktest=off hello=world"'):
        assert needed in text, f"banner lacks {needed!r}"
    expected_loader = "loader    none" if ctx.chain == "direct" else "loader    U-Boot"
    assert expected_loader in text, f"banner does not say {expected_loader!r}"
    mib = qemu.mem_mib(ctx.mem)
    # x86 firmware keeps the top and the legacy hole of RAM; allow a few MiB.
    lines = [line for line in s.output if "memory " in line]
    assert lines, "no memory line"
    found = int(lines[0].split()[1])
    assert mib - 4 <= found <= mib, f"memory line says {found} MiB, QEMU has {mib} MiB"
    _poweroff(ctx, s, 0)


def test_shell_commands(ctx):
    s = _shell(ctx)
    _run(s, "help", "poweroff")
    _run(s, "version", "refkernel ")
    _run(s, "log", "<6>refkernel ")
    _run(s, "no-such-command", "no-such-command: unknown command")
    _run(s, "poweroff 300", "status must be 0..127")
    _poweroff(ctx, s, 7)


def test_threads_command(ctx):
    s = _shell(ctx)
    _run(s, "threads", " threads, ")
    start = max(i for i, line in enumerate(s.output) if line.split()[:3] == ["id", "name", "state"])
    rows = {f[1]: f for f in (line.split() for line in s.output[start + 1:])
            if len(f) >= 7 and f[0].isdigit()}
    # The shell runs on the boot thread, "main"; each CPU has an idle thread at priority 0.
    assert rows.get("main", [None] * 3)[2] == "running", f"no running main: {s.output[start:]}"
    online = [int(line.split()[1]) for line in s.output if line.startswith("smp: ")]
    assert online, "no 'smp: N of M CPUs online' line in the boot log"
    for cpu in range(online[0]):
        idle = rows.get(f"idle{cpu}", [None] * 4)
        assert idle[3] == "0", f"no idle{cpu} at priority 0: {s.output[start:]}"
    assert f"idle{online[0]}" not in rows, f"more idle threads than CPUs: {s.output[start:]}"
    used, size = (int(n) for n in rows["main"][-1].split("/"))
    assert 0 < used < size, f"main's stack use {used} of {size}"
    _poweroff(ctx, s, 0)


def test_config_is_embedded(ctx):
    if ctx.config.get("CONFIG_IKCONFIG") != "y":
        raise ctx.Skip("built without CONFIG_IKCONFIG")
    s = _shell(ctx)
    _run(s, "config", "CONFIG_IKCONFIG=y")
    assert s.expect("> ")
    with open(f"{ctx.objtree}/.config") as f:
        wanted = [line.strip() for line in f if line.startswith("CONFIG_")]
    got = set(line.strip() for line in s.output)
    missing = [line for line in wanted if line not in got]
    assert not missing, f"embedded config lacks {missing[:3]}"
    _poweroff(ctx, s, 0)


def test_line_editing(ctx):
    s = _shell(ctx)
    # Backspace (DEL) twice, Ctrl-U wipes a line, an arrow key's escape sequence is
    # swallowed: what runs must be exactly "version".
    s.send("vexx\x7f\x7frs\x15versi\x1b[Don\r")
    assert s.expect("refkernel "), f"edited line did not run 'version': {s.output[-3:]}"
    _poweroff(ctx, s, 3)


def test_exit_status_zero(ctx):
    s = _shell(ctx)
    _poweroff(ctx, s, 0)


def _crash(ctx, kind):
    s = _shell(ctx)
    s.send(f"crash {kind}\r")
    rc = s.wait()
    return "\n".join(s.output), ctx.status(rc)


def test_crash_report_of_an_exception(ctx):
    text, status = _crash(ctx, "access")
    for needed in ("Unexpected exception: ", "  pc      ", "arch_raise+0x", "Backtrace:",
                   "cmd_crash+0x", "shell_execute+0x", "kmain+0x",
                   "Kernel panic: unexpected exception: "):
        assert needed in text, f"crash report lacks {needed!r}:\n{text[-1500:]}"
    assert status == 2, f"expected panic status 2, host saw {status}"


def test_crash_report_of_a_panic(ctx):
    text, status = _crash(ctx, "panic")
    for needed in ("Panic at ", "shell.c:", "deliberate panic from the shell", "Backtrace:",
                   "#0", "cmd_crash+0x", "kmain+0x", "Kernel panic: deliberate panic"):
        assert needed in text, f"panic report lacks {needed!r}:\n{text[-1500:]}"
    assert status == 2, f"expected panic status 2, host saw {status}"


def test_reboot_resets_the_machine(ctx):
    # Under -no-reboot (every test boot) a reset ends QEMU instead of restarting it.
    s = _shell(ctx)
    s.send("reboot\r")
    s.wait()
    text = "\n".join(s.output)
    assert "Rebooting" in text, f"no reboot message: {s.output[-3:]}"
    assert not s.timed_out, "the machine did not reset"
    assert "Kernel panic" not in text, f"reboot panicked:\n{text[-800:]}"

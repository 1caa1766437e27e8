#!/usr/bin/python3
"""QEMU and GDB glue. Every QEMU command line is built here, from the target file, so
`make qemu`, `make debug`, `make gdb` and the test runner agree.

  qemu.py run   --target-file F --objtree O [options]   boot, console on this terminal
  qemu.py debug --target-file F --objtree O [options]   boot halted, gdbstub on --gdbport
  qemu.py gdb   --target-file F --objtree O [options]   gdb-multiarch attached to `debug`
  qemu.py print --target-file F --objtree O [options]   print the QEMU command line

Options: --mem SIZE --smp N --append CMDLINE --extra 'QEMU ARGS' --gdbport PORT
"""

import argparse
import atexit
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import target as targetlib  # noqa: E402

GDB_PACKAGE = "gdb-multiarch"


class QemuError(Exception):
    pass


def require(program, package):
    if not shutil.which(program):
        raise QemuError(f"{program} not found: install the Debian package {package} "
                        "(tools/setup installs everything)")


def kernel_image(target, objtree, lz4=False):
    """The file QEMU's -kernel loads: the raw image or the ELF (QEMU_IMAGE), or for the
    self-decompressing lz4 image its own kind (LZ4_IMAGE)."""
    if lz4:
        name = f"kernel-lz4.{target.get('LZ4_IMAGE', 'elf')}"
    else:
        name = "kernel.bin" if target["QEMU_IMAGE"] == "bin" else "kernel.elf"
    path = os.path.join(objtree, name)
    if not os.path.exists(path):
        raise QemuError(f"{path} does not exist: build it first (make)")
    return path


CHAINS = ("direct", "uboot", "uboot-disk")


def mem_mib(size):
    """QEMU -m sizes as MiB: "128M", "1G", "512"."""
    size = size.upper()
    if size.endswith("G"):
        return int(size[:-1]) * 1024
    return int(size.rstrip("M"))


def effective_mem(target, mem, chain):
    """The memory QEMU gets: U-Boot's default load addresses need UBOOT_MEM at least."""
    mem = mem or target["QEMU_MEM"]
    if chain != "direct" and mem_mib(mem) < mem_mib(target.get("UBOOT_MEM", "0")):
        return target["UBOOT_MEM"]
    return mem


def configured_cpus(objtree):
    """CONFIG_NR_CPUS of the build in objtree (QEMU's default -smp), 1 without one."""
    try:
        with open(os.path.join(objtree, ".config")) as f:
            m = re.search(r"^CONFIG_NR_CPUS=(\d+)$", f.read(), re.M)
    except OSError:
        m = None
    return int(m.group(1)) if m else 1


def qemu_argv(target, objtree, mem=None, smp=None, append=None, extra=None, dtb=None,
              serial="mon:stdio", no_reboot=False, chain="direct", lz4=False, image=None):
    """The QEMU command line for booting the kernel in objtree on this target through
    the given boot chain."""
    require(target["QEMU"], target["QEMU_PACKAGE"])
    if chain not in CHAINS:
        raise QemuError(f"unknown boot chain {chain!r}; valid: {' '.join(CHAINS)}")
    argv = [target["QEMU"], "-M", target["QEMU_MACHINE"], "-cpu", target["QEMU_CPU"],
            "-m", effective_mem(target, mem, chain), "-smp", str(smp or configured_cpus(objtree)),
            "-display", "none", "-serial", serial]
    if not serial.startswith("mon:"):
        argv += ["-monitor", "none"]    # mon:stdio multiplexes it (Ctrl-A C)
    if no_reboot:
        argv.append("-no-reboot")
    argv += shlex.split(target.get("QEMU_ARGS", ""))
    if chain != "direct":
        import uboot
        try:
            argv = uboot.chain_argv(target, objtree, chain, argv, append or "",
                                    os.path.join(objtree, "boot-" + chain))
        except uboot.UbootError as e:
            raise QemuError(str(e)) from None
        if dtb:
            raise QemuError("a -dtb of your own only works with BOOT=direct")
        return argv + shlex.split(extra or "")
    firmware = target.get("QEMU_FIRMWARE")
    if firmware:
        if not os.path.exists(firmware):
            raise QemuError(f"firmware {firmware} not found: install the Debian package "
                            f"{target.get('FIRMWARE_PACKAGE') or '?'}")
        argv += ["-bios", firmware]
    argv += ["-kernel", image or kernel_image(target, objtree, lz4)]
    if append:
        argv += ["-append", append]
    if dtb:
        argv += ["-dtb", dtb]
    if extra:
        argv += shlex.split(extra)
    return argv


def default_gdbport(target):
    """One port per user and arch, so two users or two arches on one machine do not
    collide: 10000 + 10 * (uid % 500) + index of the arch."""
    arches = sorted(d for d in os.listdir(os.path.join(targetlib.SRCTREE, "arch"))
                    if os.path.isdir(os.path.join(targetlib.SRCTREE, "arch", d)))
    return 10000 + 10 * (os.getuid() % 500) + arches.index(target.arch)


def port_in_use(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def exit_status(target, returncode):
    """Decode QEMU's exit code into the kernel's arch_poweroff() status, or None when the
    kernel did not power off through its exit device (crash, reset, signal)."""
    if returncode is None or returncode < 0:
        return None
    if target["EXIT"] == "isa_debug_exit":
        # isa-debug-exit exits with (value << 1) | 1; 0 means QEMU shut down otherwise
        # (e.g. a triple fault under -no-reboot).
        return returncode >> 1 if returncode & 1 else None
    return returncode


# QEMU runs in its own session (so that killing it takes its children too), which also
# means a signal that kills this script would leave it running: every live session is
# killed on the way out, by exit or by SIGTERM/SIGHUP/SIGINT.
_live_sessions = set()


_live_groups = set()  # other process groups to kill with them (gdb driving a QEMU)


def track_process_group(pgid, alive=True):
    """Have a fatal signal to this script kill process group pgid too (alive=False:
    forget it again once it ended)."""
    (_live_groups.add if alive else _live_groups.discard)(pgid)
    _install_signal_handlers()


def _kill_live_sessions():
    for session in list(_live_sessions):
        session.kill()


def _on_fatal_signal(signum, frame):
    # Only kill here: the interrupted code may be inside Popen.wait(), whose lock a wait
    # from this handler would wait for forever. The dying process's QEMU is reaped by init.
    for pgid in [s.proc.pid for s in list(_live_sessions)] + list(_live_groups):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


atexit.register(_kill_live_sessions)


def _install_signal_handlers():
    import threading
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(sig, _on_fatal_signal)


class Session:
    """A QEMU process with its serial console on pipes: read with a deadline, wait for
    text, send input, and always clean up (only this QEMU is killed)."""

    def __init__(self, argv, timeout, log_path=None, steps=()):
        self.argv = argv
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.output = []            # complete lines so far
        self.timed_out = False
        self.text = ""              # everything received, decoded
        self._expect_pos = 0        # expect() looks only at text after its last match
        self._line_pos = 0          # start of the unfinished line in text
        self._eof = False
        self.log = open(log_path, "w", encoding="utf-8") if log_path else None
        _install_signal_handlers()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        _live_sessions.add(self)
        for wait_for, send in steps:
            if not self.expect(wait_for):
                self.kill()
                self.close()
                raise QemuError(f"boot loader console: {wait_for!r} never came "
                                f"(last output: {self.output[-2:]})")
            if send:
                self.send(send)

    def interact(self):
        """Hand the console to the user's terminal (raw, so Ctrl-A X reaches QEMU's
        multiplexer) until QEMU exits; returns its exit code."""
        import termios
        import tty
        out = sys.stdout.buffer
        out.write(self.text[self._expect_pos:].encode())
        out.flush()
        fd_in, fd_q = sys.stdin.fileno(), self.proc.stdout.fileno()
        saved = termios.tcgetattr(fd_in) if os.isatty(fd_in) else None
        inputs = [fd_in, fd_q]
        try:
            if saved:
                tty.setraw(fd_in)
            while True:
                ready, _, _ = select.select(inputs, [], [])
                if fd_q in ready:
                    chunk = os.read(fd_q, 65536)
                    if not chunk:
                        break
                    out.write(chunk)
                    out.flush()
                if fd_in in ready:
                    data = os.read(fd_in, 1024)
                    if data:
                        self.send(data.decode("latin-1"))
                    else:
                        inputs = [fd_q]     # end of input: keep showing the output
        finally:
            if saved:
                termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        self.proc.wait()
        return self.proc.returncode

    def _read(self):
        """Wait for more output; False at end of output or past the deadline."""
        if self._eof:
            return False
        fd = self.proc.stdout.fileno()
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.timed_out = True
                self.kill()
                return False
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if ready:
                break
        chunk = os.read(fd, 65536)
        if not chunk:
            self._eof = True
            if self._line_pos < len(self.text):     # a last line without newline
                self.text += "\n"
            self._split_lines()
            return False
        self.text += chunk.decode("utf-8", "replace")
        self._split_lines()
        return True

    def _split_lines(self):
        while True:
            nl = self.text.find("\n", self._line_pos)
            if nl < 0:
                return
            line = self.text[self._line_pos:nl].rstrip("\r")
            self._line_pos = nl + 1
            self.output.append(line)
            if self.log:
                self.log.write(line + "\n")

    def lines(self):
        """Yield console lines until QEMU exits or the deadline passes."""
        sent = len(self.output)
        while True:
            while sent < len(self.output):
                sent += 1
                yield self.output[sent - 1]
            if not self._read():
                while sent < len(self.output):
                    sent += 1
                    yield self.output[sent - 1]
                return

    def expect(self, text):
        """Read until text appears (also inside an unfinished line, like a prompt)."""
        while True:
            found = self.text.find(text, self._expect_pos)
            if found >= 0:
                self._expect_pos = found + len(text)
                return True
            if not self._read():
                return False

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass

    def wait(self):
        """Drain output until QEMU exits (or the deadline); returns the exit code."""
        while self._read():
            pass
        return self.close()

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        _live_sessions.discard(self)

    def close(self):
        """Reap QEMU (killing it if it outlives the deadline); returns its exit code, or
        None after a timeout."""
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=max(0.1, self.deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.timed_out = True
                self.kill()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        if self.log:
            self.log.close()
            self.log = None
        _live_sessions.discard(self)
        return None if self.timed_out else self.proc.returncode


def console_steps(target, chain, cmdline):
    """What must be typed at the boot loader's console, if anything (tools/uboot.py)."""
    if chain == "direct":
        return []
    import uboot
    return uboot.console_steps(target, chain, cmdline or "")


def gdb_argv(target, objtree, remote, lz4=False):
    """gdb-multiarch set up for the kernel in objtree, connecting with `target remote
    <remote>` (":PORT", or "| command" for a gdbstub on a pipe). With lz4, the
    decompressor's symbols come too (it runs first, at its own addresses)."""
    require(GDB_PACKAGE, GDB_PACKAGE)
    elf = os.path.join(objtree, "kernel.elf")
    if not os.path.exists(elf):
        raise QemuError(f"{elf} does not exist: build it first (make)")
    script = os.path.join(targetlib.SRCTREE, "tools", "gdb", "kernel.gdb")
    # The architecture is set before connecting: on x86_64 the kernel starts in 32-bit
    # mode, but QEMU always sends the 64-bit register file; with i386:x86-64 set first
    # gdb never sees a "'g' packet reply is too long" mismatch.
    # The image's debug info names sources relative to the tree (-ffile-prefix-map).
    return [GDB_PACKAGE, "-q", "-nx", "-ex", f"set architecture {target['GDB_ARCH']}",
            "-ex", f"directory {targetlib.SRCTREE}",
            "-ex", f"file {elf}", "-x", script] + \
        (["-ex", f"add-symbol-file {os.path.join(objtree, 'kernel-lz4.elf')}"] if lz4 else []) + \
        ["-ex", f"target remote {remote}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("run", "debug", "gdb", "print"))
    ap.add_argument("--target-file", required=True)
    ap.add_argument("--objtree", required=True)
    ap.add_argument("--mem")
    ap.add_argument("--smp")
    ap.add_argument("--append")
    ap.add_argument("--extra")
    ap.add_argument("--gdbport", type=int)
    ap.add_argument("--boot", default="direct", choices=CHAINS)
    ap.add_argument("--lz4", action="store_true")
    ap.add_argument("--trace", help="QEMU -d items (int,guest_errors,mmu...): log to a file")
    args = ap.parse_args()
    try:
        target = targetlib.parse(args.target_file)
        port = args.gdbport or default_gdbport(target)
        if args.command == "gdb":
            argv = gdb_argv(target, args.objtree, f":{port}", args.lz4)
            os.execvp(argv[0], argv)
        argv = qemu_argv(target, args.objtree, args.mem, args.smp, args.append, args.extra,
                         chain=args.boot, lz4=args.lz4)
        if args.trace:
            log = os.path.join(args.objtree, "qemu-trace.log")
            argv += ["-d", args.trace, "-D", log]
            print(f"QEMU trace ({args.trace}) goes to {log}", flush=True)
        if args.command == "print":
            print(shlex.join(argv))
            return 0
        if args.command == "debug":
            if port_in_use(port):
                raise QemuError(f"port {port} is in use (another debug session?): "
                                "set GDBPORT= to another port")
            argv += ["-S", "-gdb", f"tcp:127.0.0.1:{port}"]
            print(f"QEMU is halted with its gdbstub on port {port}. In another terminal:\n"
                  f"    make ARCH={target.arch} gdb"
                  f"{'' if args.gdbport is None else f' GDBPORT={port}'}\n"
                  "Ctrl-A X quits QEMU.", flush=True)
        else:
            print("Booting under QEMU; Ctrl-A X quits.", flush=True)
        # Run QEMU as a child to translate its exit code: the shell's `poweroff N` (or
        # Ctrl-A X) ends `make qemu` with N, whatever the target's exit device encodes.
        steps = console_steps(target, args.boot, args.append)
        if steps:
            # A boot loader that must be typed at: drive it, then hand over the console.
            returncode = Session(argv, 10 ** 9, steps=steps).interact()
        else:
            returncode = subprocess.call(argv)
        status = exit_status(target, returncode)
        return returncode if status is None and returncode != 0 else (status or 0)
    except (QemuError, targetlib.TargetError) as e:
        sys.stderr.write(f"qemu: {e}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())

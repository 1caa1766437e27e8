# Loaded by `make gdb` (tools/qemu.py) before it connects to QEMU's gdbstub.
set pagination off
set confirm off
set print pretty on
# QEMU's gdbstub reports the kernel's threads as CPUs; stop all of them together.
set non-stop off

# Kernel-aware commands (kdmesg, kconfig, kcpus, kirqs, kbootinfo): refkernel.py, next
# to this file. gdb does not tell a script where it was read from, so take this file's
# path from gdb's command line (-x, as tools/qemu.py loads it); failing that, look in
# the source directories (tools/qemu.py sets `directory` to the tree) and the current
# directory.
python
def _refkernel_script():
    import os
    with open("/proc/self/cmdline", "rb") as f:
        argv = [a.decode(errors="replace") for a in f.read().split(b"\0")]
    scripts = []
    for i, a in enumerate(argv):
        name, eq, value = a.partition("=")
        if name.lstrip("-") in ("x", "command", "ix", "init-command"):
            scripts.append(value if eq else argv[i + 1] if i + 1 < len(argv) else "")
        elif a.startswith("-x") and len(a) > 2:
            scripts.append(a[2:])
    dirs = [os.path.dirname(os.path.abspath(s)) for s in scripts
            if os.path.basename(s) == "kernel.gdb"]
    dirs += [os.path.join(d, "tools", "gdb")
             for d in gdb.parameter("directories").split(os.pathsep) + [os.getcwd()]
             if d and not d.startswith("$")]
    for d in dirs:
        if os.path.isfile(os.path.join(d, "refkernel.py")):
            return os.path.join(d, "refkernel.py")
    return None

_refkernel_path = _refkernel_script()
if _refkernel_path:
    gdb.execute("source " + _refkernel_path)
else:
    gdb.write("kernel.gdb: refkernel.py not found next to kernel.gdb; "
              "kernel commands (kdmesg, kcpus...) unavailable\n", gdb.STDERR)
del _refkernel_script, _refkernel_path
end

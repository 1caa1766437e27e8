# Loaded by `make gdb` (tools/qemu.py) before it connects to QEMU's gdbstub.
set pagination off
set confirm off
set print pretty on
# QEMU's gdbstub reports the kernel's threads as CPUs; stop all of them together.
set non-stop off

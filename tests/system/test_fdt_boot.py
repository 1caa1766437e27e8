"""A malformed device tree handed over at boot must end in a clear panic and a failure
status, never in a hang or a wrong boot. Only on FDT targets whose firmware passes
QEMU's DTB through untouched (OpenSBI on riscv64 parses it itself and stops first)."""

import os
import subprocess


def _dump_dtb(ctx, path):
    argv = ctx.qemu_argv(extra=None)
    machine = argv[argv.index("-M") + 1]
    argv[argv.index("-M") + 1] = f"{machine},dumpdtb={path}"
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30, check=False)
    with open(path, "rb") as f:
        return bytearray(f.read())


def _boot_with(ctx, blob, name):
    path = os.path.join(ctx.objtree, name)
    with open(path, "wb") as f:
        f.write(blob)
    s = ctx.boot(dtb=path, timeout=20)
    rc = s.wait()
    return s, ctx.status(rc)


def _applies(ctx):
    if ctx.config.get("CONFIG_BOOT_FDT") != "y":
        raise ctx.Skip("target boots without a device tree")
    if ctx.target.get("QEMU_FIRMWARE"):
        raise ctx.Skip("firmware parses the DTB before the kernel")


def test_bad_dtb_magic(ctx):
    _applies(ctx)
    blob = _dump_dtb(ctx, os.path.join(ctx.objtree, "qemu.dtb"))
    blob[0] ^= 0xff
    s, status = _boot_with(ctx, blob, "bad-magic.dtb")
    text = "\n".join(s.output)
    assert "device tree at" in text and "bad magic" in text, \
        f"no clear message; console ends with {s.output[-3:]}"
    assert status == 2, f"expected panic status 2, host saw {status}"


def test_bad_dtb_structure_offset(ctx):
    _applies(ctx)
    blob = _dump_dtb(ctx, os.path.join(ctx.objtree, "qemu.dtb"))
    blob[8:12] = (0xfffffff0).to_bytes(4, "big")     # off_dt_struct far out of bounds
    s, status = _boot_with(ctx, blob, "bad-offset.dtb")
    text = "\n".join(s.output)
    assert "rejected" in text and "out of bounds" in text, \
        f"no clear message; console ends with {s.output[-3:]}"
    assert status == 2, f"expected panic status 2, host saw {status}"

"""A malformed or missing device tree at boot must end in a clear panic and a failure
status, never in a hang or a wrong boot.

Only on FDT targets whose firmware passes QEMU's device tree through untouched (OpenSBI
on riscv64 parses it itself first). QEMU checks a -dtb blob's header (magic, version,
block offsets) and refuses to start on a bad one, so the corruption used here is one
only a full check finds: a property name pointing outside the strings block."""

import os
import subprocess

FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP = 1, 2, 3, 4


def _be32(blob, off):
    return int.from_bytes(blob[off:off + 4], "big")


def _applies(ctx):
    if ctx.config.get("CONFIG_BOOT_FDT") != "y":
        raise ctx.Skip("target boots without a device tree")
    if ctx.chain != "direct":
        raise ctx.Skip("the boot loader hands over its own device tree")
    if ctx.target.get("QEMU_FIRMWARE"):
        raise ctx.Skip("firmware parses the device tree before the kernel")


def _dump_dtb(ctx, path):
    argv = ctx.qemu_argv()
    machine = argv.index("-M") + 1
    argv[machine] += f",dumpdtb={path}"
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30, check=False)
    with open(path, "rb") as f:
        return bytearray(f.read())


def _property_offsets(blob):
    """Blob offsets of the FDT_PROP tokens, found by walking the structure block."""
    off, found = _be32(blob, 8), []
    while True:
        token = _be32(blob, off)
        if token == FDT_BEGIN_NODE:
            off = (blob.index(0, off + 4) + 1 + 3) & ~3
        elif token == FDT_PROP:
            found.append(off)
            off += 12 + ((_be32(blob, off + 4) + 3) & ~3)
        elif token in (FDT_END_NODE, FDT_NOP):
            off += 4
        else:
            return found


def _expect_panic(ctx, session, message):
    rc = session.wait()
    text = "\n".join(session.output)
    assert message in text, f"no '{message}' panic; console ends with {session.output[-3:]}"
    assert "Kernel panic" in text, "the kernel did not panic"
    status = ctx.status(rc)
    assert status == 2, f"expected panic status 2, host saw {status} (QEMU exit {rc})"


def test_bad_dtb_property_name(ctx):
    _applies(ctx)
    blob = _dump_dtb(ctx, os.path.join(ctx.objtree, "qemu.dtb"))
    last = _property_offsets(blob)[-1]
    blob[last + 8:last + 12] = (0x7ffffff0).to_bytes(4, "big")   # nameoff out of range
    path = os.path.join(ctx.objtree, "bad-name.dtb")
    with open(path, "wb") as f:
        f.write(blob)
    _expect_panic(ctx, ctx.boot(dtb=path, timeout=20),
                  "rejected: unterminated name or string")


def test_no_dtb_handed_over(ctx):
    _applies(ctx)
    if ctx.target.arch != "aarch64":
        raise ctx.Skip("only aarch64's boot protocol can hand over no device tree")
    # QEMU passes x0 = DTB only to an arm64 Image; an ELF gets x0 = 0.
    argv = ctx.qemu_argv(append="ktest=off")
    argv[argv.index("-kernel") + 1] = os.path.join(ctx.objtree, "kernel.elf")
    _expect_panic(ctx, ctx.session(argv), "rejected: no device tree passed")

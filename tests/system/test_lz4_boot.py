"""The self-decompressing lz4 image (CONFIG_KERNEL_LZ4, boot/stub): a corrupt compressed
kernel must be reported by the stub and end in the panic status, never in a jump into
garbage. (That the image boots at all is what the whole suite shows when it runs with
LZ4=1.)"""

import os

import qemu

LZ4_MAGIC = bytes.fromhex("04224d18")


def test_corrupt_lz4_kernel_is_refused(ctx):
    if ctx.chain != "direct":
        raise ctx.Skip("the U-Boot chains boot a FIT that U-Boot decompresses")
    image = qemu.kernel_image(ctx.target, ctx.objtree, lz4=True)
    with open(image, "rb") as f:
        blob = bytearray(f.read())
    frame = blob.find(LZ4_MAGIC)
    assert frame >= 0, f"no lz4 frame inside {image}"
    blob[frame + 200] ^= 0x40          # inside the first block's data
    bad = os.path.join(ctx.objtree, "kernel-lz4-corrupt" + os.path.splitext(image)[1])
    with open(bad, "wb") as f:
        f.write(blob)
    s = ctx.session(ctx.qemu_argv(append="ktest=off", image=bad), timeout=20)
    rc = s.wait()
    text = "\n".join(s.output)
    assert "lz4 stub: the compressed kernel is corrupt" in text, \
        f"no report from the stub; console ends with {s.output[-3:]}"
    assert "refkernel " not in text, "the corrupt kernel was entered"
    status = ctx.status(rc)
    assert status == 2, f"expected panic status 2, host saw {status} (QEMU exit {rc})"

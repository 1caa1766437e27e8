#!/usr/bin/python3
"""Make a disk image U-Boot's distro boot can find: an MBR with one bootable FAT
partition (U-Boot does not look at a bare FAT image) holding the given files.

  mkdisk.py OUT [--size-mib N] DEST=SOURCE... [--text DEST=CONTENT]...

DEST is a path inside the FAT file system (directories are created); SOURCE a host file.
Needs mtools (Debian package mtools).
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys

SECTOR = 512
PART_START = 2048           # 1 MiB, the usual alignment
FAT16_LBA = 0x0e
MBR_SIGNATURE = b"\x55\xaa"


class DiskError(Exception):
    pass


def mbr(part_sectors):
    """A classic MBR: no boot code, one bootable partition entry, the signature."""
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", FAT16_LBA, b"\xfe\xff\xff",
                        PART_START, part_sectors)
    return bytes(446) + entry + bytes(16 * 3) + MBR_SIGNATURE


def mtools(*argv):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(argv, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise DiskError(f"{' '.join(argv)}: {r.stderr.strip()}")


def make_disk(out, files, texts, size_mib=32):
    """files: {dest: host path}, texts: {dest: str}."""
    if not shutil.which("mformat"):
        raise DiskError("mformat not found: install the Debian package mtools "
                        "(tools/setup installs everything)")
    total = size_mib * 2048
    part_sectors = total - PART_START
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(mbr(part_sectors))
        f.truncate(total * SECTOR)
    img = f"{tmp}@@{PART_START * SECTOR}"
    mtools("mformat", "-i", img, "-T", str(part_sectors), "-h", "64", "-s", "32",
           "-H", str(PART_START), "-v", "REFKERNEL", "::")
    made = set()
    entries = [(d, s, None) for d, s in files.items()] + \
              [(d, None, t) for d, t in texts.items()]
    for dest, src, text in entries:
        parts = dest.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in made:
                mtools("mmd", "-i", img, "::/" + d)
                made.add(d)
        if text is not None:
            src = tmp + ".file"
            with open(src, "w") as f:
                f.write(text)
        mtools("mcopy", "-i", img, src, "::/" + "/".join(parts))
    if os.path.exists(tmp + ".file"):
        os.remove(tmp + ".file")
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("files", nargs="*", metavar="DEST=SOURCE")
    ap.add_argument("--text", action="append", default=[], metavar="DEST=CONTENT")
    ap.add_argument("--size-mib", type=int, default=32)
    args = ap.parse_args()
    try:
        files = dict(f.split("=", 1) for f in args.files)
        texts = dict(t.split("=", 1) for t in args.text)
        make_disk(args.out, files, texts, args.size_mib)
    except (DiskError, ValueError) as e:
        sys.exit(f"mkdisk: {e}")


if __name__ == "__main__":
    main()

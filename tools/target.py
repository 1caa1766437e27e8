#!/usr/bin/python3
"""Read target definitions (arch/<arch>/targets/<name>.target).

A target file is the one place that holds a board's facts: toolchain triples, CPU flags,
load address, QEMU settings, GDB architecture and exit mechanism. The Makefile includes it
as make variables; the host tools read it through this module. The format is deliberately
the subset both understand: `KEY = value` lines, `#` comments, nothing else.

A variant of a board says `INHERIT = <sibling target>` and lists only what differs; one
level only (the Makefile includes the parent, then the file again so its values win).

Command line:
  target.py list                      every target: arch, name, tier, description
  target.py get FILE KEY              one value
  target.py header FILE               C header with TARGET_* defines (for C and linker scripts)
  target.py kconfig ARCHDIR           Kconfig choice listing the arch's targets
"""

import os
import re
import sys

SRCTREE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

REQUIRED = (
    "DESCRIPTION", "TIER", "GCC_PREFIXES", "GCC_PACKAGE", "LLVM_TRIPLE", "CPU_CFLAGS",
    "KERNEL_BASE", "EARLY_UART", "EARLY_UART_BASE", "EXIT", "QEMU", "QEMU_PACKAGE",
    "QEMU_MACHINE", "QEMU_CPU", "QEMU_MEM", "QEMU_IMAGE", "GDB_ARCH",
)
EXIT_MECHANISMS = ("sifive_test", "semihosting", "isa_debug_exit")
_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$")
_NUMBER = re.compile(r"^(0x[0-9a-fA-F]+|[0-9]+)$")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


class TargetError(Exception):
    pass


class Target(dict):
    """A parsed target file: a dict of KEY -> value plus arch and name."""

    def __init__(self, path, values):
        super().__init__(values)
        self.path = path
        self.name = os.path.basename(path)[: -len(".target")]
        self.arch = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))

    def words(self, key):
        return self.get(key, "").split()


def parse(path):
    """Parse a target file (and the one it inherits from); raise TargetError with
    file:line on anything unexpected."""
    values = read_values(path)
    parent = values.pop("INHERIT", None)
    if parent:
        ppath = os.path.join(os.path.dirname(path), parent + ".target")
        if not os.path.exists(ppath):
            raise TargetError(f"{path}: INHERIT names {parent}, but {ppath} does not exist")
        base = read_values(ppath)
        if "INHERIT" in base:
            raise TargetError(f"{path}: {parent} inherits too; only one level is allowed")
        base.update(values)
        values = base
    return validate(path, values)


def read_values(path):
    values = {}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise TargetError(f"{path}: cannot read: {e.strerror}") from None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _LINE.match(stripped)
        if not m:
            raise TargetError(f"{path}:{number}: expected 'KEY = value', got: {stripped}")
        key, value = m.groups()
        if key in values:
            raise TargetError(f"{path}:{number}: {key} is set twice")
        if "$" in value or "#" in value:
            raise TargetError(f"{path}:{number}: {key}: '$' and '#' are not allowed in values")
        values[key] = value
    return values


def validate(path, values):
    missing = [k for k in REQUIRED if not values.get(k)]
    if missing:
        raise TargetError(f"{path}: missing required keys: {' '.join(missing)}")
    if values["EXIT"] not in EXIT_MECHANISMS:
        raise TargetError(f"{path}: EXIT must be one of {', '.join(EXIT_MECHANISMS)}")
    if values["TIER"] not in ("1", "2", "3"):
        raise TargetError(f"{path}: TIER must be 1, 2 or 3")
    if values["QEMU_IMAGE"] not in ("bin", "elf"):
        raise TargetError(f"{path}: QEMU_IMAGE must be bin or elf")
    return Target(path, values)


def target_files(arch_dir):
    tdir = os.path.join(arch_dir, "targets")
    if not os.path.isdir(tdir):
        return []
    return sorted(os.path.join(tdir, f) for f in os.listdir(tdir) if f.endswith(".target"))


def all_targets(srctree=SRCTREE):
    out = []
    arch_root = os.path.join(srctree, "arch")
    for arch in sorted(os.listdir(arch_root)):
        for path in target_files(os.path.join(arch_root, arch)):
            out.append(parse(path))
    return out


def find(arch, name, srctree=SRCTREE):
    path = os.path.join(srctree, "arch", arch, "targets", name + ".target")
    if not os.path.exists(path):
        names = [parse(p).name for p in target_files(os.path.join(srctree, "arch", arch))]
        raise TargetError(f"unknown target '{name}' for {arch}; valid: {' '.join(names)}")
    return parse(path)


# Keys that only the host side (make, QEMU, GDB) uses stay out of the C header.
HOST_ONLY = ("QEMU", "GCC_", "LLVM_", "PICOLIBC", "GDB_", "FIRMWARE_", "CPU_CFLAGS", "LIBGCC")


def c_header(target):
    """TARGET_<KEY> defines for the kernel-side keys: numbers stay numbers, lower-case
    words become bare tokens (so C can paste them into names) plus a TARGET_<KEY>_<word>
    flag for #if, anything else becomes a string literal TARGET_<KEY>_STR."""
    out = [f"/* Generated from {os.path.relpath(target.path, SRCTREE)}: do not edit. */",
           "#ifndef GENERATED_TARGET_H", "#define GENERATED_TARGET_H",
           f'#define TARGET_NAME "{target.name}"']
    for key, value in target.items():
        if key.startswith(HOST_ONLY):
            continue
        if _NUMBER.match(value):
            out.append(f"#define TARGET_{key} {value}")
        elif _IDENT.match(value):
            out.append(f"#define TARGET_{key} {value}")
            out.append(f"#define TARGET_{key}_{value} 1")
        else:
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'#define TARGET_{key}_STR "{escaped}"')
    out.append("#endif")
    return "\n".join(out) + "\n"


def kconfig_symbol(name):
    return "TARGET_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def kconfig(arch_dir):
    """A Kconfig choice with one entry per target file, so that adding a board is adding
    a file. Targets that name a picolibc select TARGET_HAS_PICOLIBC."""
    targets = [parse(p) for p in target_files(arch_dir)]
    if not targets:
        raise TargetError(f"{arch_dir}: no targets/*.target files")
    # Tier 1 targets first: the first entry is the choice's default.
    targets.sort(key=lambda t: (t["TIER"], t.name))
    out = ["# Generated by tools/target.py from the arch's targets/*.target files.",
           "choice", '\tprompt "Target board"', ""]
    for t in targets:
        out.append(f"config {kconfig_symbol(t.name)}")
        out.append(f'\tbool "{t.name}: {t["DESCRIPTION"]} (tier {t["TIER"]})"')
        if t.get("PICOLIBC"):
            out.append("\tselect TARGET_HAS_PICOLIBC")
        if t.get("UBOOT_IMAGE"):
            out.append("\tselect TARGET_HAS_UBOOT")
        out.append("\thelp")
        out.append(f"\t  Defined in arch/{t.arch}/targets/{t.name}.target.")
        out.append("")
    out += ["endchoice", "", "config TARGET", "\tstring"]
    for t in targets:
        out.append(f'\tdefault "{t.name}" if {kconfig_symbol(t.name)}')
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def main(argv):
    try:
        if len(argv) == 2 and argv[1] == "list":
            for t in all_targets():
                print(f"{t.arch:8} {t.name:16} tier {t['TIER']}  {t['DESCRIPTION']}")
        elif len(argv) == 4 and argv[1] == "get":
            print(parse(argv[2]).get(argv[3], ""))
        elif len(argv) in (3, 4) and argv[1] == "header":
            text = c_header(parse(argv[2]))
            write_if_changed(argv[3], text) if len(argv) == 4 else sys.stdout.write(text)
        elif len(argv) in (3, 4) and argv[1] == "kconfig":
            text = kconfig(argv[2])
            if len(argv) == 4:  # always written: make compares its time with the targets'
                with open(argv[3], "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
        else:
            sys.stderr.write(__doc__)
            return 2
    except TargetError as e:
        sys.stderr.write(f"target: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

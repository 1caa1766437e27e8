"""U-Boot boot chains for tools/qemu.py: what U-Boot needs to boot the kernel with no
key pressed and no autoboot delay, made at run time (the kernel command line and the
memory size are run-time choices):

  uboot       U-Boot loads the lz4-compressed FIT (kernel.itb) put in RAM by QEMU's
              loader device and boots it with bootm.
  uboot-disk  U-Boot's own distro boot finds extlinux/extlinux.conf on a virtio disk
              (an MBR + FAT image made by tools/mkdisk) and boots the FIT from it.

How U-Boot gets its instructions is the target's UBOOT_CONTROL:
  dtb      (riscv64) the control DTB's /config node: bootdelay and bootcmd
  env      (aarch64) a complete environment in the second pflash bank: U-Boot's
           default environment, taken from its own binary, with our changes
  console  (x86_64) nothing can be stored: the runner types at U-Boot's prompt
"""

import os
import shutil
import subprocess

UBOOT_SIZE_MIN = 256        # MiB; U-Boot's default load addresses need this much RAM
ENV_SIZE = 0x40000          # CONFIG_ENV_SIZE of the qemu_arm64 build
PFLASH_SIZE = 64 << 20      # each of QEMU virt's flash banks


class UbootError(Exception):
    pass


def _need(program, package):
    if not shutil.which(program):
        raise UbootError(f"{program} not found: install the Debian package {package} "
                         "(tools/setup installs everything)")


def _run(argv):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        raise UbootError(f"{' '.join(argv)} failed: {(r.stderr or r.stdout).strip()}")


def default_env(uboot_binary):
    """U-Boot's built-in default environment, read out of its binary: NUL-separated
    "name=value" strings, starting with bootcmd, ending at an empty string."""
    with open(uboot_binary, "rb") as f:
        data = f.read()
    start = data.find(b"\0bootcmd=") + 1
    if start <= 0:
        raise UbootError(f"{uboot_binary}: no default environment found")
    entries = []
    for raw in data[start:].split(b"\0"):
        if not raw:
            break
        text = raw.decode("ascii", "strict")
        name, sep, value = text.partition("=")
        if not sep:
            raise UbootError(f"{uboot_binary}: malformed default environment entry {text!r}")
        entries.append((name, value))
    return dict(entries)


def fit_bootcmd(target):
    """Boot the FIT that QEMU's loader put at kernel_addr_r, with U-Boot's own FDT."""
    return f"bootm {target['UBOOT_KERNEL_ADDR']}#conf-1 - ${{fdtcontroladdr}}"


def extlinux_conf(cmdline):
    text = "default refkernel\nlabel refkernel\n\tkernel /kernel.itb\n"
    if cmdline:     # U-Boot's parser refuses an empty append
        text += f"\tappend {cmdline}\n"
    return text


def make_disk(target, objtree, cmdline, path):
    import mkdisk
    itb = os.path.join(objtree, "kernel.itb")
    if not os.path.exists(itb):
        raise UbootError(f"{itb} does not exist: build it first (make)")
    mkdisk.make_disk(path, {"kernel.itb": itb},
                     {"extlinux/extlinux.conf": extlinux_conf(cmdline)})


def control_dtb(base_argv, machine_index, out, bootcmd):
    """QEMU's own DTB for exactly this machine (dumped with the same options), plus a
    /config node: bootdelay 0 and, unless distro boot should run, our bootcmd."""
    _need("fdtput", "device-tree-compiler")
    argv = list(base_argv)
    argv[machine_index] += f",dumpdtb={out}"
    _run(argv)
    _run(["fdtput", "-c", out, "/config"])
    _run(["fdtput", "-t", "i", out, "/config", "bootdelay", "0"])
    if bootcmd:
        _run(["fdtput", "-t", "s", out, "/config", "bootcmd", bootcmd])


def env_flash(target, out, bootcmd, cmdline):
    """A complete environment (a partial one would replace the defaults and break
    distro boot) with no autoboot delay, padded to the size of the flash bank."""
    _need("mkenvimage", "u-boot-tools")
    env = default_env(target["UBOOT_IMAGE"])
    env["bootdelay"] = "-2"             # boot at once, without checking for a key
    env["bootargs"] = cmdline
    if bootcmd:
        env["bootcmd"] = bootcmd
    text = out + ".txt"
    with open(text, "w", encoding="ascii") as f:
        f.writelines(f"{k}={v}\n" for k, v in env.items())
    _run(["mkenvimage", "-s", str(ENV_SIZE), "-o", out, text])
    with open(out, "r+b") as f:
        f.truncate(PFLASH_SIZE)


def chain_argv(target, objtree, chain, base_argv, cmdline, workdir):
    """The QEMU options that boot through U-Boot, after the machine/cpu/memory options in
    base_argv. Files U-Boot needs are written to workdir."""
    if not target.get("UBOOT_IMAGE"):
        raise UbootError(f"target {target.name} has no U-Boot (UBOOT_IMAGE)")
    if not os.path.exists(target["UBOOT_IMAGE"]):
        raise UbootError(f"{target['UBOOT_IMAGE']} not found: install the Debian package "
                         f"{target.get('UBOOT_PACKAGE', 'u-boot-qemu')}")
    os.makedirs(workdir, exist_ok=True)
    argv = list(base_argv)
    bootcmd = fit_bootcmd(target) if chain == "uboot" else None
    if target["UBOOT_LOADED_AS"] == "kernel":
        # Firmware (OpenSBI) as -bios, U-Boot as its payload.
        argv += ["-bios", target["QEMU_FIRMWARE"], "-kernel", target["UBOOT_IMAGE"]]
        if cmdline:
            argv += ["-append", cmdline]
    else:
        argv += ["-bios", target["UBOOT_IMAGE"]]

    control = target["UBOOT_CONTROL"]
    if control == "dtb":
        dtb = os.path.join(workdir, "u-boot-control.dtb")
        control_dtb(argv, argv.index("-M") + 1, dtb, bootcmd)
        argv += ["-dtb", dtb]
    elif control == "env":
        env = os.path.join(workdir, "u-boot-env.img")
        env_flash(target, env, bootcmd, cmdline)
        argv += ["-drive", f"if=pflash,format=raw,index=1,file={env}"]
    else:
        raise UbootError(f"UBOOT_CONTROL {control} is not supported yet")

    if chain == "uboot":
        itb = os.path.join(objtree, "kernel.itb")
        if not os.path.exists(itb):
            raise UbootError(f"{itb} does not exist: build it first (make)")
        argv += ["-device", f"loader,file={itb},addr={target['UBOOT_KERNEL_ADDR']},"
                 "force-raw=on"]
    else:
        disk = os.path.join(workdir, "disk.img")
        make_disk(target, objtree, cmdline, disk)
        argv += ["-drive", f"file={disk},format=raw,if=virtio"]
    return argv

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
           (console_steps), and the disk carries a boot.scr
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


def bootelf_commands(target, cmdline):
    """U-Boot commands that start kernel.elf at UBOOT_KERNEL_ADDR (x86_64: no bootm
    for a non-Linux image, no decompressor; bootelf calls the ELF entry)."""
    return ["setenv autostart yes", f"bootelf {target['UBOOT_KERNEL_ADDR']} {cmdline}".rstrip()]


def _built(objtree, name):
    path = os.path.join(objtree, name)
    if not os.path.exists(path):
        raise UbootError(f"{path} does not exist: build it first (make)")
    return path


def make_disk(target, objtree, cmdline, path):
    """extlinux.conf + the FIT where U-Boot can boot a FIT; otherwise a boot.scr that
    loads kernel.elf and runs bootelf. Either is what distro boot looks for."""
    import mkdisk
    if target.get("FIT_ARCH"):
        mkdisk.make_disk(path, {"kernel.itb": _built(objtree, "kernel.itb")},
                         {"extlinux/extlinux.conf": extlinux_conf(cmdline)})
        return
    _need("mkimage", "u-boot-tools")
    script = path + ".boot.txt"
    with open(script, "w", encoding="ascii") as f:
        f.write(f"load virtio 0:1 {target['UBOOT_KERNEL_ADDR']} kernel.elf\n")
        f.write("\n".join(bootelf_commands(target, cmdline)) + "\n")
    _run(["mkimage", "-q", "-T", "script", "-C", "none", "-d", script, path + ".boot.scr"])
    mkdisk.make_disk(path, {"kernel.elf": _built(objtree, "kernel.elf"),
                            "boot.scr": path + ".boot.scr"}, {})


def console_steps(target, chain, cmdline):
    """What the runner types at U-Boot's console, as (wait for, then send) pairs: like a
    board farm, stop autoboot with a key, then enter the boot commands. Empty when
    U-Boot boots by itself."""
    if target.get("UBOOT_CONTROL") != "console" or chain != "uboot":
        return []
    steps = [("Hit any key to stop autoboot", " ")]
    for command in bootelf_commands(target, cmdline):
        steps.append(("=> ", command + "\r"))
    steps.append(("## Starting application", None))
    return steps


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
    if target.get("UBOOT_MACHINE"):
        argv[argv.index("-M") + 1] = target["UBOOT_MACHINE"]
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
    elif control != "console":
        raise UbootError(f"unknown UBOOT_CONTROL {control!r} in target {target.name}")

    if chain == "uboot":
        image = _built(objtree, "kernel.itb" if target.get("FIT_ARCH") else "kernel.elf")
        argv += ["-device", f"loader,file={image},addr={target['UBOOT_KERNEL_ADDR']},"
                 "force-raw=on"]
    else:
        disk = os.path.join(workdir, "disk.img")
        make_disk(target, objtree, cmdline, disk)
        argv += ["-drive", f"file={disk},format=raw,if=virtio"]
    return argv

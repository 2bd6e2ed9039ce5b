#!/usr/bin/env python3
# Puts the named kernel modules and everything they depend on in load
# order: reads each module's own "depends=" (its .modinfo), so neither
# depmod nor modprobe (kmod) is needed on the host. Prints one path a line,
# dependencies first; a module built into the kernel (modules.builtin) is
# left out, one found nowhere is an error.
#
#   modules.py MODULES_DIR NAME...      (MODULES_DIR = lib/modules/KVER)
import os
import sys


def norm(name):
    return name.replace("-", "_")


def index(top):
    """Every .ko under top by module name (dashes and underscores alike)."""
    found = {}
    for d, _, files in os.walk(os.path.join(top, "kernel")):
        for f in files:
            if f.endswith(".ko"):
                found[norm(f[:-3])] = os.path.join(d, f)
    return found


def builtin(top):
    try:
        with open(os.path.join(top, "modules.builtin")) as f:
            return {norm(os.path.basename(l.strip())[:-3]) for l in f if l.strip()}
    except FileNotFoundError:
        return set()


def depends(path):
    """The module's depends= list; the field is absent or empty for none."""
    data = open(path, "rb").read()
    at = data.find(b"\0depends=")
    if at < 0:
        return []
    end = data.index(b"\0", at + 1)
    value = data[at + len(b"\0depends="):end].decode()
    return [norm(n) for n in value.split(",") if n]


def main():
    top, wanted = sys.argv[1], sys.argv[2:]
    mods, inside = index(top), builtin(top)
    order, seen = [], set()

    def visit(name):
        if name in seen or name in inside:
            return
        seen.add(name)
        if name not in mods:
            sys.exit(f"modules.py: {name}: neither a module nor built in")
        for dep in depends(mods[name]):
            visit(dep)
        order.append(mods[name])

    for name in wanted:
        visit(norm(name))
    print("\n".join(order))


if __name__ == "__main__":
    main()

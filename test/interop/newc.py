#!/usr/bin/env python3
# Writes a gzip'd cpio archive in the "newc" format the kernel unpacks as
# its initramfs, from a directory tree (files, directories, symlinks), all
# owned by root. Written here so that the host needs no cpio.
#
#   newc.py DIR OUT.cpio.gz
import gzip
import os
import stat
import sys


def entry(name, mode, body, ino):
    """One newc record: header, NUL-ended name and body, each 4-aligned."""
    n = name.encode() + b"\0"
    fields = (ino, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(n), 0)
    rec = b"070701" + b"".join(b"%08X" % v for v in fields) + n
    rec += b"\0" * (-len(rec) % 4) + body
    return rec + b"\0" * (-len(rec) % 4)


def records(top):
    """The tree's entries, parents before children, in a stable order."""
    ino = 1
    for d, dirs, files in os.walk(top):
        dirs.sort()
        rel = os.path.relpath(d, top)
        if rel != ".":
            yield entry(rel, stat.S_IFDIR | 0o755, b"", ino)
            ino += 1
        for f in sorted(files + [x for x in dirs if os.path.islink(os.path.join(d, x))]):
            path = os.path.join(d, f)
            name = os.path.normpath(os.path.join(rel, f))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                body = os.readlink(path).encode()
            else:
                body = open(path, "rb").read()
            yield entry(name, st.st_mode, body, ino)
            ino += 1


def main():
    top, out = sys.argv[1], sys.argv[2]
    data = b"".join(records(top)) + entry("TRAILER!!!", 0, b"", 0)
    data += b"\0" * (-len(data) % 512)
    with open(out, "wb") as f:
        f.write(gzip.compress(data, 6))


if __name__ == "__main__":
    main()

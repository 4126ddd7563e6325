#!/usr/bin/env python3
"""Writes a Dysnomia store with many generations, as fast as the filesystem allows.

    compare-generations.py STORE GENERATIONS [COMPONENTS]

Container `pg`, components `db1`..`dbK` (default 10), GENERATIONS in all, spread evenly.
Each generation points at its own one-file snapshot named, as the real Dysnomia names them,
by the SHA-256 of its file, with its checksum in Dysnomia's format (SHA-256 of `find .`, an
empty line, then the file's bytes). Files are tiny and uncompressed (`dump.pgsql`), so every
tool can list, check, gc and dump them. Used by compare.sh for --query-all and --gc timings.
"""
import hashlib
import os
import sys


def main():
    store, total = sys.argv[1], int(sys.argv[2])
    components = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    container = "pg"
    for k in range(components):
        component = "db%d" % (k + 1)
        count = total // components + (1 if k < total % components else 0)
        snaps = os.path.join(store, "snapshots", container, component)
        sums = os.path.join(store, "checksums", container, component)
        gens = os.path.join(store, "generations", container, component)
        for d in (snaps, sums, gens):
            os.makedirs(d, exist_ok=True)
        for g in range(1, count + 1):
            body = ("-- %s/%s generation %d\nCREATE TABLE t (id int);\n" % (container, component, g)).encode()
            name = hashlib.sha256(body).hexdigest()
            os.mkdir(os.path.join(snaps, name))
            with open(os.path.join(snaps, name, "dump.pgsql"), "wb") as f:
                f.write(body)
            checksum = hashlib.sha256(b".\n./dump.pgsql\n\n" + body).hexdigest()
            with open(os.path.join(sums, name), "w") as f:
                f.write("sha256:" + checksum)
            os.symlink("../../../snapshots/%s/%s/%s" % (container, component, name), os.path.join(gens, str(g)))


if __name__ == "__main__":
    main()

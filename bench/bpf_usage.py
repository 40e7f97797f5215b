#!/usr/bin/python3
"""What one graylane install costs the kernel, from its pin root.

usage: bpf_usage.py PINROOT [--since EARLIER.json]

Prints one JSON object:
  progs: {name: {id, run_cnt, run_time_ns}} for every program pinned under
         PINROOT/progs (run_* are 0 unless kernel.bpf_stats_enabled=1)
  maps:  {name: {id, type, max_entries, bytes_memlock}} for every map pinned
         at PINROOT (bytes_memlock is what the kernel charges for the map:
         for hash maps without preallocation, the elements in it now)
With --since, run_cnt and run_time_ns are what was added since EARLIER.json
(an earlier output for the same pin root). Only this install's objects are
read, so other graylane daemons on the machine (another test run, the demo)
never count.
"""
import json
import os
import subprocess
import sys


def bpftool(*args):
    out = subprocess.run(["bpftool", "--json", *args], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--since"):
        sys.exit(__doc__.strip().splitlines()[2])
    root = sys.argv[1]
    since = json.load(open(sys.argv[3]))["progs"] if len(sys.argv) == 4 else {}
    res = {"progs": {}, "maps": {}}
    pdir = os.path.join(root, "progs")
    for name in sorted(os.listdir(pdir)):
        p = bpftool("prog", "show", "pinned", os.path.join(pdir, name))
        old = since.get(name, {})
        res["progs"][name] = {"id": p["id"],
                              "run_cnt": p.get("run_cnt", 0) - old.get("run_cnt", 0),
                              "run_time_ns": p.get("run_time_ns", 0) - old.get("run_time_ns", 0)}
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if os.path.isdir(path):
            continue
        m = bpftool("map", "show", "pinned", path)
        res["maps"][name] = {"id": m["id"], "type": m["type"],
                             "max_entries": m["max_entries"],
                             "bytes_memlock": m.get("bytes_memlock", 0)}
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()

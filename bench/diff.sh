#!/usr/bin/env bash
# `vcaudit diff` beside one audit of the same snapshot: wall and CPU seconds and peak RSS of
#   vcaudit audit --snapshot S --format csv,json --out DIR     (one audit)
#   vcaudit diff S S --out DIR                                  (both sides read and compared)
# on an estate of VMS VMs (default 50000) from bench/grow_snapshot.py (the sample's VMs copied
# with new names, morefs and UUIDs), RUNS rounds (default 2), each round both commands, one
# after the other. The issue's aim: a diff within the memory of one audit. Figures for people:
# nothing here passes or fails. Called by bench/run.sh (DIFF_VMS; 0 skips it); runs alone too:
#   bash bench/diff.sh [VMS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-50000}
RUNS=${2:-2}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/grow_snapshot.py "$VMS" "$work/estate.json"
python3 - "$work" "$VMS" "$RUNS" target/release/vcaudit <<'PY'
import os, statistics, subprocess, sys, time

work, vms, runs, exe = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
snap = f"{work}/estate.json"
commands = {
    "audit": [exe, "audit", "--snapshot", snap, "--format", "csv,json", "--out", f"{work}/audit", "--fail-on", "never", "--quiet"],
    "diff": [exe, "diff", snap, snap, "--out", f"{work}/diff"],
}
seen = {name: [] for name in commands}
for _ in range(runs):
    for name, cmd in commands.items():
        start = time.time()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.time() - start
        err = p.stderr.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed:\n{err}")
        # ru_maxrss is in KiB on Linux.
        seen[name].append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
size = os.path.getsize(snap) / 2**20
print(f"\nbench: vcaudit diff of a {vms}-VM snapshot ({size:.0f} MiB JSON) with itself, beside one audit of it ({runs} runs each)")
print(f"  {'run':<42} {'wall s':>12} {'CPU s':>12} {'peak RSS MiB':>16}")
show = lambda xs: ", ".join(f"{x:.2f}" if x < 100 else f"{x:.1f}" for x in xs)
labels = {"audit": "audit --snapshot S --format csv,json", "diff": "diff S S --out DIR"}
for name, rows in seen.items():
    wall, cpu, rss = zip(*rows)
    print(f"  {labels[name]:<42} {show(wall):>12} {show(cpu):>12} {show(rss):>16}")
a, d = (statistics.median(r[2] for r in seen[n]) for n in ("audit", "diff"))
ca, cd = (statistics.median(r[1] for r in seen[n]) for n in ("audit", "diff"))
print(f"  diff / audit (medians): peak RSS {d / a:.2f}x ({d - a:+.1f} MiB), CPU {cd / ca:.2f}x")
PY

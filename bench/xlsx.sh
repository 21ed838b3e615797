#!/usr/bin/env bash
# The spreadsheets at scale: peak RSS and wall time of `vcaudit audit --snapshot S` writing
# `--format xlsx` and `--format rvtools` beside `--format csv`, on an estate of VMS VMs (default
# 100000), and whether each workbook's peaks stay within BUDGET_MIB (default 32) of the CSV
# run's. Both workbooks are streamed in rust_xlsxwriter's constant-memory mode: the estate and
# its audit are in memory for every format alike, and a workbook should cost little beyond them.
# Two peaks (bench/peak_rss.py): the run's (GNU time's figure; reading the snapshot sets it) and
# the peak while the reports are written (after the rules), which shows what a writer holds.
# Called by bench/run.sh; runs alone too:
#   bash bench/xlsx.sh [VMS]            (RUNS=N for medians of N runs, default 1)
# The estate is bench/grow_snapshot.py's (the sample's VMs copied, with disks, NICs and details,
# so every RVTools sheet has rows). Prints the figures and exits 1 when a workbook is over budget.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-100000}
BUDGET_MIB=${BUDGET_MIB:-32}
RUNS=${RUNS:-1}
cargo build --release --quiet
work=$(mktemp -d -p "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
trap 'rm -rf "$work"' EXIT
python3 bench/grow_snapshot.py "$VMS" "$work/estate.json"
zstd -q --rm "$work/estate.json" -o "$work/estate.json.zst"
: >"$work/results"
for i in $(seq 1 "$RUNS"); do
  # Round by round, every format once per round.
  for format in csv xlsx rvtools; do
    rm -rf "$work/report"
    figures=$(python3 bench/peak_rss.py target/release/vcaudit -v audit --snapshot "$work/estate.json.zst" \
      --out "$work/report" --format "$format" --fail-on never --quiet)
    echo "$format $figures $(du -sm "$work/report" | cut -f1)" >>"$work/results"
  done
done
python3 - "$work/results" "$VMS" "$BUDGET_MIB" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
vms, budget = int(sys.argv[2]), float(sys.argv[3])
fig = {}
for fmt, wall, kib, writing_kib, mib in rows:
    fig.setdefault(fmt, []).append((float(wall), int(kib) / 1024, int(writing_kib) / 1024, int(mib)))
med = {f: tuple(statistics.median(x[i] for x in v) for i in range(4)) for f, v in fig.items()}
runs = len(fig["csv"])
print(f"\nbench: spreadsheets of {vms} VMs (audit --snapshot, medians of {runs} run(s)); budget: +{budget:.0f} MiB over csv")
print(f"  {'format':<8} {'peak RSS':>9} {'writing':>9} {'wall s':>7} {'out MiB':>7}   vs csv (peak, writing)")
over = False
for f in ("csv", "xlsx", "rvtools"):
    wall, rss, writing, size = med[f]
    line = f"  {f:<8} {rss:9.1f} {writing:9.1f} {wall:7.2f} {size:7d}"
    if f != "csv":
        d, dw = rss - med["csv"][1], writing - med["csv"][2]
        ok = d <= budget and dw <= budget
        over |= not ok
        line += f"   {d:+.1f}, {dw:+.1f} MiB: {'within budget' if ok else 'OVER BUDGET'}"
    print(line)
sys.exit(1 if over else 0)
PY

#!/usr/bin/env bash
# The HTML report at scale: how long report.html of an estate of VMS VMs (default 100000) takes
# to write, open and filter in headless chromium. Nothing here is a pass/fail test: the figures
# are printed for people to read. Called by bench/run.sh; runs alone too:
#   bash bench/html.sh [VMS]
# The estate is the sample snapshot's VMs copied with new names, morefs and UUIDs until there
# are VMS of them (bench/grow_snapshot.py: readiness and findings have the sample's mix); it
# needs what `bash tests/run.sh` installs (chromium, playwright-core in tests/browser).
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-100000}
cargo build --release --quiet
[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/grow_snapshot.py "$VMS" "$work/estate.json"
start=$(date +%s.%N)
target/release/vcaudit audit --snapshot "$work/estate.json" --out "$work/report" --format html --fail-on never --quiet
write=$(python3 -c "import sys,time; print(f'{time.time()-float(sys.argv[1]):.2f}')" "$start")
size=$(du -m "$work/report/report.html" | cut -f1)
node tests/browser/check.mjs "$work/report/report.html" --scroll \
  --filters '[{"readiness":"not-ready"},{"rule":"guest-os"},{"search":"ams-sql"},{"search":"zzz-no-such-vm"}]' \
  >"$work/seen.json"
python3 - "$work/seen.json" "$VMS" "$write" "$size" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
vms, write, size = sys.argv[2], sys.argv[3], sys.argv[4]
print(f"\nbench: report.html of {vms} VMs: {size} MiB, written in {write} s (audit of the snapshot included)")
print(f"  open in chromium (load, parse the data, draw the page): {s['load_ms']} ms")
for f in s["filters"]:
    print(f"  filter {json.dumps(f['filter'])}: {f['count']} VMs in {f['ms']} ms (includes the test driver's round trips)")
print(f"  scroll to the middle: {s['scroll_rows']} rows in the page, {s['scroll_ms']} ms")
print(f"  rows in the page at any time: {s['rendered_rows']} of {s['total']} (virtualised)")
if s["console_errors"] or s["requests"]:
    print("  PROBLEM: console errors or requests:", s["console_errors"], s["requests"])
PY

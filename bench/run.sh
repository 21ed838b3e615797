#!/usr/bin/env bash
# The benchmark: vcaudit against its baseline, in the same run, on the same simulated estate.
#
#   bash bench/run.sh [VMS] [RUNS]      (default 10000 VMs, 3 runs each)
#
# It starts the project's vcsim scenario with a `scale` estate of VMS virtual machines, then runs
# alternately (a) the baseline, a govmomi client doing the same VM retrieval as govc-based tools
# (bench/govmomi-baseline), and (b) `vcaudit audit`, which collects everything (all object types,
# events), audits it and writes every report. For each it prints wall time and peak memory
# (GNU time's maximum resident set size), best and median of RUNS. Nothing here is a pass/fail
# test: the figures are printed for people to read, with the baseline from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-10000}
RUNS=${2:-3}
command -v /usr/bin/time >/dev/null || { echo "bench: installing GNU time"; apt-get update -qq; apt-get install -y -qq time >/dev/null; }

cargo build --release --quiet
export GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$PWD/target/gocache"
mkdir -p target/bench target/vcsim-scenario
go build -o target/vcsim-scenario/vcsim-scenario ./tests/vcsim
go build -o target/bench/govmomi-baseline ./bench/govmomi-baseline

work=$(mktemp -d)
trap 'exec 3>&-; kill $sim_pid 2>/dev/null || true; rm -rf "$work"' EXIT
export VCSIM_PASSWORD=bench-pass VCAUDIT_PASSWORD=bench-pass
mkfifo "$work/stdin"
target/vcsim-scenario/vcsim-scenario -scenario scale -vms "$VMS" -user bench <"$work/stdin" >"$work/ready" 2>"$work/sim.log" &
sim_pid=$!
exec 3>"$work/stdin"   # keeps the simulator's stdin open until the end
echo "bench: starting a simulated estate of $VMS VMs..."
for _ in $(seq 1 600); do [ -s "$work/ready" ] && break; sleep 0.5; done
[ -s "$work/ready" ] || { echo "bench: the simulator did not start"; cat "$work/sim.log"; exit 1; }
server=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["server"])' "$work/ready")
ca=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ca_file"])' "$work/ready")

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { echo "bench: $name failed:"; cat "$work/err"; exit 1; }
  read -r secs kb <"$work/t"
  echo "$name $secs $kb" >>"$work/results"
}
for i in $(seq 1 "$RUNS"); do
  measure baseline target/bench/govmomi-baseline -server "$server" -user bench -out "$work/baseline.csv"
  measure vcaudit target/release/vcaudit audit --server "$server" --user bench --ca-file "$ca" --out "$work/report" --fail-on never
  measure vcaudit+xlsx target/release/vcaudit audit --server "$server" --user bench --ca-file "$ca" --out "$work/report-xlsx" --fail-on never --format csv,xlsx,rvtools
done
vms_seen=$(($(wc -l <"$work/report/vms.csv") - 1))

python3 - "$work/results" "$VMS" "$vms_seen" "$RUNS" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
vms, seen, runs = sys.argv[2], sys.argv[3], sys.argv[4]
print(f"\nbench: {vms} VMs in the estate, {seen} in vms.csv, {runs} runs each\n")
print(f"{'tool':<13} {'best s':>8} {'median s':>9} {'best MiB':>9} {'median MiB':>11}")
res = {}
for name in ("baseline", "vcaudit", "vcaudit+xlsx"):
    t = [float(r[1]) for r in rows if r[0] == name]
    m = [int(r[2]) / 1024 for r in rows if r[0] == name]
    res[name] = (min(t), statistics.median(t), min(m), statistics.median(m))
    print(f"{name:<13} {res[name][0]:>8.2f} {res[name][1]:>9.2f} {res[name][2]:>9.1f} {res[name][3]:>11.1f}")
b, v = res["baseline"], res["vcaudit"]
print(f"\nvcaudit / baseline: time x{v[1]/b[1]:.2f}, peak memory x{v[3]/b[3]:.2f} (medians)")
x = res["vcaudit+xlsx"]
print(f"vcaudit+xlsx / vcaudit: time x{x[1]/v[1]:.2f}, peak memory x{x[3]/v[3]:.2f} (medians)")
print("baseline = govmomi client retrieving the same VM properties into typed structs and writing a CSV;")
print("vcaudit  = full audit: every object type, events, rules, all reports.")
print("vcaudit+xlsx = the same audit also writing vcaudit.xlsx and the RVTools workbook(s).")
PY

# report.html at scale: write, open and filter times (HTML_VMS, default 100000 VMs).
bash bench/html.sh "${HTML_VMS:-100000}"

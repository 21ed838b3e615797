#!/usr/bin/env bash
# The benchmark: vcaudit beside its baselines, measured in the same run on the same estates,
# round by round (every tool once per round, so a slow moment of the machine hits all of them).
#
#   bash bench/run.sh [--runs N] [--json FILE] [--results FILE] [ESTATE...]
#
# ESTATE is KIND:VMS, default all of: vcsim:10000 vcsim:50000 paged:100000 paged:1000000
# multi:8x25000.
#   vcsim:N    the project's vcsim scenario (`scale`), N VMs; vcsim answers in one response.
#   paged:N    bench/paged-server: a synthetic vCenter that pages (maxObjects, tokens) and costs
#              little CPU, so the client is what is measured. Also times the offline audit of a
#              snapshot of it (`audit --snapshot`: read, rules, CSV + JSON).
#   multi:KxN  K paged servers of N VMs each, collected in one run (`--estate`).
# Tools, each on every estate where it makes sense:
#   floor      vcaudit's own SOAP requests (recorded by the server from vcaudit's first run)
#              replayed by curl with the answers thrown away (bench/floor.py): the server and
#              the wire, no client work. vcaudit's time is given as a ratio of it.
#   parse      examples/xml_floor.rs: the same answers (kept by one more replay) tokenized by
#              quick-xml from memory, no tree, no allocation: the least CPU any XML client
#              spends on them on top of receiving them (up to 100k VMs).
#   govmomi    bench/govmomi-baseline: a govmomi client retrieving the same VM properties into
#              typed structs and a CSV (up to 100k VMs: it holds every VM in memory).
#   pyvmomi    bench/pyvmomi_baseline.py: the same with VMware's Python SDK, installed with pip
#              into target/bench/pyvenv (up to 10k VMs: it takes minutes and GiBs beyond).
#   vcaudit    `vcaudit -v audit`: every object type, events, rules, CSV + JSON (+ XLSX, HTML
#              when this build's --format takes them); its phase timings come from its log.
#   csv+json   the same with `--format csv,json`: collect, audit, CSV and JSON, what the
#              issue's time and per-VM CPU targets measure (multi: single-cj is the single
#              vCenter's run with these formats).
#   audit-snap, diff (vcsim estates): the audit of a snapshot, and `vcaudit diff` of two
#              snapshots collected with changes planted between (the scenario's "mutate").
# Then bench/html.sh times report.html at HTML_VMS VMs (default 100000; 0 skips it), and
# bench/xlsx.sh measures the peak RSS of the XLSX and RVTools workbooks beside CSV at XLSX_VMS
# VMs (default 100000; 0 skips it), the one figure here with a budget: it exits 1 when over;
# bench/diff.sh prints a diff of a DIFF_VMS-VM snapshot (default 50000; 0 skips it) with itself
# beside one audit of it.
# Printed per estate and tool: wall and CPU seconds, peak RSS (GNU time), ratio to the floor,
# CPU microseconds per VM and each phase's share of vcaudit's wall time. Medians of N runs
# (default 3; 1 for estates over 10k VMs). Figures for people: nothing else passes or fails.
# Heavy: run it under `nice -n 19` on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=""
JSON_OUT=""
RESULTS_OUT=""
ESTATES=()
while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --json) JSON_OUT=$2; shift 2 ;;
    --results) RESULTS_OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) ESTATES+=("$1"); shift ;;
  esac
done
[ ${#ESTATES[@]} -gt 0 ] || ESTATES=(vcsim:10000 vcsim:50000 paged:100000 paged:1000000 multi:8x25000)
command -v /usr/bin/time >/dev/null || { echo "bench: installing GNU time"; apt-get update -qq; apt-get install -y -qq time >/dev/null; }
command -v curl >/dev/null || { echo "bench: installing curl"; apt-get update -qq; apt-get install -y -qq curl >/dev/null; }

cargo build --release --quiet
cargo build --release --quiet --example xml_floor
export GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$PWD/target/gocache"
mkdir -p target/bench target/vcsim-scenario
go build -o target/vcsim-scenario/vcsim-scenario ./tests/vcsim
go build -o target/bench/govmomi-baseline ./bench/govmomi-baseline
go build -o target/bench/paged-server ./bench/paged-server
if [ ! -x target/bench/pyvenv/bin/python ] || ! target/bench/pyvenv/bin/python -c 'import pyVmomi' 2>/dev/null; then
  echo "bench: installing pyVmomi into target/bench/pyvenv"
  python3 -m venv target/bench/pyvenv
  target/bench/pyvenv/bin/pip install -q pyvmomi
fi
# Reports are written to tmpfs when there is one: vcaudit fsyncs every report before renaming it
# into place, and on a disk shared with other work that wait, not the client, would dominate.
work=$(mktemp -d -p "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")")
# A copy, so that rebuilding during a long run does not change the binary being measured.
cp target/release/vcaudit "$work/vcaudit"
cp target/release/examples/xml_floor "$work/xml_floor"
VCAUDIT=$work/vcaudit
FORMATS=csv,json
for f in xlsx html; do
  if "$VCAUDIT" audit --help | grep -q "\b$f\b"; then FORMATS="$FORMATS,$f"; fi
done

pids=()
stop_servers() {
  for fd in "${fds[@]:-}"; do [ -n "$fd" ] && eval "exec $fd>&-"; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && { kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
  pids=(); fds=()
}
fds=()
trap 'stop_servers; rm -rf "$work"' EXIT
export VCSIM_PASSWORD=bench-pass VCAUDIT_PASSWORD=bench-pass
: >"$work/results"

# start_server NAME KIND VMS INSTANCE: starts a server recording its first session into
# $work/NAME.capture; sets $server and $ca.
start_server() {
  local name=$1 kind=$2 vms=$3 inst=$4 fd
  mkdir -p "$work/$name.capture"
  mkfifo "$work/$name.stdin"
  if [ "$kind" = vcsim ]; then
    nice -n 10 target/vcsim-scenario/vcsim-scenario -scenario scale -tls ca -vms "$vms" -instance "$inst" -user bench \
      -capture "$work/$name.capture" <"$work/$name.stdin" >"$work/$name.ready" 2>"$work/$name.log" &
  else
    nice -n 10 target/bench/paged-server -vms "$vms" -instance "$inst" -capture "$work/$name.capture" \
      <"$work/$name.stdin" >"$work/$name.ready" 2>"$work/$name.log" &
  fi
  pids+=($!)
  exec {fd}>"$work/$name.stdin"   # keeps the server's stdin open until stop_servers
  fds+=("$fd")
  for _ in $(seq 1 1200); do [ -s "$work/$name.ready" ] && break; sleep 0.5; done
  [ -s "$work/$name.ready" ] || { echo "bench: the $kind server did not start"; cat "$work/$name.log"; exit 1; }
  server=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["server"])' "$work/$name.ready")
  ca=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ca_file"])' "$work/$name.ready")
}

# measure ESTATE VMS TOOL command...: one timed run, appended to $work/results as JSON.
measure() {
  local estate=$1 vms=$2 tool=$3; shift 3
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >"$work/out" 2>"$work/err" \
    || { echo "bench: $tool failed on $estate:"; tail -5 "$work/err"; exit 1; }
  case $tool in govmomi|pyvmomi)
    grep -q "^$vms VMs" "$work/out" || { echo "bench: $tool did not list $vms VMs: $(cat "$work/out")"; exit 1; } ;;
  esac
  python3 - "$estate" "$vms" "$tool" "$work/t" "$work/err" >>"$work/results" <<'PY'
import json, re, sys
estate, vms, tool, tfile, errfile = sys.argv[1:6]
wall, user, sys_, kb = open(tfile).read().split()[-4:]
phases = {}
for m in re.finditer(r"phase (\w+): ([0-9.]+) s", open(errfile, errors="replace").read()):
    phases[m.group(1)] = phases.get(m.group(1), 0) + float(m.group(2))
print(json.dumps({"estate": estate, "vms": int(vms), "tool": tool, "wall": float(wall),
                  "cpu": float(user) + float(sys_), "rss_mib": int(kb) / 1024, "phases": phases}))
PY
  printf '  %-16s %-8s %7.2f s\n' "$estate" "$tool" "$(tail -1 "$work/results" | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall"])')"
}

vcaudit_single() { # OUT
  "$VCAUDIT" -v audit --server "$server" --user bench --ca-file "$ca" --out "$1" --format "$FORMATS" --fail-on never
}

for estate in "${ESTATES[@]}"; do
  kind=${estate%%:*}; size=${estate#*:}
  runs=$RUNS
  echo "bench: $estate"
  case $kind in
    vcsim|paged)
      vms=$size
      [ -n "$runs" ] || { [ "$vms" -gt 10000 ] && runs=1 || runs=3; }
      start_server "$kind$vms" "$kind" "$vms" 1
      # The first run, not timed, records vcaudit's requests for the floor (and warms up).
      vcaudit_single "$work/report" >/dev/null 2>&1
      # The answers once more, kept for the parse floor (up to 100k VMs: ~10 KB per VM).
      if [ "$vms" -le 100000 ]; then
        mkdir -p "$work/answers"
        python3 bench/floor.py "$work/$kind$vms.capture" "https://$server/sdk" "$ca" "$work/answers" >/dev/null
      fi
      for i in $(seq 1 "$runs"); do
        measure "$estate" "$vms" floor python3 bench/floor.py "$work/$kind$vms.capture" "https://$server/sdk" "$ca"
        [ "$vms" -le 100000 ] && measure "$estate" "$vms" parse "$work/xml_floor" "$work/answers"
        [ "$vms" -le 100000 ] && measure "$estate" "$vms" govmomi target/bench/govmomi-baseline -server "$server" -user bench -out "$work/govmomi.csv"
        [ "$vms" -le 10000 ] && measure "$estate" "$vms" pyvmomi target/bench/pyvenv/bin/python bench/pyvmomi_baseline.py "$server" bench "$ca" "$work/pyvmomi.csv"
        measure "$estate" "$vms" vcaudit "$VCAUDIT" -v audit --server "$server" --user bench --ca-file "$ca" --out "$work/report" --format "$FORMATS" --fail-on never
        measure "$estate" "$vms" csv+json "$VCAUDIT" -v audit --server "$server" --user bench --ca-file "$ca" --out "$work/report-cj" --format csv,json --fail-on never
      done
      rm -rf "$work/answers"
      seen=$(($(wc -l <"$work/report/vms.csv") - 1))
      [ "$seen" -eq "$vms" ] || { echo "bench: vms.csv has $seen VMs, not $vms"; exit 1; }
      if [ "$kind" = vcsim ]; then
        # vcaudit diff: the estate collected twice with changes planted between (the scenario's
        # "mutate" command), then diffed; beside it, auditing one of the snapshots.
        "$VCAUDIT" collect --server "$server" --user bench --ca-file "$ca" --snapshot "$work/old.json.zst" >/dev/null 2>&1
        echo mutate >&"${fds[-1]}"
        # Its answer is the ready file's second line: wait for it, and stop on an error.
        for _ in $(seq 1 1200); do [ "$(wc -l <"$work/$kind$vms.ready")" -ge 2 ] && break; sleep 0.5; done
        answer=$(sed -n 2p "$work/$kind$vms.ready")
        case $answer in *'"renamed"'*) ;; *) echo "bench: mutate failed: $answer"; exit 1 ;; esac
        "$VCAUDIT" collect --server "$server" --user bench --ca-file "$ca" --snapshot "$work/new.json.zst" >/dev/null 2>&1
        for i in $(seq 1 "$runs"); do
          measure "$estate" "$vms" audit-snap "$VCAUDIT" -v audit --snapshot "$work/new.json.zst" --out "$work/report2" --fail-on never
          measure "$estate" "$vms" diff "$VCAUDIT" diff "$work/old.json.zst" "$work/new.json.zst" --out "$work/diff"
        done
        rm -f "$work/old.json.zst" "$work/new.json.zst"
      fi
      if [ "$kind" = paged ]; then
        "$VCAUDIT" collect --server "$server" --user bench --ca-file "$ca" --snapshot "$work/snap.json.zst" >/dev/null 2>&1
        stop_servers
        for i in $(seq 1 "$runs"); do
          measure "$estate" "$vms" offline "$VCAUDIT" -v audit --snapshot "$work/snap.json.zst" --out "$work/report" --format "$FORMATS" --fail-on never
        done
        rm -f "$work/snap.json.zst"
      fi
      stop_servers
      ;;
    multi)
      count=${size%%x*}; per=${size#*x}; vms=$((count * per))
      [ -n "$runs" ] || runs=1
      : >"$work/estate.toml"
      for n in $(seq 1 "$count"); do
        start_server "multi$n" paged "$per" "$n"
        printf '[[vcenter]]\nserver = "%s"\nuser = "bench"\npassword_env = "VCAUDIT_PASSWORD"\nca_file = "%s"\n\n' "$server" "$ca" >>"$work/estate.toml"
        echo "$server $ca" >>"$work/multi.servers"
      done
      "$VCAUDIT" audit --estate "$work/estate.toml" --out "$work/report" --format "$FORMATS" --fail-on never >/dev/null 2>&1
      read -r one_server one_ca <"$work/multi.servers"
      for i in $(seq 1 "$runs"); do
        floor_all=""
        for n in $(seq 1 "$count"); do
          read -r s c < <(sed -n "${n}p" "$work/multi.servers")
          floor_all="$floor_all python3 bench/floor.py $work/multi$n.capture https://$s/sdk $c & "
        done
        measure "$estate" "$vms" floor bash -c "$floor_all wait"
        measure "$estate" "$per" single "$VCAUDIT" -v audit --server "$one_server" --user bench --ca-file "$one_ca" --out "$work/report1" --format "$FORMATS" --fail-on never
        measure "$estate" "$vms" vcaudit "$VCAUDIT" -v audit --estate "$work/estate.toml" --out "$work/report" --format "$FORMATS" --fail-on never
        measure "$estate" "$per" single-cj "$VCAUDIT" -v audit --server "$one_server" --user bench --ca-file "$one_ca" --out "$work/report1" --format csv,json --fail-on never
        measure "$estate" "$vms" csv+json "$VCAUDIT" -v audit --estate "$work/estate.toml" --out "$work/report" --format csv,json --fail-on never
      done
      rm -f "$work/multi.servers"
      stop_servers
      ;;
    *) echo "bench: unknown estate $estate (vcsim:N, paged:N or multi:KxN)"; exit 2 ;;
  esac
done

python3 bench/report.py "$work/results" "$FORMATS" "$JSON_OUT" "$RESULTS_OUT"

# report.html at scale: write, open and filter times (HTML_VMS, default 100000 VMs; 0: skip).
[ "${HTML_VMS:-100000}" = 0 ] || bash bench/html.sh "${HTML_VMS:-100000}"

# A diff of a snapshot with itself beside one audit of it (DIFF_VMS, default 50000 VMs; 0: skip).
[ "${DIFF_VMS:-50000}" = 0 ] || bash bench/diff.sh "${DIFF_VMS:-50000}"

# The workbooks' peak memory beside CSV's (XLSX_VMS, default 100000 VMs; 0: skip).
[ "${XLSX_VMS:-100000}" = 0 ] || bash bench/xlsx.sh "${XLSX_VMS:-100000}"

#!/usr/bin/env bash
# Regenerates samples/demo-estate.json.zst and samples/demo-report/ from the project's own vcsim
# scenario (two demo vCenters) through `vcaudit collect`, then audits the snapshot.
#   bash samples/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
export GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$PWD/target/gocache"
mkdir -p target/vcsim-scenario
go build -o target/vcsim-scenario/vcsim-scenario ./tests/vcsim
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
export VCSIM_PASSWORD=demo-pass VCAUDIT_PASSWORD=demo-pass
for i in 1 2; do
  mkfifo "$work/in$i"
  target/vcsim-scenario/vcsim-scenario -scenario demo -instance "$i" -user demo <"$work/in$i" >"$work/ready$i" &
  pids+=($!)
  exec {fd}>"$work/in$i"
  for _ in $(seq 1 120); do [ -s "$work/ready$i" ] && break; sleep 0.5; done
done
{
  for i in 1 2; do
    python3 - "$work/ready$i" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f'[[vcenter]]\nserver = "{r["server"]}"\nuser = "demo"\nthumbprint = "{r["thumbprint"]}"\n')
PY
  done
} >"$work/estate.toml"
target/release/vcaudit collect --estate "$work/estate.toml" --snapshot samples/demo-estate.json.zst
rm -rf samples/demo-report
target/release/vcaudit audit --snapshot samples/demo-estate.json.zst --out samples/demo-report --fail-on never

#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with a 512 MB RSS limit, seeding each
# corpus from tests/fixtures/ (and samples/, profiles/), then prints per target the executions
# and the crashes (files libFuzzer left in fuzz/artifacts/TARGET/). Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`). Exit 1 when any target crashed.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(soap_envelope rpex_objects rest_json snapshot_read toml_files cli_values)
fi
root=..

seed() { # seed TARGET PREFIX-BYTE FILES...: copies files into the corpus, optionally prefixed
  local t="$1" prefix="$2"
  shift 2
  mkdir -p "corpus/$t"
  for f in "$@"; do
    [ -f "$f" ] || continue
    local out="corpus/$t/seed-${prefix:-x}-$(basename "$f")"
    if [ -n "$prefix" ]; then
      { printf "\\x$prefix"; cat "$f"; } >"$out"
    else
      cp "$f" "$out"
    fi
  done
}
seed_text() { # seed_text TARGET NAME TEXT
  mkdir -p "corpus/$1"
  printf '%s' "$3" >"corpus/$1/seed-$2"
}

xml=("$root"/tests/fixtures/soap/*.xml "$root"/tests/fixtures/realsoap/*.xml)
seed soap_envelope "" "${xml[@]}"
seed rpex_objects "" "${xml[@]}"
seed rest_json "" "$root"/tests/fixtures/rest/*.json
# Small snapshots (fuzz/seeds/snapshot_read: one VM, two vCenters, a failed vCenter, empty, too
# new, `format` late), not the whole demo estate, so the target runs thousands of inputs a second:
# plain (00), as the bytes of a .zst file (01, compressed here) and compressed by the target (02).
snap=("$root"/fuzz/seeds/snapshot_read/*.json)
seed snapshot_read 00 "${snap[@]}"
seed snapshot_read 02 "${snap[@]}"
zdir=$(mktemp -d)
for f in "${snap[@]}"; do zstd -q -19 --check "$f" -o "$zdir/$(basename "$f").zst"; done
seed snapshot_read 01 "$zdir"/*.zst
rm -rf "$zdir"
seed toml_files 01 "$root"/profiles/*.toml
seed_text toml_files estate $'\x00[[vcenter]]\nserver = "vc01.corp.example"\nuser = "svc@vsphere.local"\npassword_env = "VC01_PASSWORD"\nthumbprint = "AA:BB"\ntag = ["dr-tier:gold"]\n'
seed_text toml_files profile $'\x01extends = "asr-vmware-2017"\n[rules.disk-size]\nmax_gib = 2048\nseverity = "warning"\n'
seed_text cli_values host "vc01.corp.example"
seed_text cli_values url "https://vc01.corp.example:8443/sdk"
seed_text cli_values v6 "[fe80::1]:443"
seed_text cli_values thumb "9F:86:D0:81:88:4C:7D:65:9A:2F:EA:A0:C5:5A:D0:15:A3:BF:4F:1B:2B:0B:82:2C:D1:5D:6C:15:B0:F0:0A:08"

cargo +nightly fuzz build -O >/dev/null
total=0
failed=0
printf '%-16s %14s %8s\n' target executions crashes
for t in "${targets[@]}"; do
  mkdir -p "artifacts/$t"
  log="artifacts/$t.log"
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=512 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || true
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  execs=${execs:-0}
  crashes=$(find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)
  printf '%-16s %14s %8s\n' "$t" "$execs" "$crashes"
  total=$((total + execs))
  [ "$crashes" -eq 0 ] || failed=1
done
printf '%-16s %14s\n' total "$total"
exit "$failed"

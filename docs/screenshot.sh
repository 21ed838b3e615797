#!/usr/bin/env bash
# Regenerates docs/report.png, the README's picture of report.html: audits the sample estate
# (samples/demo-estate.json.zst) with --format html and photographs the page in headless
# chromium through tests/browser/check.mjs (needs what `bash tests/run.sh` installs).
#   bash docs/screenshot.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
target/debug/vcaudit audit --snapshot samples/demo-estate.json.zst --out "$work/report" \
  --format html --fail-on never --quiet
node tests/browser/check.mjs "$work/report/report.html" --screenshot docs/report.png >/dev/null
echo "docs/report.png updated"

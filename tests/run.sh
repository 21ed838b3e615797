#!/usr/bin/env bash
# vcaudit's test command (the README's): installs what the vcsim test estate needs when it is
# missing (Debian's golang-go and golang-github-vmware-govmomi-dev), and what the browser test of
# report.html needs (Debian's chromium and nodejs/npm, then playwright-core with `npm ci` in
# tests/browser; no browser download), builds the scenario program under tests/vcsim, and runs
# every test. Tests that need the simulator fail, never skip, when it
# cannot be built.
set -euo pipefail
cd "$(dirname "$0")/.."

GOVMOMI=/usr/share/gocode/src/github.com/vmware/govmomi/simulator
missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -d "$GOVMOMI" ] || missing+=(golang-github-vmware-govmomi-dev)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]} (Debian packages) for the vcsim test estate"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "tests/run.sh: installing playwright-core (npm ci in tests/browser) for the browser test"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "tests/run.sh: building the vcsim scenario (tests/vcsim)"
mkdir -p target/vcsim-scenario
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$PWD/target/gocache" \
  go build -o target/vcsim-scenario/vcsim-scenario.tmp ./tests/vcsim
mv target/vcsim-scenario/vcsim-scenario.tmp target/vcsim-scenario/vcsim-scenario

cargo test --all-targets "$@"

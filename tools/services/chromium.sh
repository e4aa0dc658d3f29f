#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests, which drive it through
# playwright-core (never a browser build downloaded by Playwright). Starts nothing: each test
# launches its own headless browser and closes it.
#
#   bash tools/services/chromium.sh     # as root; idempotent; exits 0 once /usr/bin/chromium runs
#
# Needs root and Debian's package archive (apt-get). PIPEWRIGHT_CHROMIUM may name another binary.
set -euo pipefail

say() { printf '[services/chromium] %s\n' "$*"; }
die() { printf '[services/chromium] error: %s\n' "$*" >&2; exit 1; }

BIN="${PIPEWRIGHT_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$BIN" ]; then
  exit 0
fi

[ "$(id -u)" = 0 ] || die "chromium is not installed and installing it needs root: sudo bash $0"
command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and there is no apt-get to install it; install Chromium and set PIPEWRIGHT_CHROMIUM to its binary"

say "installing Debian's chromium package (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || die "apt-get update failed"
apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
  || die "apt-get install chromium failed; run it by hand to see why: apt-get install --no-install-recommends chromium"

[ -x "$BIN" ] || die "apt-get installed chromium but $BIN is not there"
say "installed: $("$BIN" --version 2>/dev/null | head -n 1)"

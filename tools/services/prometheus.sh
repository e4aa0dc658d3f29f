#!/usr/bin/env bash
# Installs Debian's Prometheus server (the `prometheus` and `promtool` binaries) for the tests that
# evaluate PromQL against a real server (plugins/monitoring). Starts nothing: each test file spawns
# its own server on a free 127.0.0.1 port with a temporary config and data directory, and stops it.
#
#   bash tools/services/prometheus.sh     # as root; idempotent; exits 0 once prometheus is on PATH
#
# Needs root and Debian's package archive (apt-get). Never relies on systemd: the package's
# postinst does not start anything here (policy-rc.d), and nothing here tries to.
set -euo pipefail

say() { printf '[services/prometheus] %s\n' "$*"; }
die() { printf '[services/prometheus] error: %s\n' "$*" >&2; exit 1; }

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; then
  exit 0
fi

[ "$(id -u)" = 0 ] || die "prometheus is not installed and installing it needs root: sudo bash $0"
command -v apt-get >/dev/null 2>&1 || die "prometheus is not installed and there is no apt-get to install it; install Prometheus 2.x so that 'prometheus' and 'promtool' are on PATH"

say "installing Debian's prometheus package (apt-get)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || die "apt-get update failed"
apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 \
  || die "apt-get install prometheus failed; run it by hand to see why: apt-get install --no-install-recommends prometheus"

command -v prometheus >/dev/null 2>&1 || die "apt-get installed prometheus but it is not on PATH"
say "installed: $(prometheus --version 2>&1 | head -n 1)"

#!/usr/bin/env bash
# Installs every service binary the test suites start by themselves (Prometheus, Chromium), and
# makes sure the shared services they connect to (PostgreSQL, Redis on 127.0.0.1) are installed and running.
# Idempotent and quiet; exits non-zero, naming the part, if one cannot be installed.
#
#   bash tools/services/up.sh             # as root, before the tests (CI runs it)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for part in prometheus chromium postgres redis; do
  bash "$HERE/$part.sh" || { printf '[services] error: %s failed\n' "$part" >&2; exit 1; }
done

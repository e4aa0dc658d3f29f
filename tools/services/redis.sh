#!/usr/bin/env bash
# Makes sure Redis answers on 127.0.0.1:${REDIS_PORT:-6379} (the executor-bullmq tests and
# benchmarks): nothing to do when it already does; otherwise installs Debian's redis-server if
# missing and starts it as a daemon bound to 127.0.0.1 only, without persistence — no systemd.
#
#   bash tools/services/redis.sh       # as root; idempotent
#   REDIS_PORT=6389 REDIS_DIR=/tmp/redis bash tools/services/redis.sh
set -euo pipefail

PORT="${REDIS_PORT:-6379}"
DIR="${REDIS_DIR:-/var/lib/pipewright-ci/redis}"
say() { printf '[services/redis] %s\n' "$*"; }
die() { printf '[services/redis] error: %s\n' "$*" >&2; exit 1; }
ready() { command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = PONG ]; }

ready && exit 0
if ! command -v redis-server >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "Redis is not installed and installing it needs root: sudo bash $0"
  command -v apt-get >/dev/null 2>&1 || die "Redis is not installed and there is no apt-get; install redis-server 7"
  say "installing Debian's redis-server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null 2>&1 \
    || die "apt-get install redis-server failed; run it by hand to see why: apt-get install --no-install-recommends redis-server"
fi

mkdir -p "$DIR"
redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" --dir "$DIR" --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --save '' --appendonly no \
  || die "redis-server did not start; see $DIR/redis.log"
for _ in $(seq 1 50); do ready && break; sleep 0.1; done
ready || die "redis-server started but does not answer on 127.0.0.1:$PORT; see $DIR/redis.log"
say "started Redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//') on 127.0.0.1:$PORT (stop: redis-cli -p $PORT shutdown nosave)"

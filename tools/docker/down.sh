#!/usr/bin/env bash
# Stops what tools/docker/up.sh started: containers, dockerd, both registries; then unmounts
# what dockerd left behind (deepest first) and removes the temp dir and the state.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$HERE/.state"
ENV_FILE="$STATE/env"

say() { printf '[docker-down] %s\n' "$*"; }

if [ ! -f "$ENV_FILE" ] && [ ! -d "$STATE" ]; then
  say "nothing to stop (no $ENV_FILE)"
  exit 0
fi

DOCKER_HOST="" PIPEWRIGHT_DOCKER_DIR=""
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  set -a; . "$ENV_FILE"; set +a
fi
# The dir is known even when up.sh died before writing the env file: dockerd's socket path.
if [ -z "$PIPEWRIGHT_DOCKER_DIR" ] && [ -f "$STATE/dockerd.pid" ]; then
  sock_arg="$(tr '\0' '\n' <"/proc/$(cat "$STATE/dockerd.pid")/cmdline" 2>/dev/null | grep -m1 '^unix://' || true)"
  [ -n "$sock_arg" ] && PIPEWRIGHT_DOCKER_DIR="$(dirname "${sock_arg#unix://}")"
fi

stop_pid() {
  local name="$1" file="$2" pid
  pid="$(cat "$file" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name ($pid) ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    say "stopped $name ($pid)"
  fi
}

dockerd_pid="$(cat "$STATE/dockerd.pid" 2>/dev/null || true)"
if [ -n "$DOCKER_HOST" ] && [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2>/dev/null; then
  ids="$(docker -H "$DOCKER_HOST" ps -aq 2>/dev/null || true)"
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    docker -H "$DOCKER_HOST" rm -f $ids >/dev/null 2>&1 || true
    say "removed $(echo "$ids" | wc -l) container(s)"
  fi
fi

stop_pid dockerd "$STATE/dockerd.pid"
stop_pid registry "$STATE/registry.pid"
stop_pid registry-auth "$STATE/registry-auth.pid"

if [ -n "$PIPEWRIGHT_DOCKER_DIR" ] && [ -d "$PIPEWRIGHT_DOCKER_DIR" ]; then
  # Deepest mount first, so parents unmount cleanly.
  awk -v p="$PIPEWRIGHT_DOCKER_DIR/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null && say "unmounted $m"
  done
  rm -rf "$PIPEWRIGHT_DOCKER_DIR"
  say "removed $PIPEWRIGHT_DOCKER_DIR"
fi
rm -rf "$STATE"
say "done"

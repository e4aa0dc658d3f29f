#!/usr/bin/env bash
# Starts a private Docker engine (dockerd, API 1.41) and two CNCF registries on 127.0.0.1 for
# Pipewright's docker plugin tests and for trying the plugin on a machine without Docker.
#
#   bash tools/docker/up.sh        # start (idempotent: a running setup is reused)
#   source tools/docker/.state/env # DOCKER_HOST, PIPEWRIGHT_TEST_REGISTRY, ...
#   bash tools/docker/down.sh      # stop and remove everything
#
# Nothing here creates bridge networks, publishes ports or pulls from the internet: the engine
# runs with --bridge=none --iptables=false, and the only base image is `local/busybox:latest`,
# imported from Debian's static busybox. Needs root (dockerd, apt-get).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="$HERE/.state"
ENV_FILE="$STATE/env"
REGISTRY_PORT="${PIPEWRIGHT_REGISTRY_PORT:-5000}"
AUTH_REGISTRY_PORT="${PIPEWRIGHT_AUTH_REGISTRY_PORT:-5001}"
REGISTRY_USER=pipewright
BASE_IMAGE=local/busybox:latest
NODE_IMAGE=local/node:20

say() { printf '[docker-up] %s\n' "$*"; }
die() { printf '[docker-up] error: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true; }
answers() { [ "$(http_status "$1")" = "$2" ]; }

# Polls a command until it succeeds; `what` names the thing in the failure message.
wait_for() {
  local what="$1" tries="$2"; shift 2
  for ((i = 0; i < tries; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  return 1
}

# --- already up? -----------------------------------------------------------------------------
if [ -f "$ENV_FILE" ]; then
  # shellcheck disable=SC1090
  set -a; . "$ENV_FILE"; set +a
  if pid_alive "$(cat "$PIPEWRIGHT_DOCKERD_PIDFILE" 2>/dev/null)" \
    && pid_alive "$(cat "$PIPEWRIGHT_REGISTRY_PIDFILE" 2>/dev/null)" \
    && pid_alive "$(cat "$PIPEWRIGHT_AUTH_REGISTRY_PIDFILE" 2>/dev/null)" \
    && answers "http://$PIPEWRIGHT_TEST_REGISTRY/v2/" 200 \
    && answers "http://$PIPEWRIGHT_TEST_AUTH_REGISTRY/v2/" 401 \
    && docker -H "$DOCKER_HOST" image inspect "$BASE_IMAGE" >/dev/null 2>&1 \
    && docker -H "$DOCKER_HOST" image inspect "$NODE_IMAGE" >/dev/null 2>&1; then
    say "already running ($DOCKER_HOST); env in $ENV_FILE"
    exit 0
  fi
  say "stale state found; tearing it down first"
  bash "$HERE/down.sh"
fi

[ "$(id -u)" = 0 ] || die "must run as root (dockerd and apt-get need it); try: sudo bash $0"

# --- install what is missing -----------------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
[ -x /bin/busybox ] || missing+=(busybox-static)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # All four are named so apt keeps them consistent with each other.
  apt-get install -y -qq --no-install-recommends docker.io docker-registry skopeo busybox-static >/dev/null
fi
command -v docker >/dev/null || die "no docker CLI after install"

for port in "$REGISTRY_PORT" "$AUTH_REGISTRY_PORT"; do
  if ss -ltnH "( sport = :$port )" | grep -q .; then
    die "127.0.0.1:$port is already in use by another process; free it or set PIPEWRIGHT_REGISTRY_PORT / PIPEWRIGHT_AUTH_REGISTRY_PORT"
  fi
done

# A half-started setup is torn down, so the next run starts clean.
started=no
trap '[ "$started" = yes ] || { say "failed; cleaning up"; bash "$HERE/down.sh" >/dev/null 2>&1; }' EXIT

# --- engine ----------------------------------------------------------------------------------
# Short path: the socket path must stay under 108 bytes.
DIR="$(mktemp -d /tmp/pwd.XXXXXX)"
mkdir -p "$STATE"
SOCK="$DIR/docker.sock"
export DOCKER_HOST="unix://$SOCK"

start_dockerd() {
  local driver="$1"
  setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver="$driver" \
    --host "$DOCKER_HOST" --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    </dev/null >"$DIR/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.pid"
  wait_for dockerd 150 docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1
}

say "starting dockerd in $DIR"
if ! start_dockerd overlay2; then
  say "overlay2 failed (see $DIR/dockerd.log); retrying with vfs"
  kill -TERM "$(cat "$STATE/dockerd.pid")" 2>/dev/null || true
  wait_for "dockerd exit" 100 bash -c "! kill -0 $(cat "$STATE/dockerd.pid") 2>/dev/null" || true
  # After a failed start the data-root must not be reused.
  rm -rf "$DIR/data" "$DIR/exec"
  start_dockerd vfs || die "dockerd did not answer; log: $DIR/dockerd.log"
fi
say "engine up: API $(docker version --format '{{.Server.APIVersion}}')"

# --- base images -----------------------------------------------------------------------------
# Nothing can be pulled here: images are imported from root filesystems made on this machine.

# A busybox root filesystem in $1 (applets, /etc/passwd and /etc/group with the given extra users).
make_busybox_rootfs() {
  local root="$1" extra_passwd="${2:-}" extra_group="${3:-}"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/proc" "$root/sys" "$root/dev"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n%bnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' "$extra_passwd" >"$root/etc/passwd"
  printf 'root:x:0:\n%bnogroup:x:65534:\n' "$extra_group" >"$root/etc/group"
}

say "importing $BASE_IMAGE from /bin/busybox"
ROOTFS="$DIR/rootfs"
make_busybox_rootfs "$ROOTFS"
tar -C "$ROOTFS" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - "$BASE_IMAGE" >/dev/null
rm -rf "$ROOTFS"

# A Node image for Node services (the example pipeline): busybox, this machine's node binary and
# the shared libraries it links (ldd).
NODE_BIN="$(command -v node)"
say "importing $NODE_IMAGE from $NODE_BIN"
ROOTFS="$DIR/rootfs-node"
make_busybox_rootfs "$ROOTFS" 'node:x:1000:1000:node:/tmp:/bin/sh\n' 'node:x:1000:\n'
mkdir -p "$ROOTFS/usr/local/bin"
cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
for lib in $(ldd "$NODE_BIN" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }'); do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
tar -C "$ROOTFS" -c . | docker import -c 'CMD ["node"]' -c 'ENV PATH=/usr/local/bin:/bin' - "$NODE_IMAGE" >/dev/null
rm -rf "$ROOTFS"
docker run --rm --network none "$NODE_IMAGE" node -e 'process.exit(0)' || die "$NODE_IMAGE does not run node"

# --- registries ------------------------------------------------------------------------------
PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
HTPASSWD="$DIR/htpasswd"
BCRYPTJS="$(cd "$REPO/plugins/docker" && node -e "process.stdout.write(require.resolve('bcryptjs'))" 2>/dev/null || true)"
if [ -n "$BCRYPTJS" ]; then
  # The password goes through the environment, never argv (visible in ps).
  HASH="$(PW_PASSWORD="$PASSWORD" node -e "const b=require(process.argv[1]);process.stdout.write(b.hashSync(process.env.PW_PASSWORD,8))" "$BCRYPTJS")"
else
  HASH="$(PW_PASSWORD="$PASSWORD" python3 -c "import crypt,os;print(crypt.crypt(os.environ['PW_PASSWORD'],crypt.mksalt(crypt.METHOD_BLOWFISH,rounds=256)),end='')")" \
    || die "cannot make a bcrypt hash: run pnpm install (bcryptjs) first"
fi
printf '%s:%s\n' "$REGISTRY_USER" "$HASH" >"$HTPASSWD"
chmod 600 "$HTPASSWD"

write_registry_config() {
  local file="$1" port="$2" auth="$3"
  mkdir -p "$DIR/registry-$port"
  {
    echo 'version: 0.1'
    echo 'log: {level: warn, accesslog: {disabled: true}}'
    echo "storage: {filesystem: {rootdirectory: $DIR/registry-$port}, delete: {enabled: true}}"
    echo "http: {addr: \"127.0.0.1:$port\", secret: $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
    [ "$auth" = yes ] && echo "auth: {htpasswd: {realm: pipewright-test, path: $HTPASSWD}}"
    true
  } >"$file"
}

start_registry() {
  local name="$1" port="$2" auth="$3" expect="$4"
  write_registry_config "$DIR/$name.yml" "$port" "$auth"
  setsid docker-registry serve "$DIR/$name.yml" </dev/null >"$DIR/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  wait_for "$name" 100 answers "http://127.0.0.1:$port/v2/" "$expect" \
    || die "$name on 127.0.0.1:$port did not answer $expect; log: $DIR/$name.log"
  say "$name up on 127.0.0.1:$port"
}

start_registry registry "$REGISTRY_PORT" no 200
start_registry registry-auth "$AUTH_REGISTRY_PORT" yes 401

# --- state -----------------------------------------------------------------------------------
umask 077
cat >"$ENV_FILE" <<EOF
DOCKER_HOST=$DOCKER_HOST
PIPEWRIGHT_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT
PIPEWRIGHT_TEST_AUTH_REGISTRY=127.0.0.1:$AUTH_REGISTRY_PORT
PIPEWRIGHT_TEST_REGISTRY_USER=$REGISTRY_USER
PIPEWRIGHT_TEST_REGISTRY_PASSWORD=$PASSWORD
PIPEWRIGHT_DOCKER_DIR=$DIR
PIPEWRIGHT_DOCKERD_PIDFILE=$STATE/dockerd.pid
PIPEWRIGHT_REGISTRY_PIDFILE=$STATE/registry.pid
PIPEWRIGHT_AUTH_REGISTRY_PIDFILE=$STATE/registry-auth.pid
EOF
started=yes
say "ready; env written to $ENV_FILE (source it, or tests read it themselves)"

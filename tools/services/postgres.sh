#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:${PG_PORT:-5432} with trust auth for the user
# postgres (the store-postgres and executor-bullmq tests): nothing to do when it already does;
# otherwise installs Debian's postgresql-15 if missing, creates a trust-auth cluster of its own
# (not Debian's main cluster, whose pg_hba asks for passwords) and starts it — without systemd.
#
#   bash tools/services/postgres.sh     # as root; idempotent
#   PG_PORT=5439 PG_DATA=/tmp/pg bash tools/services/postgres.sh   # another port / data directory
set -euo pipefail

PORT="${PG_PORT:-5432}"
DATA="${PG_DATA:-/var/lib/pipewright-ci/postgres}"
BIN=/usr/lib/postgresql/15/bin
say() { printf '[services/postgres] %s\n' "$*"; }
die() { printf '[services/postgres] error: %s\n' "$*" >&2; exit 1; }
ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p "$PORT" -t 1; }

ready && exit 0
[ "$(id -u)" = 0 ] || die "PostgreSQL is not answering on 127.0.0.1:$PORT and starting it needs root: sudo bash $0"

if [ ! -x "$BIN/postgres" ]; then
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL 15 is not installed and there is no apt-get; install it so that $BIN/postgres exists"
  say "installing Debian's postgresql-15 (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends postgresql-15 postgresql-client-15 >/dev/null 2>&1 \
    || die "apt-get install postgresql-15 failed; run it by hand to see why: apt-get install --no-install-recommends postgresql-15"
fi

# initdb refuses to run as root: the cluster belongs to the postgres user the package created.
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA" && chown postgres: "$DATA" && chmod 700 "$DATA"
  su postgres -s /bin/sh -c "$BIN/initdb -D '$DATA' -U postgres --auth=trust -E UTF8 --no-sync >/dev/null" || die "initdb of $DATA failed"
fi
mkdir -p "$DATA/run" && chown postgres: "$DATA/run"
su postgres -s /bin/sh -c "$BIN/pg_ctl -D '$DATA' -l '$DATA/postgres.log' -w -t 30 -o \"-p $PORT -c listen_addresses=127.0.0.1 -k $DATA/run\" start >/dev/null" \
  || die "PostgreSQL did not start; see $DATA/postgres.log"
ready || die "PostgreSQL started but does not answer on 127.0.0.1:$PORT; see $DATA/postgres.log"
say "started PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data $DATA; stop: su postgres -c '$BIN/pg_ctl -D $DATA stop')"

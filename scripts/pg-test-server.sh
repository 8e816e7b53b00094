#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster on loopback for the store and web tests, and print its URL:
#
#   export JIXIAO_TEST_PG_URL="$(scripts/pg-test-server.sh)"      # start, print postgresql+psycopg://…
#   scripts/pg-test-server.sh stop                                 # stop it and delete its files
#
# Uses Debian's binaries (/usr/lib/postgresql/15/bin, override with PG_BIN). The cluster lives in a temp
# folder, listens only on 127.0.0.1 on a free port, trusts local connections (it holds test data only)
# and is owned by the "postgres" user when run as root (initdb refuses to run as root).
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
STATE_DIR="${TMPDIR:-/tmp}/jixiao-pg-test"
STATE="$STATE_DIR/current"

as_owner() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [ -f "$STATE" ]; then
    dir="$(cat "$STATE")"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    rm -f "$STATE"
    echo "stopped test PostgreSQL in $dir" >&2
  fi
}

if [ "${1:-start}" = "stop" ]; then
  stop
  exit 0
fi

if [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL binaries not found in $PG_BIN (apt-get install postgresql-15, or set PG_BIN)" >&2
  exit 1
fi

# A previous cluster left running is replaced, so repeated CI runs do not pile up servers.
stop

mkdir -p "$STATE_DIR"
dir="$(mktemp -d "$STATE_DIR/cluster.XXXXXX")"
chmod 755 "$dir"
if [ "$(id -u)" = "0" ]; then
  chown postgres: "$dir"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
as_owner "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres jixiao_test

echo "$dir" >"$STATE"
echo "test PostgreSQL running in $dir on 127.0.0.1:$port (stop: $0 stop)" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$port/jixiao_test"

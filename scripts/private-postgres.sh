#!/usr/bin/env bash
# A private PostgreSQL cluster for development, tests and benchmarks, used when DATABASE_URL is
# unset. It lives in the git-ignored .pg/ folder and listens only on a Unix socket of its own,
# so it can never collide with a system server on 5432.
#
#   scripts/private-postgres.sh start   # init if needed, start, print nothing
#   scripts/private-postgres.sh url     # print the DATABASE_URL of the `stockroom` database
#   scripts/private-postgres.sh stop
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${STOCKROOM_PG_PORT:-54329}"
state="$root/.pg"
# A Unix socket path must stay under ~107 bytes; deep checkouts fall back to /tmp.
if [ ${#state} -gt 70 ]; then
  state="/tmp/stockroom-pg-$(printf '%s' "$root" | sha1sum | cut -c1-12)"
fi
data="$state/data"
sock="$state/run"

find_bin_dir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

ensure_binaries() {
  bin="$(find_bin_dir || true)"
  if [ -z "$bin" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "PostgreSQL binaries not found; installing them with apt-get (postgresql, postgresql-contrib)…" >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql postgresql-contrib >&2 \
        || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql postgresql-contrib >&2; }
      bin="$(find_bin_dir || true)"
    fi
  fi
  if [ -z "$bin" ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl) were not found." >&2
    echo "Install them with:   sudo apt-get install -y postgresql postgresql-contrib" >&2
    echo "or set DATABASE_URL to a PostgreSQL database you own." >&2
    exit 1
  fi
}

# initdb and postgres refuse to run as root: run them as the `postgres` user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  ensure_binaries
  mkdir -p "$state"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$state"
    if ! runuser -u postgres -- test -w "$state"; then
      echo "The postgres user cannot reach $state (a parent folder is private)." >&2
      echo "Set DATABASE_URL, or clone the project somewhere other users can read." >&2
      exit 1
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner mkdir -p "$data" "$sock"
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$state/initdb.log" 2>&1 \
      || { cat "$state/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$sock'
max_connections = 500
shared_buffers = 256MB
fsync = on
synchronous_commit = on
log_min_messages = warning
CONF
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 start >/dev/null \
      || { tail -n 30 "$state/server.log" >&2; exit 1; }
  fi
  if ! "$bin/psql" -h "$sock" -p "$port" -U postgres -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = 'stockroom'" | grep -q 1; then
    "$bin/createdb" -h "$sock" -p "$port" -U postgres stockroom
  fi
}

stop() {
  ensure_binaries
  if [ -f "$data/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
  fi
}

url() {
  echo "postgres://postgres@localhost/stockroom?host=$sock&port=$port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  bin) ensure_binaries; echo "$bin" ;;
  *) echo "usage: $0 start|stop|url|bin" >&2; exit 2 ;;
esac

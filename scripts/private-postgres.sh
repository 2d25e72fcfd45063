#!/usr/bin/env bash
# A private PostgreSQL cluster for development, tests and benchmarks, used when DATABASE_URL is
# unset. It listens only on a Unix socket of its own (no TCP), so it never collides with a system
# server on 5432, nor with the private cluster of another checkout on the same port.
#
#   scripts/private-postgres.sh start   # install binaries if needed, init if needed, start
#   scripts/private-postgres.sh url     # print the DATABASE_URL of the `stockroom` database
#   scripts/private-postgres.sh stop
#   scripts/private-postgres.sh bin     # print the folder of the PostgreSQL binaries (installs them as root)
#   scripts/private-postgres.sh dir     # print the folder that holds the cluster
#
# Where the cluster lives (one per checkout, keyed by the checkout's path):
# - a normal user: the checkout's git-ignored .pg/ folder, or /tmp/stockroom-pg-<key> when the
#   checkout's path is too long for a Unix socket path;
# - root: initdb and postgres refuse to run as root, so the cluster belongs to the `postgres` user
#   and lives in /var/tmp/stockroom-pg-<key>, which that user can reach wherever the checkout is
#   (a clone under /root is private to root). A cluster an earlier version of this script made in
#   the checkout's .pg/ is still used.
# <key> is the first 12 hex digits of the SHA-1 of the checkout's physical path.
#
# STOCKROOM_PG_PORT (default 54329) only names the socket file (.s.PGSQL.<port>): clusters of two
# checkouts may use the same port.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
port="${STOCKROOM_PG_PORT:-54329}"
key="$(printf '%s' "$root" | sha1sum | cut -c1-12)"
is_root() { [ "$(id -u)" = 0 ]; }

if is_root; then
  if [ -f "$root/.pg/data/PG_VERSION" ]; then
    state="$root/.pg"
  else
    state="/var/tmp/stockroom-pg-$key"
  fi
else
  state="$root/.pg"
  # A Unix socket path must stay under ~107 bytes; deep checkouts fall back to /tmp.
  if [ ${#state} -gt 70 ]; then
    state="/tmp/stockroom-pg-$key"
  fi
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
    if is_root && command -v apt-get >/dev/null 2>&1; then
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
  if is_root && ! id -u postgres >/dev/null 2>&1; then
    echo "Running as root, the private cluster needs the \`postgres\` user (the postgresql package creates it)." >&2
    echo "Create it with:   useradd --system --home-dir /var/lib/postgresql postgres" >&2
    echo "or run as a normal user, or set DATABASE_URL." >&2
    exit 1
  fi
}

# initdb and postgres refuse to run as root: run them as the `postgres` user then.
as_owner() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Creates the state folder, or checks that an existing one is a real folder of the expected owner
# (a shared /tmp or /var/tmp folder could have been made by someone else).
prepare_state() {
  local owner
  if is_root; then owner="$(id -u postgres)"; else owner="$(id -u)"; fi
  if [ ! -e "$state" ] && [ ! -L "$state" ]; then
    if [ "$state" = "$root/.pg" ]; then
      mkdir -p "$state"
    else
      mkdir -m 700 "$state"
    fi
    is_root && chown postgres: "$state"
  fi
  if [ -L "$state" ] || [ ! -d "$state" ]; then
    echo "$state is not a folder; remove it or set DATABASE_URL." >&2
    exit 1
  fi
  if [ "$(stat -c %u "$state")" != "$owner" ]; then
    if is_root && [ "$state" = "$root/.pg" ]; then
      chown postgres: "$state"
    else
      echo "$state belongs to $(stat -c %U "$state"), not $(id -un "$owner" 2>/dev/null || echo "uid $owner"); remove it or set DATABASE_URL." >&2
      exit 1
    fi
  fi
  if ! as_owner test -w "$state"; then
    echo "The postgres user cannot reach $state (a parent folder is private)." >&2
    echo "Remove $state to let this script use /var/tmp, or set DATABASE_URL." >&2
    exit 1
  fi
}

start() {
  ensure_binaries
  prepare_state
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner mkdir -p "$data" "$sock"
    as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$state/initdb.log" 2>&1 \
      || { cat "$state/initdb.log" >&2; exit 1; }
    as_owner tee -a "$data/postgresql.conf" >/dev/null <<CONF
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
    # The port given here wins over the one written at init, so STOCKROOM_PG_PORT can change.
    as_owner "$bin/pg_ctl" -D "$data" -l "$state/server.log" -o "-p $port" -w -t 60 start >/dev/null \
      || { tail -n 30 "$state/server.log" >&2; exit 1; }
  fi
  if ! "$bin/psql" -h "$sock" -p "$port" -U postgres -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = 'stockroom'" | grep -q 1; then
    "$bin/createdb" -h "$sock" -p "$port" -U postgres stockroom
  fi
}

stop() {
  if [ -f "$data/PG_VERSION" ]; then
    ensure_binaries
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
  dir) echo "$state" ;;
  *) echo "usage: $0 start|stop|url|bin|dir" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# `make fuzz`: property-based fuzzing of the running service from its own OpenAPI document, with
# schemathesis (https://schemathesis.io). The release binary gets a scratch database of its own on
# the server DATABASE_URL points at (migrated, demo data seeded, a staff account), is served on a
# free loopback port, and schemathesis runs every phase against /openapi.json — examples,
# coverage, fuzzing, and stateful (chains of calls through the document's OpenAPI links and the
# links schemathesis infers, e.g. from Location headers) — with every check, as staff, from a
# fixed seed. Any failure exits non-zero. The server and the scratch database go away at the end.
#
#   scripts/fuzz-api.sh path/to/stockroom [extra schemathesis run options…]
#
# Extra options are appended to the command line, e.g. `--include-path-regex '^/v1/orders'` to
# focus on some operations, or `--max-examples 200` for a longer run (the last one given wins).
# Knobs: STOCKROOM_FUZZ_MAX_EXAMPLES (100), STOCKROOM_FUZZ_SEED (20240601),
# STOCKROOM_FUZZ_WORKERS (1), STOCKROOM_FUZZ_REPORT_DIR (target/fuzz-api: JUnit XML, the JSON
# run report, a HAR file of every request and the server's log).
#
# schemathesis comes from PyPI (pinned below) into a virtualenv under
# ${XDG_CACHE_HOME:-~/.cache}/stockroom/; SCHEMATHESIS=/path/to/schemathesis uses another one.
set -euo pipefail

version="4.32.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"

usage() { echo "usage: $0 path/to/stockroom [schemathesis run options…]  (DATABASE_URL must be set)" >&2; exit 2; }
[ $# -ge 1 ] || usage
bin="$1"; shift
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
[ -x "$bin" ] || { echo "fuzz-api: $bin is not an executable (build it: cargo build --release --bin stockroom)" >&2; exit 1; }
[ -n "${DATABASE_URL:-}" ] || { echo "fuzz-api: DATABASE_URL is not set (make fuzz sets it, see scripts/with-database.sh)" >&2; exit 1; }

max_examples="${STOCKROOM_FUZZ_MAX_EXAMPLES:-100}"
seed="${STOCKROOM_FUZZ_SEED:-20240601}"
workers="${STOCKROOM_FUZZ_WORKERS:-1}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
report_dir="${STOCKROOM_FUZZ_REPORT_DIR:-$target_dir/fuzz-api}"
case "$report_dir" in /*) ;; *) report_dir="$PWD/$report_dir" ;; esac

ensure_schemathesis() {
  if [ -n "${SCHEMATHESIS:-}" ]; then
    schemathesis="$SCHEMATHESIS"
    return
  fi
  local cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/stockroom"
  local venv="$cache/schemathesis-$version"
  schemathesis="$venv/bin/schemathesis"
  # Installed with pip --target (no venv): its entry point finds the packages through PYTHONPATH.
  if [ -x "$schemathesis" ]; then
    [ -x "$venv/bin/python" ] || export PYTHONPATH="$venv${PYTHONPATH:+:$PYTHONPATH}"
    return
  fi
  command -v python3 >/dev/null || { echo "fuzz-api: python3 is needed to install schemathesis (sudo apt-get install -y python3-venv)" >&2; exit 1; }
  echo "fuzz-api: installing schemathesis $version into $venv…" >&2
  mkdir -p "$cache"
  rm -rf "$venv"
  if python3 -m venv "$venv" >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" >&2
  else
    # No venv module (Debian without python3-venv): pip can still install into a folder.
    rm -rf "$venv"
    python3 -m pip install --quiet --disable-pip-version-check --target "$venv" "schemathesis==$version" >&2 \
      || { echo "fuzz-api: could not install schemathesis; install python3-venv (sudo apt-get install -y python3-venv) or set SCHEMATHESIS" >&2; exit 1; }
    export PYTHONPATH="$venv${PYTHONPATH:+:$PYTHONPATH}"
  fi
  [ -x "$schemathesis" ] || { echo "fuzz-api: schemathesis was not installed at $schemathesis" >&2; exit 1; }
}

# psql from PATH, else from the PostgreSQL binaries the private cluster uses.
find_psql() {
  if command -v psql >/dev/null 2>&1; then
    psql="$(command -v psql)"
  else
    psql="$("$root/scripts/private-postgres.sh" bin)/psql"
  fi
}

# The URL with only the database name (the path) replaced; the query string (host=, port=, …) stays.
with_db() {
  local url="$1" db="$2" base query=""
  base="${url%%\?*}"; [ "$base" != "$url" ] && query="?${url#*\?}"
  case "$base" in
    *://*/*) base="${base%/*}" ;; # postgres://user@host/name → postgres://user@host
  esac
  echo "$base/$db$query"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

ensure_schemathesis
find_psql
command -v curl >/dev/null || { echo "fuzz-api: curl is missing (sudo apt-get install -y curl)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "fuzz-api: python3 is missing (sudo apt-get install -y python3)" >&2; exit 1; }

work="$(mktemp -d)"
scratch_db="stockroom_fuzz_$$_$RANDOM"
admin_url="$DATABASE_URL" # the caller's database: where the scratch one is created and dropped from
scratch_url="$(with_db "$DATABASE_URL" "$scratch_db")"
server_pid=""
fuzzer_pid=""
db_created=""
cleanup() {
  local status=$?
  if [ -n "$fuzzer_pid" ]; then
    kill "$fuzzer_pid" 2>/dev/null || true
    wait "$fuzzer_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    # The service drains requests on SIGTERM; give it a moment, then insist.
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$db_created" ]; then
    "$psql" -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" >/dev/null 2>&1 \
      || echo "fuzz-api: could not drop the scratch database $scratch_db" >&2
  fi
  [ -f "$work/server.log" ] && mkdir -p "$report_dir" && cp "$work/server.log" "$report_dir/server.log"
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- a database of its own --------------------------------------------------------------------
"$psql" -q "$admin_url" -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$scratch_db\"" >/dev/null
db_created=1
export DATABASE_URL="$scratch_url"
# Everything runs from the empty work folder: the service reads a .env file in development, and
# one in the caller's folder must not change the run.
cd "$work"
"$bin" migrate >"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }
"$bin" seed-demo >>"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }
staff_email="fuzz-staff@example.com"
staff_password="fuzz-password-123"
echo "$staff_password" | "$bin" create-staff --email "$staff_email" >>"$work/setup.log" 2>&1 \
  || { cat "$work/setup.log" >&2; exit 1; }

# --- the service ------------------------------------------------------------------------------
# No worker (it would cancel orders under the fuzzer's feet), no rate limits (schemathesis sends
# hundreds of sign-ins and orders a minute), pending orders unbounded for the same reason.
port="$(free_port)"
base="http://127.0.0.1:$port"
STOCKROOM_ENV=development STOCKROOM_BIND="127.0.0.1:$port" STOCKROOM_WORKER=false \
  STOCKROOM_AUTH_RATE_PER_MIN=0 STOCKROOM_ORDER_RATE_PER_MIN=0 STOCKROOM_MAX_PENDING_ORDERS=100000 \
  STOCKROOM_PAYMENT_WEBHOOK_SECRET=fuzz-secret \
  STOCKROOM_JWT_SECRET=6675a7a0b0e0d7c54d1c0b8f6c3e2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b \
  STOCKROOM_LOG_FORMAT=json RUST_LOG="${RUST_LOG:-info}" \
  "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  curl -sf "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
curl -sf "$base/healthz" >/dev/null 2>&1 \
  || { echo "fuzz-api: the service did not answer $base/healthz" >&2; tail -n 30 "$work/server.log" >&2; exit 1; }

token="$(curl -sf -X POST "$base/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$staff_email\",\"password\":\"$staff_password\"}" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')" \
  || { echo "fuzz-api: could not get a staff token from $base/v1/auth/token" >&2; exit 1; }

# --- fuzzing ----------------------------------------------------------------------------------
# Every check (--checks all) but two. use_after_free demands 404 for whatever a DELETE removed,
# but DELETE /v1/products/{id} archives: the contract keeps an archived product readable by id,
# since orders link to it (the API tests check that a deleted webhook endpoint is 404). And
# positive_data_acceptance, which demands that every request
# the schema admits succeeds. Here validity is more than a schema can say: cursors are opaque and
# tamper-proof (a made-up one is 400), webhook bodies must carry an HMAC of themselves (400
# without), If-Match must name the current ETag (412), SKUs and emails must be unused (409), text
# must be printable after trimming. The schema states every type, range, pattern and length it
# can; negative_data_rejection still checks that what it rules out is refused. Every phase runs
# by default (examples, coverage, fuzzing, stateful). --max-examples bounds each operation's test cases and the stateful
# scenarios. --continue-on-failure: an operation keeps being tested after its first failure, so
# one run reports every distinct failure rather than the first per operation.
# --generation-database none: no .hypothesis folder, and a run depends on its seed alone.
# One worker: the order of requests, hence the whole run, then follows from the seed. With two,
# a run here (Python 3.11.7) died in hypothesis's ast.parse, called from both worker threads, with
# "SystemError: AST constructor recursion depth mismatch" (a CPython race, cf. cpython#106905).
# --request-timeout: a request that hangs fails the run instead of stalling CI.
mkdir -p "$report_dir"
rm -f "$report_dir"/{junit.xml,report.json,requests.har}
args=(
  run "$base/openapi.json"
  --checks all
  --exclude-checks positive_data_acceptance,use_after_free
  --header "Authorization: Bearer $token"
  --max-examples "$max_examples"
  --seed "$seed"
  --workers "$workers"
  --continue-on-failure
  --generation-database none
  --request-timeout 15
  --report junit,json,har
  --report-dir "$report_dir"
  --report-junit-path "$report_dir/junit.xml"
  --report-json-path "$report_dir/report.json"
  --report-har-path "$report_dir/requests.har"
  --no-color
)
echo "fuzz-api: schemathesis $version against $base/openapi.json (seed $seed, max examples $max_examples, workers $workers)" >&2
started=$SECONDS
status=0
# In the background, waited for: a signal to this script then stops it and cleans up at once.
"$schemathesis" "${args[@]}" "$@" &
fuzzer_pid=$!
wait "$fuzzer_pid" || status=$?
fuzzer_pid=""
elapsed=$((SECONDS - started))

# One line from the JSON run report: what was tested and what failed, by check.
summary="$(python3 - "$report_dir/report.json" <<'PY' 2>/dev/null || true
import json, sys
report = json.load(open(sys.argv[1]))
ops = report.get("operations") or {}
cases = report.get("test_cases") or {}
failures = report.get("failures") or []
errors = report.get("errors") or []
kinds = ", ".join(f"{g['code']} {g['title']} {g['count']}" for g in failures)
print(
    f"{ops.get('tested', 0)}/{ops.get('selected', 0)} operations, {cases.get('generated', 0)} test cases, "
    f"{cases.get('unique_failures', 0)} unique failures{' (' + kinds + ')' if kinds else ''}, "
    f"{sum(e['count'] for e in errors)} errors"
)
PY
)"
if [ "$status" = 0 ]; then
  result="passed"
else
  result="FAILED (schemathesis exit $status)"
fi
echo "fuzz-api: $result in ${elapsed}s (seed $seed, max examples $max_examples${*:+, extra options: $*}): ${summary:-no run report}; reports in $report_dir"
exit "$status"

#!/usr/bin/env bash
# `make lint-migrations`: squawk (https://squawkhq.com) checks the up.sql of every migration that
# is not grandfathered in migrations/.squawk-baseline, and fails on any finding: a lock that
# blocks reads or writes for the length of a scan or rewrite, an index built without
# CONCURRENTLY, a constraint validated while it blocks writes, a missing lock_timeout, …
# Rules and Postgres version: .squawk.toml. A finding that is deliberate is silenced for one
# statement with a comment above it:   -- squawk-ignore <rule>
#
# squawk comes from PyPI (squawk-cli, pinned below) into a virtualenv under
# ${XDG_CACHE_HOME:-~/.cache}/stockroom/; SQUAWK=/path/to/squawk uses another one.
set -euo pipefail

version="2.70.0"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$root"

ensure_squawk() {
  if [ -n "${SQUAWK:-}" ]; then
    squawk="$SQUAWK"
    return
  fi
  local cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/stockroom"
  local venv="$cache/squawk-$version"
  squawk="$venv/bin/squawk"
  [ -x "$squawk" ] && return
  command -v python3 >/dev/null || { echo "lint-migrations: python3 is needed to install squawk (sudo apt-get install -y python3-venv)" >&2; exit 1; }
  echo "lint-migrations: installing squawk-cli $version into $venv…" >&2
  mkdir -p "$cache"
  rm -rf "$venv"
  if python3 -m venv "$venv" >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "squawk-cli==$version" >&2
  else
    # No venv module (Debian without python3-venv): pip can still install into a folder.
    rm -rf "$venv"
    python3 -m pip install --quiet --disable-pip-version-check --target "$venv" "squawk-cli==$version" >&2 \
      || { echo "lint-migrations: could not install squawk; install python3-venv (sudo apt-get install -y python3-venv) or set SQUAWK" >&2; exit 1; }
  fi
  [ -x "$squawk" ] || { echo "lint-migrations: squawk was not installed at $squawk" >&2; exit 1; }
}

baseline="migrations/.squawk-baseline"
grandfathered() {
  [ -f "$baseline" ] && grep -qxF "$1" <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$baseline")
}

# Statements in a file, comments aside (semicolons inside strings would miscount; fine here).
statements() {
  sed -e 's/--.*$//' "$1" | tr '\n' ' ' | tr ';' '\n' | grep -c '[^[:space:]]' || true
}

# squawk colours its report even into a pipe; plain text for logs.
plain() {
  if [ -t 1 ]; then cat; else sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b\]8;;[^\x1b]*\x1b\\//g'; fi
}

ensure_squawk
# The rules for a migration outside a transaction: those of .squawk.toml less
# require-lock-timeout (see below). squawk's --exclude would replace the file's list, not extend it.
nontx_config="$(mktemp)"
trap 'rm -f "$nontx_config"' EXIT
sed 's/^excluded_rules = \[/excluded_rules = ["require-lock-timeout",/' .squawk.toml >"$nontx_config"
grep -q '"require-lock-timeout",' "$nontx_config" \
  || { echo "lint-migrations: .squawk.toml must have a line starting with 'excluded_rules = ['" >&2; exit 1; }

checked=0 failed=0 skipped=0
for dir in migrations/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  if grandfathered "$name"; then
    skipped=$((skipped + 1))
    continue
  fi
  [ -f "$dir/up.sql" ] || { echo "lint-migrations: $dir has no up.sql" >&2; failed=$((failed + 1)); continue; }
  # Diesel runs a migration in a transaction unless its metadata.toml says otherwise, and some
  # rules depend on it (CONCURRENTLY cannot run in one; a table made in the same one is empty).
  checked=$((checked + 1))
  echo "lint-migrations: $name"
  flags=(--config .squawk.toml --assume-in-transaction)
  if [ -f "$dir/metadata.toml" ] && grep -Eq '^[[:space:]]*run_in_transaction[[:space:]]*=[[:space:]]*false' "$dir/metadata.toml"; then
    # Such a migration exists for one CONCURRENTLY statement. Diesel sends the file as one query,
    # which Postgres runs as one transaction when it holds several statements, and CONCURRENTLY
    # then fails: so no room for SET lock_timeout, and the CONCURRENTLY lock (SHARE UPDATE
    # EXCLUSIVE) blocks neither reads nor writes anyway.
    n="$(statements "$dir/up.sql")"
    if [ "$n" != 1 ]; then
      echo "$dir/up.sql: run_in_transaction = false, so it must hold exactly one statement (it has $n);" \
        "Postgres runs a file of several as one transaction, where CONCURRENTLY fails. Split it into migrations." >&2
      failed=$((failed + 1))
      continue
    fi
    if ! sed -e 's/--.*$//' "$dir/up.sql" | grep -qi 'concurrently'; then
      echo "$dir/up.sql: run_in_transaction = false is for a CONCURRENTLY statement; put anything else in" \
        "a migration that runs in a transaction, after SET lock_timeout." >&2
      failed=$((failed + 1))
      continue
    fi
    flags=(--config "$nontx_config" --no-assume-in-transaction)
  fi
  if ! "$squawk" "${flags[@]}" "$dir/up.sql" 2>&1 | plain; then
    failed=$((failed + 1))
  fi
done
echo "lint-migrations: $checked checked, $failed failed, $skipped grandfathered ($baseline)"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# Runs a command with DATABASE_URL set: the caller's if given, else the private cluster's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${DATABASE_URL:-}" ]; then
  "$here/private-postgres.sh" start
  DATABASE_URL="$("$here/private-postgres.sh" url)"
  export DATABASE_URL
fi
exec "$@"

#!/usr/bin/env bash
# Checks what a build needs before cargo starts, so a missing piece is named up front rather than
# as a link error minutes into the build. Used by the Makefile.
#
#   scripts/prereqs.sh libpq     # libpq to link against (Diesel's pq-sys uses the system's)
#   scripts/prereqs.sh browser   # Chromium and chromedriver, for the staff console's browser tests
set -euo pipefail

have_libpq() {
  [ -n "${PQ_LIB_DIR:-}" ] && return 0
  if command -v pg_config >/dev/null 2>&1; then
    local dir
    dir="$(pg_config --libdir 2>/dev/null || true)"
    [ -n "$dir" ] && compgen -G "$dir/libpq.*" >/dev/null && return 0
  fi
  command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libpq 2>/dev/null && return 0
  # The unversioned libpq.so (from libpq-dev) is the one the linker looks for.
  command -v ldconfig >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libpq\.so ' && return 0
  return 1
}

libpq() {
  have_libpq && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "libpq (libpq-dev) not found; installing it with apt-get…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y libpq-dev >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y libpq-dev >&2; }
    have_libpq && return 0
  fi
  echo "libpq, which the build links against, was not found." >&2
  echo "Install it with:   sudo apt-get install -y libpq-dev   (macOS: brew install libpq, then set PQ_LIB_DIR)" >&2
  exit 1
}

# The console's browser tests (crates/api/tests/console) start these two by their Debian paths.
have_browser() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}

browser() {
  have_browser && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Chromium or chromedriver not found; installing chromium and chromium-driver with apt-get…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver >&2; }
    have_browser && return 0
  fi
  echo "The staff console's browser tests need /usr/bin/chromium and /usr/bin/chromedriver, which were not found." >&2
  echo "Install them with:   sudo apt-get install -y chromium chromium-driver   (Debian's packages)" >&2
  exit 1
}

case "${1:-}" in
  libpq) libpq ;;
  browser) browser ;;
  *) echo "usage: $0 libpq|browser" >&2; exit 2 ;;
esac

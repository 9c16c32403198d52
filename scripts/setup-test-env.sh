#!/usr/bin/env bash
# What the tests need on this machine, installed only when missing: PostgreSQL 15 running with PostGIS 3 (Debian
# postgresql-15-postgis-3), Chromium for the browser tests and nginx for the load-balancer test (the tests run their
# own nginx on a loopback port, never the system's service) and poppler-utils to render the letters' PDF in their
# test. Idempotent and quick when all is there.
set -euo pipefail
PG_URL="${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
need_apt=()
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need_apt+=(postgresql-15-postgis-3)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need_apt+=(nginx)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages: ${need_apt[*]} (run as root: apt-get install -y ${need_apt[*]})" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! pg_isready -q -d "$PG_URL" 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect 15 main start 2>/dev/null || pg_ctlcluster 15 main start
  for _ in $(seq 1 30); do pg_isready -q -d "$PG_URL" && break; sleep 1; done
fi
psql "$PG_URL" -qAtc "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'" | grep -q 1 || {
  echo "PostGIS is not available in the PostgreSQL at $PG_URL" >&2
  exit 1
}

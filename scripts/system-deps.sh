#!/usr/bin/env bash
# Install and start what the test suite needs from outside Python: Debian's chromium
# (browser tests) and a PostgreSQL server on 127.0.0.1 (the store's PostgreSQL tests).
# Needs root and apt-get; without them it says what is missing and changes nothing.
# Prints `export RELEASECARE_TEST_POSTGRES_URL=...` on stdout when PostgreSQL is up.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} with apt-get" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${need[@]}" >&2
  else
    echo "missing ${need[*]}: install them (apt-get install ${need[*]}) for the full suite" >&2
  fi
fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$PGBIN" ] || exit 0
PGDATA=${RELEASECARE_PGDATA:-/tmp/releasecare-pg}
PGPORT=${RELEASECARE_PGPORT:-55432}
run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
  run_pg "$PGBIN/initdb" -D "$PGDATA" -U releasecare --auth=trust -E UTF8 >/dev/null
fi
if ! run_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
  run_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k /tmp -c fsync=off" start >/dev/null
fi
echo "export RELEASECARE_TEST_POSTGRES_URL=postgresql+psycopg://releasecare@127.0.0.1:$PGPORT/postgres"

#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and local use, and prints its connection
# string on the last line of output:
#
#   scripts/start-postgres.sh [port]      # default port 55432
#
# The cluster lives in /tmp/broadcast-postgres-<port>, listens on 127.0.0.1 only and trusts
# every loopback connection (no password), so it must never be exposed. fsync stays on: the
# store's durability guarantees are only worth testing against a server that keeps its own.
# Idempotent: if the server on that port is already up it only makes sure the test database
# exists; concurrent calls (two test runs starting at once) take turns, so only one starts it.
# Needs Debian's `postgresql` package (apt-get install postgresql).
set -euo pipefail

port="${1:-55432}"
database=broadcast_test
data="/tmp/broadcast-postgres-$port"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql" >&2
  exit 1
fi

# PostgreSQL refuses to run as root; as root we run it as the package's `postgres` user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; }

# Held until this script exits: a second caller waits, then finds the server up.
exec 9>"$data.lock"
flock 9

if ready; then
  echo "PostgreSQL is already running on 127.0.0.1:$port"
else
  if [ ! -s "$data/PG_VERSION" ]; then
    rm -rf "$data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    # -U postgres: the same superuser name whoever runs this, so the connection string is fixed.
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >"$data.initdb.log" 2>&1 \
      || { cat "$data.initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = on
synchronous_commit = on
max_connections = 200
CONF
  fi
  # 9>&-: the server must not inherit (and hold forever) the lock.
  as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null 9>&- \
    || { tail -n 20 "$data/server.log" >&2; exit 1; }
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { echo "PostgreSQL did not become ready on 127.0.0.1:$port; see $data/server.log" >&2; exit 1; }
  echo "PostgreSQL started on 127.0.0.1:$port (data in $data)"
fi

psql() { "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
  psql -c "CREATE DATABASE $database" >/dev/null
fi

echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$database"

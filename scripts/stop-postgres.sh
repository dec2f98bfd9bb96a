#!/usr/bin/env bash
# Stops the throwaway server of scripts/start-postgres.sh; --purge also deletes its data.
#
#   scripts/stop-postgres.sh [port] [--purge]      # default port 55432
set -euo pipefail

port=55432 purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    *) port="$arg" ;;
  esac
done
data="/tmp/broadcast-postgres-$port"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$bin" ] && [ -s "$data/postmaster.pid" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$data" -m fast -w stop
  else
    "$bin/pg_ctl" -D "$data" -m fast -w stop
  fi
else
  echo "no PostgreSQL of start-postgres.sh is running on port $port"
fi
if [ "$purge" = 1 ]; then rm -rf "$data" "$data.initdb.log" "$data.lock"; fi

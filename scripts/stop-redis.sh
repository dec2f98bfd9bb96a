#!/usr/bin/env bash
# Stops the throwaway Redis of scripts/start-redis.sh, discarding its data (SHUTDOWN NOSAVE),
# and waits until the process is gone; --purge also deletes its folder (pid and log files).
#
#   scripts/stop-redis.sh [port] [--purge]      # default port 6390
set -euo pipefail

port=6390 purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    *) port="$arg" ;;
  esac
done
dir="/tmp/broadcast-redis-$port"
pidfile="$dir/redis.pid"

ready() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }
# A process that has exited but was not yet reaped (a zombie: possible when its parent is a
# PID 1 that does not reap) still answers kill -0, so look at its state too.
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

pid=""
[ -s "$pidfile" ] && pid=$(cat "$pidfile")

if ! ready; then
  echo "no Redis answers on 127.0.0.1:$port"
  if [ "$purge" = 1 ]; then rm -rf "$dir"; fi
  exit 0
fi

# SHUTDOWN closes the connection instead of replying, so redis-cli's exit status means nothing.
redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true

for _ in $(seq 1 100); do
  if ! ready && { [ -z "$pid" ] || ! alive "$pid"; }; then break; fi
  sleep 0.1
done
if ready || { [ -n "$pid" ] && alive "$pid"; }; then
  echo "Redis on 127.0.0.1:$port did not stop within 10 s" >&2
  exit 1
fi
rm -f "$pidfile"
if [ "$purge" = 1 ]; then rm -rf "$dir"; fi
echo "Redis on 127.0.0.1:$port stopped"

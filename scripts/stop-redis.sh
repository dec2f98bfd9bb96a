#!/usr/bin/env bash
# Stops the throwaway Redis of scripts/start-redis.sh, discarding its data (SHUTDOWN NOSAVE),
# and waits until the process is gone.
#
#   scripts/stop-redis.sh [port]      # default port 6390
set -euo pipefail

port="${1:-6390}"
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
echo "Redis on 127.0.0.1:$port stopped"

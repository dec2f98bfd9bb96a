#!/usr/bin/env bash
# Starts a throwaway Redis for the tests and local use, and prints its StackExchange.Redis
# configuration string on the last line of output:
#
#   scripts/start-redis.sh [port]      # default port 6390
#
# Redis is transport and cache only for Broadcast (never the only copy of a form or a total),
# so this one keeps nothing on disk: no RDB snapshots, no AOF. A restart is an empty Redis,
# which is exactly the "Redis restarted empty" case the nodes must survive. It listens on
# 127.0.0.1 only, in protected mode, with no password, so it must never be exposed. Its pid
# and log file live in /tmp/broadcast-redis-<port>. Idempotent: if something on that port
# already answers PING it does nothing. Needs Debian's `redis-server` package (it brings
# redis-cli). Stop it with scripts/stop-redis.sh [port].
set -euo pipefail

port="${1:-6390}"
dir="/tmp/broadcast-redis-$port"

for tool in redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "$tool not found: apt-get install redis-server" >&2; exit 1; }
done

# redis-cli prints "Could not connect..." on stderr and exits non-zero while nothing listens.
ready() { [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; }

if ready; then
  echo "Redis is already running on 127.0.0.1:$port"
else
  mkdir -p "$dir"
  # --save '' and --appendonly no: no persistence at all (see above). --daemonize: the server
  # outlives this script; its pid goes to the pidfile that stop-redis.sh falls back on.
  # Running as root is fine for redis-server (unlike PostgreSQL), so no user switch here.
  redis-server \
    --port "$port" --bind 127.0.0.1 --protected-mode yes \
    --save '' --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --daemonize yes \
    || { tail -n 20 "$dir/redis.log" >&2 2>/dev/null; exit 1; }
  for _ in $(seq 1 100); do ready && break; sleep 0.1; done
  ready || { echo "Redis did not answer PING on 127.0.0.1:$port; see $dir/redis.log" >&2; tail -n 20 "$dir/redis.log" >&2 || true; exit 1; }
  echo "Redis started on 127.0.0.1:$port (pid $(cat "$dir/redis.pid" 2>/dev/null || echo '?'), log in $dir/redis.log)"
fi

echo "127.0.0.1:$port"

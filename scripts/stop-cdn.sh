#!/usr/bin/env bash
# Stops the nginx started by scripts/start-cdn.sh [port] [dir] and removes its cache.
set -uo pipefail
port="${1:-6480}"
dir="${2:-/tmp/broadcast-cdn-$port}"
[ -s "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null
for _ in $(seq 1 50); do [ -e "$dir/nginx.pid" ] || break; sleep 0.1; done
rm -rf "$dir/cache"
echo "nginx on 127.0.0.1:$port stopped"

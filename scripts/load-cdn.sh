#!/usr/bin/env bash
# Pollers through a caching proxy: a fresh embedded-default node, Debian's nginx in front of it
# configured as scripts/start-cdn.sh does (cache as the origin's Cache-Control says, one request
# per cache key to the origin at a time, Vary kept) with an access log of what reached the origin,
# and the generator's pollers (--poll) reading through nginx while the ingest posts to the node;
# docs/performance.md.
#
#   scripts/load-cdn.sh <name> <generator args...>
#   scripts/load-cdn.sh cdn2s --connections 10000 --poll 2s --forms-per-second 2000 --duration 60s --ramp 20s --mix ...
#
# Origin requests are the proxy's log lines for /api/v1/results/ that were not cache HITs
# (--origin-log), with the bytes nginx received from the origin. Writes $LOAD_OUT/<name>.* as
# scripts/load-one-node.sh does, plus .nginx (nginx's CPU over the run). Settings: LOAD_OUT (/tmp),
# LOAD_PORT (5470), LOAD_CDN_PORT (6470), LOAD_DB, LOAD_PER_PROCESS (7500), LOAD_BIND.
set -euo pipefail
name=$1; shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
. scripts/load-lib.sh
out=${LOAD_OUT:-/tmp}
port=${LOAD_PORT:-5470}
cdn_port=${LOAD_CDN_PORT:-6470}
db=${LOAD_DB:-/tmp/load.db}
dir=/tmp/broadcast-load-cdn-$cdn_port
command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
mkdir -p "$out" "$dir/cache" "$dir/temp"
rm -rf "$dir/cache/"* "$dir/access.log"
load_port_free "$port"
load_port_free "$cdn_port"
load_node_start "$db" "http://127.0.0.1:$port" "$out/$name.server.log"
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile 30000;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 20000; }
http {
  log_format origin '\$upstream_cache_status \$status \$upstream_bytes_received \$request_uri';
  access_log $dir/access.log origin;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  proxy_cache_path $dir/cache levels=1:2 keys_zone=results:20m max_size=500m inactive=1h use_temp_path=off;
  keepalive_requests 1000000;
  upstream origin { server 127.0.0.1:$port; keepalive 64; }
  server {
    listen 127.0.0.1:$cdn_port;
    location /api/v1/results/ {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache results;
      proxy_cache_key \$scheme\$host\$request_uri;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 10s;
      proxy_cache_revalidate on;
      add_header X-Cache \$upstream_cache_status always;
    }
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
as_user=()
[ "$(id -u)" = 0 ] && as_user=(-g "user root;")
nginx -p "$dir" -c "$dir/nginx.conf" "${as_user[@]}"
for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
load_top_start "$out/$name.top"
counters_pid=
trap 'kill $pid $top_pid $counters_pid 2>/dev/null || true; [ -s "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true' EXIT
load_wait_ready "http://127.0.0.1:$port/health/ready" $pid
load_wait_ready "http://127.0.0.1:$cdn_port/health/ready"
counters_pid=$(load_counters_start $pid "$out/$name.counters")
nginx0=$(load_cpu $(load_pid_tree "$dir/nginx.pid"))
dotnet src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll \
  --server "http://127.0.0.1:$cdn_port" --ingest-server "http://127.0.0.1:$port" --metrics-server "http://127.0.0.1:$port" \
  --origin-log "$dir/access.log" --bind "${LOAD_BIND:-127.0.1.1,127.0.1.2}" --per-process "${LOAD_PER_PROCESS:-7500}" --key k --server-pid $pid \
  --json "$out/$name.json" "$@" >"$out/$name.txt" 2>"$out/$name.err" || rc=$?
nginx1=$(load_cpu $(load_pid_tree "$dir/nginx.pid"))
echo "nginx CPU over the run: $(( (nginx1 - nginx0) / 100 )) s" >"$out/$name.nginx"
load_watch_end "$out/$name" $counters_pid $top_pid
cat "$out/$name.nginx" >>"$out/$name.txt"
exit ${rc:-0}

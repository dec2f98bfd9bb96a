#!/usr/bin/env bash
# Starts Debian's nginx as a shared cache in front of one Broadcast node, as a CDN edge would
# be, and prints its base URL on the last line of output:
#
#   scripts/start-cdn.sh <origin url> [port] [dir]    # default port 6480, dir /tmp/broadcast-cdn-<port>
#
# It caches /api/v1/results/ as the origin's Cache-Control says (a version URL for good, the
# "latest" pointer one second, a snapshot two), lets one request per cache key through to the
# origin while others wait for it (proxy_cache_lock), keeps Vary: Accept-Encoding variants
# apart, and logs every request with its cache status ($upstream_cache_status: MISS means the
# origin was asked) to <dir>/access.log. Everything else passes through uncached. Loopback only.
# Stop it with scripts/stop-cdn.sh [port] [dir]. Needs Debian's nginx package.
set -euo pipefail

origin="${1:?usage: start-cdn.sh <origin url> [port] [dir]}"
port="${2:-6480}"
dir="${3:-/tmp/broadcast-cdn-$port}"
command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }

mkdir -p "$dir/cache" "$dir/temp"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  log_format cdn '\$request_uri \$status \$upstream_cache_status';
  access_log $dir/access.log cdn;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  proxy_cache_path $dir/cache levels=1:2 keys_zone=results:20m max_size=500m inactive=1h use_temp_path=off;
  server {
    listen 127.0.0.1:$port;
    location /api/v1/results/ {
      proxy_pass $origin;
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
      proxy_pass $origin;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$http_connection;
    }
  }
}
CONF
# As root, nginx would switch its worker to "nobody", which cannot write the cache here.
as_user=()
[ "$(id -u)" = 0 ] && as_user=(-g "user root;")
nginx -p "$dir" -c "$dir/nginx.conf" "${as_user[@]}" 2>&1 || { cat "$dir/error.log" >&2 2>/dev/null; exit 1; }
for _ in $(seq 1 50); do [ -s "$dir/nginx.pid" ] && break; sleep 0.1; done
echo "nginx caching $origin on 127.0.0.1:$port (log $dir/access.log)"
echo "http://127.0.0.1:$port"

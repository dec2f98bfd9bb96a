#!/usr/bin/env bash
# Runs the browser tests (screens.e2e.mjs) against a real Broadcast server on the embedded
# default, started here on loopback with a fresh SQLite file. The tests restart the server
# through $BROADCAST_RESTART while the pages stay open.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
port=${BROADCAST_E2E_PORT:-5080}
dll="$root/src/Broadcast.Server/bin/Debug/net10.0/Broadcast.Server.dll"
[ -f "$dll" ] || dotnet build "$root/src/Broadcast.Server" --nologo -v q

export BROADCAST_URL="http://127.0.0.1:$port"
export BROADCAST_INGEST_KEY="e2e-$RANDOM$RANDOM"

cat > "$work/server.sh" <<SCRIPT
#!/usr/bin/env bash
# start | stop | restart the e2e server
set -eu
stop() { [ -f "$work/pid" ] && kill -9 "\$(cat "$work/pid")" 2>/dev/null || true; rm -f "$work/pid"; }
start() {
  Storage__SqlitePath="$work/e2e.db" BROADCAST_INGEST_KEY="$BROADCAST_INGEST_KEY" ASPNETCORE_URLS="$BROADCAST_URL" \\
    dotnet "$dll" --contentRoot "$root/src/Broadcast.Server" >> "$work/server.log" 2>&1 &
  echo \$! > "$work/pid"
  for _ in \$(seq 1 300); do curl -sf "$BROADCAST_URL/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start; log:" >&2; tail -50 "$work/server.log" >&2; return 1
}
case "\$1" in start) start ;; stop) stop ;; restart) stop; start ;; esac
SCRIPT
chmod +x "$work/server.sh"
export BROADCAST_RESTART="$work/server.sh restart"
trap '"$work/server.sh" stop; mkdir -p "$root/artifacts"; rm -rf "$root/artifacts/screenshots"; cp -r "$root/web-client/test-results" "$root/artifacts/screenshots" 2>/dev/null || true; cp "$work/server.log" "$root/artifacts/e2e-server.log" 2>/dev/null || true' EXIT

"$work/server.sh" start
cd "$root/web-client"
node --test --test-concurrency=1 --test-reporter=tap e2e/screens.e2e.mjs

#!/usr/bin/env bash
# Runs the browser tests against real Broadcast servers on the embedded default, started here
# on loopback with fresh SQLite files:
#   screens.e2e.mjs      the 2019 presidential election (default); the tests restart this
#                        server through $BROADCAST_RESTART while the pages stay open;
#   legislative.e2e.mjs  a second server with Election__Name=pemilu2024 (all five contests)
#                        at $BROADCAST_LEGISLATIVE_URL, same ingest key, with a notice set;
#   map-station.e2e.mjs  both: the province map (2019 ids, 2024 codes and Papua), the station
#                        view, whole names on the ticker and lower third, an unknown region.
# The files run in one `node --test` so the TAP output ends with one "# pass N / # fail N".
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
port=${BROADCAST_E2E_PORT:-5080}
leg_port=${BROADCAST_E2E_LEGISLATIVE_PORT:-5081}
dll="$root/src/Broadcast.Server/bin/Debug/net10.0/Broadcast.Server.dll"
[ -f "$dll" ] || dotnet build "$root/src/Broadcast.Server" --nologo -v q

export BROADCAST_URL="http://127.0.0.1:$port"
export BROADCAST_LEGISLATIVE_URL="http://127.0.0.1:$leg_port"
export BROADCAST_INGEST_KEY="e2e-$RANDOM$RANDOM"
export BROADCAST_NOTICE="SYNTHETIC test data, not official results / Data uji SINTETIS, bukan hasil resmi"

# server_script NAME URL [VAR=value...]: writes $work/NAME.sh (start | stop | restart) for one server.
server_script() {
  local name=$1 url=$2
  shift 2
  cat > "$work/$name.sh" <<SCRIPT
#!/usr/bin/env bash
# start | stop | restart the $name e2e server
set -eu
stop() { [ -f "$work/$name.pid" ] && kill -9 "\$(cat "$work/$name.pid")" 2>/dev/null || true; rm -f "$work/$name.pid"; }
start() {
  env $* Storage__SqlitePath="$work/$name.db" BROADCAST_INGEST_KEY="$BROADCAST_INGEST_KEY" ASPNETCORE_URLS="$url" \\
    dotnet "$dll" --contentRoot "$root/src/Broadcast.Server" >> "$work/$name.log" 2>&1 &
  echo \$! > "$work/$name.pid"
  for _ in \$(seq 1 600); do curl -sf "$url/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "$name server did not start; log:" >&2; tail -50 "$work/$name.log" >&2; return 1
}
case "\$1" in start) start ;; stop) stop ;; restart) stop; start ;; esac
SCRIPT
  chmod +x "$work/$name.sh"
}

server_script server "$BROADCAST_URL"
server_script legislative "$BROADCAST_LEGISLATIVE_URL" Election__Name=pemilu2024 "Election__Notice='$BROADCAST_NOTICE'"
export BROADCAST_RESTART="$work/server.sh restart"
cleanup() {
  "$work/server.sh" stop
  "$work/legislative.sh" stop
  mkdir -p "$root/artifacts"
  rm -rf "$root/artifacts/screenshots"
  cp -r "$root/web-client/test-results" "$root/artifacts/screenshots" 2>/dev/null || true
  cp "$work/server.log" "$root/artifacts/e2e-server.log" 2>/dev/null || true
  cp "$work/legislative.log" "$root/artifacts/e2e-legislative-server.log" 2>/dev/null || true
}
trap cleanup EXIT

"$work/server.sh" start
"$work/legislative.sh" start
cd "$root/web-client"
node --test --test-concurrency=1 --test-reporter=tap e2e/screens.e2e.mjs e2e/legislative.e2e.mjs e2e/map-station.e2e.mjs

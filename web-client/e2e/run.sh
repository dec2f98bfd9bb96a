#!/usr/bin/env bash
# Runs the browser tests against real Broadcast servers on the embedded default, started here
# on loopback with fresh SQLite files:
#   screens.e2e.mjs      the 2019 presidential election (default); the tests restart this
#                        server through $BROADCAST_RESTART while the pages stay open;
#   timeline.e2e.mjs     the monitor's timeline (looking back, ?asOf=), on the first server;
#   legislative.e2e.mjs  a second server with Election__Name=pemilu2024 (all five contests)
#                        at $BROADCAST_LEGISLATIVE_URL, same ingest key, with a notice set;
#   map-station.e2e.mjs  both: the province map (2019 ids, 2024 codes and Papua), the station
#                        view, whole names on the ticker and lower third, an unknown region;
#   operator.e2e.mjs     a third server, a rehearsal (Rehearsal__Enabled, a database of its own)
#                        at $BROADCAST_REHEARSAL_URL with the operator key $BROADCAST_OPERATOR_KEY:
#                        the operator console runs a rehearsal night and resets it;
#   held.e2e.mjs         publication holds on the first server (it has the operator key too),
#                        and the rehearsal server's LATIHAN · REHEARSAL band on every page.
# The files run in one `node --test` so the TAP output ends with one "# pass N / # fail N"
# (`e2e/run.sh e2e/operator.e2e.mjs` runs one file).
# Ports are free ones and everything of a run (databases, logs, screenshots) is in a folder of
# its own, removed at the end (screenshots and logs are copied to artifacts/ first), so two runs
# on one machine do not meet. BROADCAST_E2E_PORT / BROADCAST_E2E_LEGISLATIVE_PORT /
# BROADCAST_E2E_REHEARSAL_PORT fix the ports.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d -t broadcast-e2e-XXXXXXXX)

# A port nothing listens on, below the kernel's ephemeral range: outgoing connections never
# take it, so it stays this run's while the tests restart the server on it.
free_port() {
  node -e '
    const net = require("node:net"), fs = require("node:fs");
    let top = 32768;
    try { top = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]); } catch {}
    const low = 10000, high = Math.max(top, 2 * low);
    const attempt = (left) => {
      const port = low + Math.floor(Math.random() * (high - low));
      const probe = net.createServer().once("error", () => left > 0 ? attempt(left - 1) : process.exit(1));
      probe.listen(port, "127.0.0.1", () => probe.close(() => console.log(port)));
    };
    attempt(200);'
}
port=${BROADCAST_E2E_PORT:-$(free_port)}
leg_port=${BROADCAST_E2E_LEGISLATIVE_PORT:-$(free_port)}
while [ "$leg_port" = "$port" ]; do leg_port=$(free_port); done
reh_port=${BROADCAST_E2E_REHEARSAL_PORT:-$(free_port)}
while [ "$reh_port" = "$port" ] || [ "$reh_port" = "$leg_port" ]; do reh_port=$(free_port); done
dll="$root/src/Broadcast.Server/bin/Debug/net10.0/Broadcast.Server.dll"
[ -f "$dll" ] || dotnet build "$root/src/Broadcast.Server" --nologo -v q

export BROADCAST_URL="http://127.0.0.1:$port"
export BROADCAST_LEGISLATIVE_URL="http://127.0.0.1:$leg_port"
export BROADCAST_REHEARSAL_URL="http://127.0.0.1:$reh_port"
export BROADCAST_INGEST_KEY="e2e-$RANDOM$RANDOM"
export BROADCAST_OPERATOR_KEY="e2e-operator-$RANDOM$RANDOM"
export BROADCAST_NOTICE="SYNTHETIC test data, not official results / Data uji SINTETIS, bukan hasil resmi"
export BROADCAST_E2E_RESULTS="$work/test-results"

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

server_script server "$BROADCAST_URL" BROADCAST_OPERATOR_KEY="$BROADCAST_OPERATOR_KEY"
server_script legislative "$BROADCAST_LEGISLATIVE_URL" Election__Name=pemilu2024 "Election__Notice='$BROADCAST_NOTICE'"
server_script rehearsal "$BROADCAST_REHEARSAL_URL" Rehearsal__Enabled=true Rehearsal__SqlitePath="$work/rehearsal-night.db" \
  BROADCAST_OPERATOR_KEY="$BROADCAST_OPERATOR_KEY"
export BROADCAST_RESTART="$work/server.sh restart"
cleanup() {
  "$work/server.sh" stop
  "$work/legislative.sh" stop
  "$work/rehearsal.sh" stop
  mkdir -p "$root/artifacts"
  rm -rf "$root/artifacts/screenshots"
  cp -r "$BROADCAST_E2E_RESULTS" "$root/artifacts/screenshots" 2>/dev/null || true
  cp "$work/server.log" "$root/artifacts/e2e-server.log" 2>/dev/null || true
  cp "$work/legislative.log" "$root/artifacts/e2e-legislative-server.log" 2>/dev/null || true
  cp "$work/rehearsal.log" "$root/artifacts/e2e-rehearsal-server.log" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$work/server.sh" start
"$work/legislative.sh" start
"$work/rehearsal.sh" start
cd "$root/web-client"
# Files given as arguments (paths from web-client/: e2e/operator.e2e.mjs) run alone; none: all of them.
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(e2e/screens.e2e.mjs e2e/legislative.e2e.mjs e2e/timeline.e2e.mjs e2e/map-station.e2e.mjs e2e/operator.e2e.mjs e2e/held.e2e.mjs)
node --test --test-concurrency=1 --test-reporter=tap "${files[@]}"

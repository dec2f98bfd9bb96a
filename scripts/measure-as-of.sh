#!/usr/bin/env bash
# Times national as-of queries (GET /api/v1/results/ppwp?asOf=...) on a Release server started
# here on a database that already holds the night, e.g. the full 2019 replay:
#
#   dotnet build -c Release src/Broadcast.Server
#   scripts/measure-as-of.sh /tmp/full.db     # loaded before with Broadcast.Replay --max
#
# Prints the wall time (curl) and the server's CPU time (/proc/<pid>/stat, 10 ms ticks) of each
# query with the server's RSS: the first query sent as soon as the server is ready (it waits for
# the revision log to be read), moments not asked before, moments asked again, three times of the
# night, a scrub of 30 new moments; then checks the national as of the last seq against the live
# snapshot. Stops the server at the end.
set -euo pipefail
db=${1:?usage: $0 <sqlite file with the night>}
root=$(cd "$(dirname "$0")/.." && pwd)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
B=http://127.0.0.1:$port
log=$(mktemp)
start=$(date +%s.%N)
BROADCAST_INGEST_KEY=measure Storage__SqlitePath="$db" ASPNETCORE_URLS=$B \
  dotnet "$root/src/Broadcast.Server/bin/Release/net10.0/Broadcast.Server.dll" --contentRoot "$root/src/Broadcast.Server" > "$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
until curl -sf "$B/health/ready" >/dev/null; do sleep 0.05; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ready after $(echo "$(date +%s.%N) - $start" | bc) s; RSS $(ps -o rss= -p $pid) KB"
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
q() {
  local g=${2:-} c0
  c0=$(cpu)
  curl -s -o /dev/null -w "%{http_code} wall %{time_total}s" "$B/api/v1/results/ppwp$g?asOf=$1"
  echo " cpu $(( ($(cpu) - c0) * 10 )) ms  asOf=$1 $g RSS $(ps -o rss= -p $pid) KB"
}
echo "-- cold: the first as-of query, sent as soon as the server is ready (waits for the log read)"
q seq:400000
until grep -q "Revision history read" "$log"; do sleep 0.1; done
grep "Revision history read\|Totals loaded" "$log" | tr -s ' '
last=$(curl -s "$B/api/v1/history" | python3 -c 'import json, sys; print(json.load(sys.stdin)["latest"]["seq"])')
echo "-- moments not asked before (each folded once)"
for f in 0.125 0.25 0.375 0.625 0.75 0.875 0.99 1; do q "seq:$(python3 -c "print(int($last * $f))")"; done
echo "-- the last moments again (kept)"
q "seq:$(python3 -c "print(int($last * 0.99))")"
q "seq:$last"
q "seq:$last" /12920
echo "-- times: a quarter, half and three quarters into the night"
read -r first latest < <(curl -s "$B/api/v1/history" | python3 -c 'import json, sys; h = json.load(sys.stdin); print(h["first"]["receivedAt"], h["latest"]["receivedAt"])')
for f in 0.25 0.5 0.75; do
  q "$(python3 -c "import datetime as d, urllib.parse as u; a = d.datetime.fromisoformat('$first'); b = d.datetime.fromisoformat('$latest'); print(u.quote((a + (b - a) * $f).astimezone(d.timezone(d.timedelta(hours=7))).isoformat(timespec='milliseconds')))")"
done
echo "-- a scrub: 30 moments not asked before, one after another"
c0=$(cpu); s0=$(date +%s.%N)
for i in $(seq 1 30); do curl -s -o /dev/null "$B/api/v1/results/ppwp?asOf=seq:$(( last * 3 / 10 + i * last / 45 ))"; done
echo "30 queries in $(echo "$(date +%s.%N) - $s0" | bc) s wall, server cpu $(( ($(cpu) - c0) * 10 )) ms; RSS $(ps -o rss= -p $pid) KB"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "-- the live national equals the national as of the last seq"
curl -s "$B/api/v1/results/ppwp" | python3 -c "
import json, sys, urllib.request
live = json.load(sys.stdin)
past = json.load(urllib.request.urlopen('$B/api/v1/results/ppwp?asOf=seq:$last'))
for k in ('epoch', 'version', 'asOf'): live.pop(k, None); past.pop(k, None)
print('equal:', live == past)"

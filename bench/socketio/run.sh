#!/usr/bin/env bash
# One measured run of the Socket.IO peer: a throwaway Redis, three Socket.IO servers (the first
# one publishing), G viewer processes, server CPU and RSS sampled at the window's edges, then
# everything stopped and the report printed.
#
#   bash bench/socketio/run.sh CONNECTIONS [GENERATORS] [OUT_DIR]
#
# Environment (defaults in brackets):
#   CLIENT [raw]          viewer client: raw (Engine.IO/Socket.IO protocol over bare ws) or socketio
#   RAMP [20] SETTLE [3] WINDOW [60]   seconds: connect ramp, pause after it, measured window
#   MIX [national=0.6,province=0.3,regency=0.1]
#   SERVER_ARGS []        extra server.mjs options, e.g. "--children 33 --regencies-per-run 82"
#   REDIS_PORT [6396]  PORTS ["5401 5402 5403"]  BIND_PREFIX [127.0.2.]  (generator i binds BIND_PREFIX(i+1))
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:?usage: run.sh CONNECTIONS [GENERATORS] [OUT_DIR]}
G=${2:-$(( (N + 14999) / 15000 ))}
OUT=${3:-/tmp/socketio-bench/$N}
CLIENT=${CLIENT:-raw}
RAMP=${RAMP:-20}
SETTLE=${SETTLE:-3}
WINDOW=${WINDOW:-60}
MIX=${MIX:-national=0.6,province=0.3,regency=0.1}
SERVER_ARGS=${SERVER_ARGS:-}
REDIS_PORT=${REDIS_PORT:-6396}
read -r -a PORTS <<< "${PORTS:-5401 5402 5403}"
BIND_PREFIX=${BIND_PREFIX:-127.0.2.}

if (( N / G >= 17000 )); then echo "run.sh: $N connections in $G processes is over 17,000 a process (fd limit)" >&2; exit 2; fi
[[ -d "$HERE/node_modules" ]] || (cd "$HERE" && npm ci --no-audit --no-fund)
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.jsonl "$OUT"/*.log "$OUT"/*.txt

now_ms() { date +%s%3N; }
sleep_until() { local d=$(( $1 - $(now_ms) )); (( d > 0 )) && sleep "$(awk -v d="$d" 'BEGIN{printf "%.3f", d/1000}')"; return 0; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

SERVER_PIDS=()
GEN_PIDS=()
REDIS_PID=
cleanup() {
  local pid
  for pid in "${GEN_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}" "${GEN_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ -n "$REDIS_PID" ]]; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

for p in "$REDIS_PORT" "${PORTS[@]}"; do
  if port_open "$p"; then echo "run.sh: port $p is already in use" >&2; exit 2; fi
done

# 1. Redis, in memory only.
redis-server --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes --bind 127.0.0.1 \
  --pidfile "$OUT/redis.pid" --logfile "$OUT/redis.log"
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
REDIS_PID=$(cat "$OUT/redis.pid")

# 2. Three servers; the first is the only publisher ("aggregator").
first=1
for p in "${PORTS[@]}"; do
  publish=
  (( first )) && publish=--publish
  first=0
  # shellcheck disable=SC2086
  node "$HERE/server.mjs" --port "$p" --redis "redis://127.0.0.1:$REDIS_PORT" --stats-every 1 $publish $SERVER_ARGS \
    > "$OUT/server-$p.log" 2> "$OUT/server-$p.err" &
  SERVER_PIDS+=($!)
done
for p in "${PORTS[@]}"; do
  for _ in $(seq 100); do port_open "$p" && break; sleep 0.1; done
  port_open "$p" || { echo "run.sh: server on $p did not start" >&2; cat "$OUT/server-$p.err" >&2; exit 1; }
done

CLK_TCK=$(getconf CLK_TCK)
sample() { # label: CPU ticks and RSS of every server and of Redis
  local t pid role
  t=$(now_ms)
  for i in "${!SERVER_PIDS[@]}"; do echo "${SERVER_PIDS[$i]} server:${PORTS[$i]}"; done > "$OUT/roles.txt"
  echo "$REDIS_PID redis:$REDIS_PORT" >> "$OUT/roles.txt"
  while read -r pid role; do
    awk -v label="$1" -v t="$t" -v pid="$pid" -v role="$role" -v hz="$CLK_TCK" \
      'FNR==NR { ticks = $14 + $15; next } /^VmRSS:/ { rss = $2 }
       END { printf "{\"label\":\"%s\",\"t\":%s,\"pid\":%s,\"role\":\"%s\",\"cpuS\":%.2f,\"rssKB\":%s}\n", label, t, pid, role, ticks / hz, rss }' \
      "/proc/$pid/stat" "/proc/$pid/status"
  done < "$OUT/roles.txt" >> "$OUT/samples.jsonl"
  # The whole machine's busy CPU (user+nice+system+irq+softirq+steal), to see other load.
  awk -v label="$1" -v t="$t" -v hz="$CLK_TCK" '/^cpu / { printf "{\"label\":\"%s\",\"t\":%s,\"role\":\"machine\",\"cpuS\":%.2f}\n", label, t, ($2+$3+$4+$7+$8+$9) / hz }' \
    /proc/stat >> "$OUT/samples.jsonl"
}

# 3. Idle figures: servers up, publisher running, no viewers.
sleep 3
sample idle

# 4. Generators, all on one absolute window.
T0=$(( $(now_ms) + (RAMP + SETTLE) * 1000 + 1000 ))
T1=$(( T0 + WINDOW * 1000 ))
servers=$(printf 'http://127.0.0.1:%s,' "${PORTS[@]}"); servers=${servers%,}
for (( i = 0; i < G; i++ )); do
  n=$(( N / G + (i < N % G ? 1 : 0) ))
  node "$HERE/viewers.mjs" --index "$i" --servers "$servers" --connections "$n" --client "$CLIENT" \
    --bind "$BIND_PREFIX$(( i + 1 ))" --mix "$MIX" --ramp "$RAMP" --window-start "$T0" --window "$WINDOW" \
    --seed "$(( 2019 + i ))" --json "$OUT/gen-$i.json" 2> "$OUT/gen-$i.log" &
  GEN_PIDS+=($!)
done
echo "run.sh: $N connections in $G processes ($CLIENT), ramp ${RAMP}s, window ${WINDOW}s from $(date -d "@$(( T0 / 1000 ))" +%T)" >&2

sleep_until "$T0"
sample start
sleep_until "$T1"
sample end

for pid in "${GEN_PIDS[@]}"; do wait "$pid" || echo "run.sh: generator $pid exited with $?" >&2; done
GEN_PIDS=()
sample after
cleanup
SERVER_PIDS=()
REDIS_PID=
trap - EXIT

cat > "$OUT/params.json" <<EOF
{"connections":$N,"generators":$G,"client":"$CLIENT","rampS":$RAMP,"settleS":$SETTLE,"windowS":$WINDOW,"mix":"$MIX","serverArgs":"$SERVER_ARGS","ports":"${PORTS[*]}"}
EOF
node "$HERE/report.mjs" "$OUT" | tee "$OUT/summary.txt"

#!/usr/bin/env bash
# One load run against a fresh embedded-default node (SQLite, a fresh database per run), stopped
# afterwards; docs/performance.md.
#
#   scripts/load-one-node.sh <name> <generator args...>
#   scripts/load-one-node.sh poll10k --connections 10000 --forms-per-second 500 --batch 100 --duration 60s --ramp 20s --poll 10s
#
# Writes $LOAD_OUT/<name>.txt (the generator's table), .json (its report), .err (progress), .server.log,
# .top (top every 5 s) and .counters.csv (the server's runtime counters every 5 s: GC, allocation,
# thread pool, CPU; dotnet-counters, when installed: `dotnet tool install -g dotnet-counters`),
# summed on the table's last line. Server settings pass through the environment
# (e.g. Aggregation__MinRunInterval=00:00:01). Release builds must exist.
#
# Settings: LOAD_OUT (/tmp), LOAD_PORT (5470; the node listens on 127.0.0.1-3 at that port),
# LOAD_DB (/tmp/load.db), LOAD_PER_PROCESS (7500), LOAD_BIND (127.0.1.1,127.0.1.2: one source
# address per generator process in turn), LOAD_SERVER_ENV (extra VAR=value for the node only),
# LOAD_SERVER_DLL (the server build to run; default the Release build of this tree).
set -euo pipefail
name=$1; shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
. scripts/load-lib.sh
out=${LOAD_OUT:-/tmp}
port=${LOAD_PORT:-5470}
db=${LOAD_DB:-/tmp/load.db}
mkdir -p "$out"
load_port_free "$port"
# shellcheck disable=SC2086
load_node_start "$db" "http://127.0.0.1:$port;http://127.0.0.2:$port;http://127.0.0.3:$port" "$out/$name.server.log" ${LOAD_SERVER_ENV:-}
load_top_start "$out/$name.top"
counters_pid=
trap 'kill $pid $top_pid $counters_pid 2>/dev/null || true' EXIT
load_wait_ready "http://127.0.0.1:$port/health/ready" $pid
counters_pid=$(load_counters_start $pid "$out/$name.counters")
# Generator processes, each from its own source address, spread over three listen addresses.
dotnet src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll \
  --server "http://127.0.0.1:$port,http://127.0.0.2:$port,http://127.0.0.3:$port" \
  --metrics-server "http://127.0.0.1:$port" --bind "${LOAD_BIND:-127.0.1.1,127.0.1.2}" --per-process "${LOAD_PER_PROCESS:-7500}" --key k --server-pid $pid \
  --json "$out/$name.json" "$@" >"$out/$name.txt" 2>"$out/$name.err" || rc=$?
load_watch_end "$out/$name" $counters_pid $top_pid
exit ${rc:-0}

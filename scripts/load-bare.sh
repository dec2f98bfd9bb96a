#!/usr/bin/env bash
# One run of the generator's raw MessagePack viewers against the bare SignalR hub
# (bench/bare-signalr: a minimal hub fanning a frame of a given size out at a given rate, no
# ingest, no aggregation), for the deliveries per server core of SignalR alone on this machine;
# docs/performance.md.
#
#   scripts/load-bare.sh <name> <frame bytes> <frames/s per group> <generator args...>
#   scripts/load-bare.sh bare-10k 1200 5 --connections 10000 --duration 60s --ramp 20s --mix monitor:national:1:full
#
# Writes $LOAD_OUT/<name>.{txt,json,err,top,counters.csv,server.log} as scripts/load-one-node.sh does.
# Settings: LOAD_OUT (/tmp), LOAD_PORT (5670; the hub listens on 127.0.0.1-3), LOAD_PER_PROCESS
# (7500), LOAD_BIND (127.0.1.1,127.0.1.2,127.0.1.3), LOAD_SERVER_ENV. Builds bench/bare-signalr
# (Release) when its dll is missing.
set -euo pipefail
name=$1; bytes=$2; rate=$3; shift 3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
. scripts/load-lib.sh
out=${LOAD_OUT:-/tmp}
port=${LOAD_PORT:-5670}
mkdir -p "$out"
dll=bench/bare-signalr/bin/Release/net10.0/BareHub.dll
load_port_free "$port"
[ -f "$dll" ] || dotnet build -c Release bench/bare-signalr >/dev/null
# shellcheck disable=SC2086
env ${LOAD_SERVER_ENV:-} Bare__FrameBytes="$bytes" Bare__Rate="$rate" \
  ASPNETCORE_URLS="http://127.0.0.1:$port;http://127.0.0.2:$port;http://127.0.0.3:$port" \
  dotnet "$dll" >"$out/$name.server.log" 2>&1 &
pid=$!
load_top_start "$out/$name.top"
counters_pid=
trap 'kill $pid $top_pid $counters_pid 2>/dev/null || true' EXIT
load_wait_ready "http://127.0.0.1:$port/health/ready" $pid
counters_pid=$(load_counters_start $pid "$out/$name.counters")
dotnet src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll --bare --no-metrics \
  --server "http://127.0.0.1:$port,http://127.0.0.2:$port,http://127.0.0.3:$port" \
  --bind "${LOAD_BIND:-127.0.1.1,127.0.1.2,127.0.1.3}" --per-process "${LOAD_PER_PROCESS:-7500}" --server-pid $pid \
  --json "$out/$name.json" "$@" >"$out/$name.txt" 2>"$out/$name.err" || rc=$?
load_watch_end "$out/$name" $counters_pid $top_pid
exit ${rc:-0}

#!/usr/bin/env bash
# One load run against a fresh embedded-default node (SQLite in /tmp/load.db), stopped afterwards;
# docs/performance.md, "Side by side: polling every 10 s versus subscribed".
#
#   scripts/load-one-node.sh <name> <generator args...>
#   scripts/load-one-node.sh poll10k --connections 10000 --forms-per-second 500 --batch 100 --duration 60s --ramp 20s --poll 10s
#
# Writes /tmp/<name>.txt (the generator's table), .json and .err. Server settings pass through the
# environment (e.g. Aggregation__MinRunInterval=00:00:01). Release builds must exist.
set -euo pipefail
name=$1; shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
rm -f /tmp/load.db*
BROADCAST_INGEST_KEY=k Storage__SqlitePath=/tmp/load.db Logging__LogLevel__Default=Warning \
  ASPNETCORE_URLS='http://127.0.0.1:5000;http://127.0.0.2:5000;http://127.0.0.3:5000' \
  dotnet src/Broadcast.Server/bin/Release/net10.0/Broadcast.Server.dll --contentRoot "$repo/src/Broadcast.Server" >"/tmp/$name.server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf http://127.0.0.1:5000/health/ready >/dev/null && break; sleep 0.5; done
# Two generator processes, each from its own source address, spread over three listen addresses.
dotnet src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll \
  --server http://127.0.0.1:5000,http://127.0.0.2:5000,http://127.0.0.3:5000 \
  --bind 127.0.1.1,127.0.1.2 --per-process 7500 --key k --server-pid $pid --json "/tmp/$name.json" "$@" >"/tmp/$name.txt" 2>"/tmp/$name.err"

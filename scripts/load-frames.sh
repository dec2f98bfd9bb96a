#!/usr/bin/env bash
# Frame sizes per subscription kind and group level, read off real frames (Broadcast.LoadTest
# --frame-sizes) from a fresh embedded-default node; docs/performance.md.
#
#   scripts/load-frames.sh <name> [generator args, e.g. --rounds 5 --batch 400]
#
# Writes $LOAD_OUT/<name>.txt (the table, Markdown) and .json. Settings: LOAD_OUT (/tmp),
# LOAD_PORT (5470), LOAD_DB (/tmp/load.db). Release builds must exist.
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
load_node_start "$db" "http://127.0.0.1:$port" "$out/$name.server.log"
trap 'kill $pid 2>/dev/null || true' EXIT
load_wait_ready "http://127.0.0.1:$port/health/ready" $pid
dotnet src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll --frame-sizes --server "http://127.0.0.1:$port" --key k \
  --batch 400 --json "$out/$name.json" "$@" >"$out/$name.txt" 2>"$out/$name.err"
cat "$out/$name.txt"

#!/usr/bin/env bash
# One load run against the three-node topology (scripts/cluster.sh: PostgreSQL + Redis + 3 nodes
# as local processes), fresh database per run; docs/performance.md, "Three nodes".
#
#   scripts/load-cluster.sh <viewers> <forms/s> <name> [window, default 60s] [extra generator args...]
#
# Writes $LOAD_OUT/<name>.txt (the generator's table), .json (its report), .err (progress),
# .top (top every 5 s during the run) and .aux (Redis and PostgreSQL CPU over the run), and leaves
# the cluster running for inspection unless LOAD_DOWN=1. Release builds must exist (dotnet build -c Release
# src/Broadcast.Server && dotnet build -c Release src/Broadcast.LoadTest).
#
# Settings: LOAD_OUT (/tmp/load-cluster), LOAD_PER_PROCESS (17000: a process may open 20,000 files),
# LOAD_RAMP (20s), CLUSTER_* as for scripts/cluster.sh (its own ports by default: 5300+N, PostgreSQL
# 55450, Redis 6395, state in /tmp/broadcast-perf, so a developer's cluster on the defaults is left alone).
set -euo pipefail

[ $# -ge 3 ] || { sed -n '2,14p' "$0" >&2; exit 2; }
viewers=$1; rate=$2; name=$3; window=${4:-60s}
shift 3; [ $# -gt 0 ] && shift
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/scripts/load-lib.sh"
out=${LOAD_OUT:-/tmp/load-cluster}
per_process=${LOAD_PER_PROCESS:-17000}
ramp=${LOAD_RAMP:-20s}
export CLUSTER_DIR=${CLUSTER_DIR:-/tmp/broadcast-perf}
export CLUSTER_BASE_PORT=${CLUSTER_BASE_PORT:-5300}
export CLUSTER_PG_PORT=${CLUSTER_PG_PORT:-55450}
export CLUSTER_REDIS_PORT=${CLUSTER_REDIS_PORT:-6395}
export CLUSTER_SERVER_DLL=${CLUSTER_SERVER_DLL:-$repo/src/Broadcast.Server/bin/Release/net10.0/Broadcast.Server.dll}
export CLUSTER_LOG_LEVEL=${CLUSTER_LOG_LEVEL:-Warning}
# Three nodes, PostgreSQL, Redis and the generators share 2 cores. A node is started fresh for
# each run, and with tiered PGO its first minutes go to re-compiling hot methods (perf showed the
# JIT thread as the biggest consumer: 0.87 cores for 3 nodes at 2,000 forms/s and 100 viewers,
# 0.55 without PGO); a node that runs all night pays that once. Thread-pool spinning, useless
# when every core is taken, is off too. docs/performance.md, "Three nodes".
export CLUSTER_NODE_ENV=${CLUSTER_NODE_ENV:-DOTNET_TieredPGO=0 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0}
key=${BROADCAST_INGEST_KEY:-dev-secret}
mkdir -p "$out"

# Fresh database, empty Redis, three nodes.
"$repo/scripts/cluster.sh" up >"$out/$name.up" 2>>"$out/$name.err"
pids=$(awk '$1 == "node" { print $5 }' "$out/$name.up" | paste -sd,)
servers=$(awk '$1 == "node" { print $3 }' "$out/$name.up" | paste -sd,)
[ -n "$pids" ] || { echo "no nodes started; see $out/$name.err" >&2; exit 1; }

# One source address per generator process (each (source, destination) pair has its own ~28k ports).
processes=$(( (viewers + per_process - 1) / per_process ))
bind=$(for i in $(seq 1 $(( processes > 0 ? processes : 1 ))); do echo "127.0.1.$i"; done | paste -sd,)

# CPU ticks (utime + stime) of Redis and of every PostgreSQL process: the other tenants of the 2 cores.
redis_pid=$(pgrep -f "redis-server 127.0.0.1:$CLUSTER_REDIS_PORT" | head -n 1 || true)
pg_pidfile=/tmp/broadcast-postgres-$CLUSTER_PG_PORT/postmaster.pid
redis0=$(load_cpu $redis_pid); pg0=$(load_cpu $(load_pid_tree "$pg_pidfile"))

load_top_start "$out/$name.top"
set +e
dotnet "$repo/src/Broadcast.LoadTest/bin/Release/net10.0/Broadcast.LoadTest.dll" \
  --server "$servers" --bind "$bind" --per-process "$per_process" --connections "$viewers" \
  --forms-per-second "$rate" --batch 100 --duration "$window" --ramp "$ramp" --key "$key" \
  --server-pid "$pids" --json "$out/$name.json" "$@" >"$out/$name.txt" 2>>"$out/$name.err"
rc=$?
set -e
kill "$top_pid" 2>/dev/null; wait "$top_pid" 2>/dev/null || true
redis1=$(load_cpu $redis_pid); pg1=$(load_cpu $(load_pid_tree "$pg_pidfile"))
{
  echo "redis CPU over the run: $(( (redis1 - redis0) / 100 )) s (pid $redis_pid)"
  echo "postgres CPU over the run (processes alive at the end): $(( (pg1 - pg0) / 100 )) s"
  for n in 1 2 3; do
    echo "node $n warnings/errors in log: $(grep -ciE 'warn|fail|exception' "$CLUSTER_DIR/node-$n.log" || true)"
  done
} >"$out/$name.aux"
echo "generator exit $rc; $out/$name.txt"
[ "${LOAD_DOWN:-0}" = 1 ] && "$repo/scripts/cluster.sh" down >/dev/null 2>&1
exit $rc

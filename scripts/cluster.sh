#!/usr/bin/env bash
# The scale-out topology as local processes: one PostgreSQL, one Redis and N Broadcast nodes on
# 127.0.0.1. infra/docker-compose.yml is the same topology in containers; this script is what
# the cross-node and fault tests drive, because the dev machine has no Docker engine.
#
#   scripts/cluster.sh up              fresh database + empty Redis + N nodes, wait until ready
#   scripts/cluster.sh down            stop every node, Redis and PostgreSQL (data kept)
#   scripts/cluster.sh down --purge    the same, then delete the database, Redis's files and
#                                      the node logs and pid files (the tests' clean-up)
#   scripts/cluster.sh node-start N    start node N (if not running) and wait until ready
#   scripts/cluster.sh node-stop N     SIGTERM node N, wait (SIGKILL after 10 s)
#   scripts/cluster.sh node-kill N     SIGKILL node N, wait until gone
#   scripts/cluster.sh redis-stop      SHUTDOWN NOSAVE: Redis is gone, and empty when restarted
#   scripts/cluster.sh redis-start
#   scripts/cluster.sh pg-stop | pg-start
#   scripts/cluster.sh status          which processes are up
#   scripts/cluster.sh url N           http://127.0.0.1:<port of node N>
#
# `up` prints `node N http://127.0.0.1:PORT pid PID` per node and then `ready` on stdout;
# progress and the helper scripts' chatter go to stderr, so callers can parse stdout.
#
# Settings (environment):
#   CLUSTER_DIR             state: pid files and node-N.log      (/tmp/broadcast-cluster)
#   CLUSTER_NODES           nodes started by `up`                (3)
#   CLUSTER_BASE_PORT       node N listens on BASE+N             (5200 -> 5201, 5202, 5203)
#   CLUSTER_PG_PORT         PostgreSQL port                      (55440)
#   CLUSTER_REDIS_PORT      Redis port                           (6390)
#   CLUSTER_SERVER_DLL      the server to run  (src/Broadcast.Server/bin/Debug/net10.0/Broadcast.Server.dll;
#                           built with `dotnet build` if missing, -c Release if the path has /Release/)
#   CLUSTER_CHANNEL_PREFIX  Cluster__ChannelPrefix               (broadcast-local)
#   CLUSTER_LOG_LEVEL       Logging__LogLevel__Default           (Information)
#   CLUSTER_NODE_ENV        extra KEY=VALUE pairs for every node, space-separated (values
#                           cannot contain spaces)
#   CLUSTER_READY_TIMEOUT   seconds to wait for nodes to be ready (90)
#   CLUSTER_STOP_TIMEOUT    seconds between SIGTERM and SIGKILL   (10)
#   CLUSTER_KEEP_ON_FAILURE 1: leave nodes running when they do not become ready (default:
#                           stop them, so a failed test run leaves no strays; logs are kept)
#   BROADCAST_INGEST_KEY / BROADCAST_OPERATOR_KEY   (dev-secret / dev-operator)
#
# Works as root (CI: start-postgres.sh runs PostgreSQL as the `postgres` user) and as any other
# user. Needs Debian's postgresql and redis-server packages, curl and the .NET SDK.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scripts="$repo/scripts"

# Absolute paths: nodes run with CLUSTER_DIR as their working directory, and the server
# needs an absolute --contentRoot when started from its dll.
absolute() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }

dir=$(absolute "${CLUSTER_DIR:-/tmp/broadcast-cluster}")
nodes="${CLUSTER_NODES:-3}"
base_port="${CLUSTER_BASE_PORT:-5200}"
pg_port="${CLUSTER_PG_PORT:-55440}"
redis_port="${CLUSTER_REDIS_PORT:-6390}"
dll=$(absolute "${CLUSTER_SERVER_DLL:-$repo/src/Broadcast.Server/bin/Debug/net10.0/Broadcast.Server.dll}")
ready_timeout="${CLUSTER_READY_TIMEOUT:-90}"
stop_timeout="${CLUSTER_STOP_TIMEOUT:-10}"
database=broadcast_cluster

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: $*" >&2; exit 1; }

usage() {
  cat >&2 <<'USAGE'
usage: scripts/cluster.sh up | down [--purge] | status
       scripts/cluster.sh node-start N | node-stop N | node-kill N | url N
       scripts/cluster.sh redis-stop | redis-start | pg-stop | pg-start
(settings come from CLUSTER_* environment variables; see the top of this script)
USAGE
  exit 2
}

check_number() { [[ "$1" =~ ^[0-9]+$ ]] || die "$2 must be a number, got '$1'"; }
check_number "$nodes" CLUSTER_NODES
check_number "$base_port" CLUSTER_BASE_PORT
check_number "$ready_timeout" CLUSTER_READY_TIMEOUT
check_number "$stop_timeout" CLUSTER_STOP_TIMEOUT

port_of() { echo $((base_port + $1)); }
url_of() { echo "http://127.0.0.1:$(port_of "$1")"; }
pidfile_of() { echo "$dir/node-$1.pid"; }
logfile_of() { echo "$dir/node-$1.log"; }

# ---------------------------------------------------------------------------------------------
# Processes. Nodes are not children of this script once it returns (every subcommand is a
# separate run), so they are tracked by pid file and polled, not `wait`ed for.

# An exited process nobody has reaped yet (a zombie; the PID 1 of some containers never reaps
# orphans) still answers kill -0, so "alive" also looks at its state.
alive() { [ -r "/proc/$1/stat" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# The pid of node N if it is running. The pid file alone is not proof: after a crash its pid
# may belong to an unrelated process by now, so the command line must be a node on N's port.
node_pid() {
  local pidfile pid
  pidfile=$(pidfile_of "$1")
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  alive "$pid" || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--urls $(url_of "$1") " || return 0
  echo "$pid"
}

# Node numbers that have a pid file, so `down` also stops nodes beyond CLUSTER_NODES that a
# test started with node-start.
known_nodes() {
  local f
  for f in "$dir"/node-*.pid; do
    [ -e "$f" ] || continue
    f=${f##*/node-}; f=${f%.pid}
    [[ "$f" =~ ^[0-9]+$ ]] && echo "$f"
  done | sort -n
}

# Waits until none of the given pids is alive; returns 1 if some still are after $1 seconds.
wait_gone() {
  local timeout=$1 pid deadline
  shift
  deadline=$((SECONDS + timeout))
  while :; do
    local any=0
    for pid in "$@"; do alive "$pid" && any=1; done
    [ "$any" = 0 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# Stops the given nodes together: SIGTERM (the host drains and shuts down gracefully), then
# SIGKILL for whatever still runs after CLUSTER_STOP_TIMEOUT.
stop_nodes() {
  local n pid pids=() names=()
  for n in "$@"; do
    pid=$(node_pid "$n")
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$n:$pid")
    fi
    rm -f "$(pidfile_of "$n")"
  done
  [ "${#pids[@]}" = 0 ] && return 0
  if ! wait_gone "$stop_timeout" "${pids[@]}"; then
    for pid in "${pids[@]}"; do
      if alive "$pid"; then log "pid $pid ignored SIGTERM for ${stop_timeout} s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    done
    wait_gone 10 "${pids[@]}" || die "nodes still running after SIGKILL: ${names[*]}"
  fi
  for n in "${names[@]}"; do echo "node ${n%%:*} stopped (pid ${n##*:})"; done
}

kill_node() {
  local n=$1 pid
  pid=$(node_pid "$n")
  rm -f "$(pidfile_of "$n")"
  if [ -z "$pid" ]; then echo "node $n is not running"; return 0; fi
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone 10 "$pid" || die "node $n (pid $pid) still running after SIGKILL"
  echo "node $n killed (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# Nodes

ensure_dll() {
  [ -f "$dll" ] && return 0
  local config=Debug
  case "$dll" in */Release/*) config=Release ;; esac
  log "$dll not found: dotnet build src/Broadcast.Server -c $config"
  (cd "$repo" && dotnet build src/Broadcast.Server -c "$config" --nologo) >&2 \
    || die "dotnet build failed"
  [ -f "$dll" ] || die "$dll still missing after the build (set CLUSTER_SERVER_DLL to the server's dll)"
}

# Starts node N in the background and returns at once; wait_ready waits for it. The node is
# started under setsid + nohup in its own session, so it survives the shell that ran this
# script (a test host, a terminal that closes) and a Ctrl-C aimed at the caller's process group.
spawn_node() {
  local n=$1 port pidfile logfile
  port=$(port_of "$n")
  pidfile=$(pidfile_of "$n")
  logfile=$(logfile_of "$n")

  local -a env_pairs=(
    Storage__Provider=postgres
    "Storage__PostgresConnectionString=Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$database;Application Name=broadcast-node-$n"
    "Cluster__Redis=127.0.0.1:$redis_port"
    "Cluster__ChannelPrefix=${CLUSTER_CHANNEL_PREFIX:-broadcast-local}"
    "Cluster__NodeName=node-$n"
    "BROADCAST_INGEST_KEY=${BROADCAST_INGEST_KEY:-dev-secret}"
    "BROADCAST_OPERATOR_KEY=${BROADCAST_OPERATOR_KEY:-dev-operator}"
    ASPNETCORE_ENVIRONMENT=Production
    # Workstation GC: server GC reserves a heap per core and three nodes plus PostgreSQL on a
    # 2-core machine would spend their memory on that; the environment overrides runtimeconfig.
    DOTNET_gcServer=0
    "Logging__LogLevel__Default=${CLUSTER_LOG_LEVEL:-Information}"
  )
  # read -a splits on whitespace without glob expansion, so a value like a*b stays as it is.
  local -a extra=()
  read -r -a extra <<<"${CLUSTER_NODE_ENV:-}"
  local pair
  for pair in "${extra[@]}"; do
    # env would run a word without '=' as the command instead of the server.
    [[ "$pair" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "CLUSTER_NODE_ENV: '$pair' is not KEY=VALUE"
    env_pairs+=("$pair")
  done

  # A build output has no wwwroot (only `dotnet publish` copies it next to the dll): point the
  # node at the project's, so the web client is served as in production.
  local -a web_root=()
  if [ ! -d "$(dirname "$dll")/wwwroot" ] && [ -d "$repo/src/Broadcast.Server/wwwroot" ]; then
    web_root=(--webroot "$repo/src/Broadcast.Server/wwwroot")
  fi

  # Something else on the port (a node of another CLUSTER_DIR, a stray server) would answer
  # the readiness probe in this node's place.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port of node $n is already in use by another process"
  fi

  rm -f "$pidfile"
  echo "=== node $n starting at $(date -u +%FT%TZ) on port $port: $dll" >>"$logfile"
  # The inner bash writes its own pid and then execs (env execs dotnet), so the pid file holds
  # the server's pid whether or not setsid had to fork.
  (
    cd "$dir"
    exec setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
      env "${env_pairs[@]}" dotnet "$dll" --urls "http://127.0.0.1:$port" --contentRoot "$(dirname "$dll")" "${web_root[@]+"${web_root[@]}"}"
  ) >>"$logfile" 2>&1 </dev/null &
  # Not this shell's job any more: bash would otherwise report "Aborted ..." on stderr when a
  # node that failed to start dies while this script is still running.
  disown $! 2>/dev/null || true
  local _
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "node $n did not start; see $logfile"
}

# 200 from /health/ready means ready. Until the server has a readiness endpoint it answers 404
# there, and then a 200 from /health/live counts instead.
probe() {
  local url code
  url=$(url_of "$1")
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/health/ready" 2>/dev/null || true)
  if [ "$code" = 404 ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/health/live" 2>/dev/null || true)
    [ "$code" = 200 ] && code="200 (live; no /health/ready)"
  fi
  echo "${code:-000}"
}

# Waits for all the given nodes together (they load the election concurrently). On failure
# prints each unready node's log tail and stops the nodes given (unless CLUSTER_KEEP_ON_FAILURE=1).
wait_ready() {
  local deadline=$((SECONDS + ready_timeout)) n pid code
  local -a pending=("$@") failed=()
  declare -A last=()
  while [ "${#pending[@]}" -gt 0 ]; do
    local -a still=()
    for n in "${pending[@]}"; do
      pid=$(node_pid "$n")
      if [ -z "$pid" ]; then failed+=("$n"); last[$n]="exited before it was ready"; continue; fi
      code=$(probe "$n")
      last[$n]="not ready after ${ready_timeout} s (last probe: HTTP $code)"
      [[ "$code" == 200* ]] || still+=("$n")
    done
    pending=("${still[@]+"${still[@]}"}")
    # A node that exited will not come back: fail now instead of waiting out the timeout.
    [ "${#failed[@]}" -gt 0 ] && break
    [ "${#pending[@]}" = 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then failed+=("${pending[@]}"); break; fi
    sleep 0.5
  done
  [ "${#failed[@]}" = 0 ] && return 0

  for n in "${failed[@]}"; do
    echo "cluster: node $n ($(url_of "$n")) ${last[$n]}; last lines of $(logfile_of "$n"):" >&2
    tail -n 40 "$(logfile_of "$n")" | sed 's/^/    /' >&2 || true
  done
  if [ "${CLUSTER_KEEP_ON_FAILURE:-0}" = 1 ]; then
    log "CLUSTER_KEEP_ON_FAILURE=1: nodes left running; scripts/cluster.sh down stops them"
  else
    stop_nodes "$@" >&2
  fi
  return 1
}

print_node() {
  echo "node $1 $(url_of "$1") pid $(node_pid "$1")"
}

start_node() {
  local n=$1
  if [ -n "$(node_pid "$n")" ]; then print_node "$n"; return 0; fi
  mkdir -p "$dir"
  ensure_dll
  spawn_node "$n"
  wait_ready "$n" || exit 1
  print_node "$n"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL and Redis

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$bin" ] && [ -x "$bin/psql" ] || die "psql not found under /usr/lib/postgresql/*/bin: apt-get install postgresql"
  echo "$bin"
}

# Over TCP as the superuser `postgres`: start-postgres.sh trusts loopback, so this works for
# root and non-root alike without switching user.
psql_admin() {
  PGOPTIONS="-c client_min_messages=warning" "$(pg_bin)/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

fresh_database() {
  # WITH (FORCE) (PostgreSQL 13+) ends leftover sessions, e.g. of a node killed mid-test whose
  # connection the server has not noticed yet.
  psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  psql_admin -c "CREATE DATABASE $database" >/dev/null
}

pg_up() { [ -x "$(pg_bin)/pg_isready" ] && "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]; }

# ---------------------------------------------------------------------------------------------

cmd_up() {
  command -v curl >/dev/null || die "curl not found: apt-get install curl"
  command -v redis-cli >/dev/null || die "redis-cli not found: apt-get install redis-server"
  mkdir -p "$dir"
  # Build first: a missing build should fail before anything else is started.
  [ "$nodes" -gt 0 ] && ensure_dll

  # A previous `up` may still run: its nodes would hold the database dropped below.
  local -a old=()
  mapfile -t old < <(known_nodes)
  [ "${#old[@]}" -gt 0 ] && stop_nodes "${old[@]}" >&2

  "$scripts/start-postgres.sh" "$pg_port" >&2
  fresh_database
  log "database $database recreated on 127.0.0.1:$pg_port"

  "$scripts/start-redis.sh" "$redis_port" >&2
  # Redis may have been running already (start-redis.sh is idempotent): empty it, as a fresh
  # cluster has no history or channels from an earlier run.
  redis-cli -h 127.0.0.1 -p "$redis_port" flushall >/dev/null
  log "redis 127.0.0.1:$redis_port flushed"

  local n
  local -a all=()
  for n in $(seq 1 "$nodes"); do
    : >"$(logfile_of "$n")"
    spawn_node "$n"
    all+=("$n")
  done
  if [ "${#all[@]}" -gt 0 ]; then
    log "waiting for ${#all[@]} node(s) to be ready (at most ${ready_timeout} s)"
    wait_ready "${all[@]}" || exit 1
  fi
  for n in "${all[@]+"${all[@]}"}"; do print_node "$n"; done
  echo ready
}

cmd_down() {
  local purge=${1:-}
  local -a all=()
  mapfile -t all < <({ known_nodes; seq 1 "$nodes"; } | sort -nu)
  [ "${#all[@]}" -gt 0 ] && stop_nodes "${all[@]}"
  "$scripts/stop-redis.sh" "$redis_port" $purge
  "$scripts/stop-postgres.sh" "$pg_port" $purge
  if [ -n "$purge" ]; then
    # Only what this script put there: CLUSTER_DIR may be a folder that holds other things.
    rm -f "$dir"/node-*.log "$dir"/node-*.pid
    rmdir "$dir" 2>/dev/null || true
  fi
}

cmd_status() {
  local n pid
  if pg_up; then echo "postgres 127.0.0.1:$pg_port up"; else echo "postgres 127.0.0.1:$pg_port down"; fi
  if redis_up; then echo "redis 127.0.0.1:$redis_port up"; else echo "redis 127.0.0.1:$redis_port down"; fi
  for n in $({ known_nodes; seq 1 "$nodes"; } | sort -nu); do
    pid=$(node_pid "$n")
    if [ -z "$pid" ]; then
      echo "node $n $(url_of "$n") down"
    elif [[ "$(probe "$n")" == 200* ]]; then
      echo "node $n $(url_of "$n") pid $pid up ready"
    else
      echo "node $n $(url_of "$n") pid $pid up not-ready"
    fi
  done
}

node_arg() {
  [ $# = 1 ] || usage
  [[ "$1" =~ ^[1-9][0-9]*$ ]] || die "node number must be 1 or more, got '$1'"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
  up)          [ $# = 0 ] || usage; cmd_up ;;
  down)        [ $# = 0 ] || [ "$*" = --purge ] || usage; cmd_down "$@" ;;
  status)      [ $# = 0 ] || usage; cmd_status ;;
  node-start)  node_arg "$@"; start_node "$1" ;;
  node-stop)   node_arg "$@"
               if [ -n "$(node_pid "$1")" ]; then stop_nodes "$1"
               else rm -f "$(pidfile_of "$1")"; echo "node $1 is not running"; fi ;;
  node-kill)   node_arg "$@"; kill_node "$1" ;;
  url)         node_arg "$@"; url_of "$1" ;;
  redis-stop)  [ $# = 0 ] || usage; "$scripts/stop-redis.sh" "$redis_port" ;;
  redis-start) [ $# = 0 ] || usage; "$scripts/start-redis.sh" "$redis_port" ;;
  pg-stop)     [ $# = 0 ] || usage; "$scripts/stop-postgres.sh" "$pg_port" ;;
  pg-start)    [ $# = 0 ] || usage; "$scripts/start-postgres.sh" "$pg_port" ;;
  *)           usage ;;
esac

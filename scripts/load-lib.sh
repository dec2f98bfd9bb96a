#!/usr/bin/env bash
# Helpers sourced by scripts/load-*.sh (not run on its own).

# Starts a fresh embedded-default node (SQLite: <db> deleted first; the Release build of this tree
# or LOAD_SERVER_DLL; ingest key k) listening on <urls>, its output in <log>; extra VAR=value go
# to its environment. Run from the repository's root. Sets pid.
load_node_start() { # <db> <urls> <log> [VAR=value...]
  local db=$1 urls=$2 log=$3; shift 3
  rm -f "$db"*
  env "$@" BROADCAST_INGEST_KEY=k Storage__SqlitePath="$db" Logging__LogLevel__Default=Warning ASPNETCORE_URLS="$urls" \
    dotnet "${LOAD_SERVER_DLL:-src/Broadcast.Server/bin/Release/net10.0/Broadcast.Server.dll}" --contentRoot "$PWD/src/Broadcast.Server" >"$log" 2>&1 &
  pid=$!
}

# top every 5 s into <file> (bench/fanout/summarize.py reads the machine's busy cores off it). Sets top_pid.
load_top_start() { # <file>
  top -b -d 5 -w 200 >"$1" 2>/dev/null &
  top_pid=$!
}

# After the generator: stops the watchers (<pid>...: top, dotnet-counters) and sums the runtime
# counters on the last line of <prefix>.txt.
load_watch_end() { # <prefix: $LOAD_OUT/<name>> [pid...]
  local prefix=$1; shift
  kill "$@" 2>/dev/null || true
  sleep 1
  load_gc_summary "$prefix.counters.csv" >>"$prefix.txt"
}

# A process, its pid the first line of <pid file>, and its children (nginx's workers, PostgreSQL's backends).
load_pid_tree() { # <pid file>
  local main; main=$(head -n 1 "$1" 2>/dev/null || true)
  [ -n "$main" ] && { echo "$main"; pgrep -P "$main" || true; }
}

# CPU time (utime + stime, in clock ticks: 1/100 s) of the given pids, summed.
load_cpu() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }

# Starts dotnet-counters (when installed) on a pid: the runtime's counters every 5 s as CSV.
load_counters_start() { # <pid> <csv path without .csv>
  local counters; counters=$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")
  [ -x "$counters" ] || { echo ""; return; }
  "$counters" collect -p "$1" --refresh-interval 5 --format csv -o "$2" --counters System.Runtime >/dev/null 2>&1 &
  echo $!
}

# Sums a dotnet-counters CSV over the run: GC collections per generation, GC pause, allocation,
# CPU, and the largest thread-pool queue seen.
load_gc_summary() { # <csv>
  [ -s "$1" ] || { echo "no runtime counters ($1)"; return; }
  awk -F, 'NR > 1 {
      name = $3; v = $5 + 0
      if (name ~ /^dotnet.gc.collections.*gen0/) g0 += v
      else if (name ~ /^dotnet.gc.collections.*gen1/) g1 += v
      else if (name ~ /^dotnet.gc.collections.*gen2/) g2 += v
      else if (name ~ /^dotnet.gc.pause.time/) pause += v
      else if (name ~ /^dotnet.gc.heap.total_allocated/) alloc += v
      else if (name ~ /^dotnet.process.cpu.time/) cpu += v
      else if (name ~ /^dotnet.thread_pool.queue.length/ && v > queue) queue = v
      else if (name ~ /^dotnet.gc.last_collection.heap.size/) heap[$1] += v
    }
    END {
      for (t in heap) if (heap[t] > maxheap) maxheap = heap[t]
      printf "runtime counters over the run: GC gen0 %d, gen1 %d, gen2 %d collections, pause %.2f s; allocated %.0f MB; CPU %.1f s; largest heap after a GC %.0f MB; thread-pool queue up to %d\n", g0, g1, g2, pause, alloc / 1048576, cpu, maxheap / 1048576, queue
    }' "$1"
}

# Fails when something already listens on the port (on any address): the run would measure, and
# load, someone else's server.
load_port_free() { # <port>
  if ss -ltnH "( sport = :$1 )" | grep -q .; then echo "port $1 is in use: pick another (LOAD_PORT)" >&2; return 1; fi
}

# Waits for a URL to answer 2xx (30 s at most) while <pid> (the server just started) is alive.
load_wait_ready() { # <url> [pid]
  local _
  for _ in $(seq 1 60); do
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && { echo "the server (pid $2) exited before it was ready" >&2; return 1; }
    curl -sf "$1" >/dev/null && return 0
    sleep 0.5
  done
  echo "not ready: $1" >&2; return 1
}

#!/usr/bin/env bash
# What signing costs end to end: the 2019 night's forms replayed against a Release server
# (SQLite), alternately with the key's secret as a bearer and signed (replay tool --key-id).
# Prints, per replay, forms/s and the CPU time per form of the server (from /proc/<pid>/stat)
# and of the replay tool (bash `time`), which a busy shared machine disturbs less than forms/s.
#
#   dotnet build -c Release src/Broadcast.Server && dotnet build -c Release src/Broadcast.Replay
#   scripts/signed-ingest-overhead.sh single [port]   one form per request, where a per-request cost
#                                                     shows most: one server, eight small provinces
#                                                     (after a warm-up on four others), alternating
#   scripts/signed-ingest-overhead.sh batch [port]    JAWA TENGAH (116,108 forms) in batches of 1,000,
#                                                     on a fresh server each time, three times each way
#
# Needs curl and python3; the data is ../shared/data/pilpres2019 (the replay tool finds it).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
what=${1:-single}
port=${2:-5290}
bin="$repo/src/Broadcast.Server/bin/Release/net10.0"
replay_dll="$repo/src/Broadcast.Replay/bin/Release/net10.0/Broadcast.Replay.dll"
[ -f "$bin/Broadcast.Server.dll" ] && [ -f "$replay_dll" ] || { echo "build both in Release first (see the top of $0)" >&2; exit 2; }
work=$(mktemp -d)
pid=
trap 'stop_server; rm -rf "$work"' EXIT

start_server() {
  rm -f "$work"/overhead.db*
  Ingest__RequestsPerSecondPerKey=100000 BROADCAST_INGEST_KEY=bench-secret BROADCAST_OPERATOR_KEY=bench-operator \
    Storage__SqlitePath="$work/overhead.db" Logging__LogLevel__Default=Warning \
    dotnet "$bin/Broadcast.Server.dll" --urls "http://127.0.0.1:$port" --contentRoot "$bin" >"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ] && break
    sleep 0.5
  done
  secret=$(curl -sS -X POST "http://127.0.0.1:$port/api/v1/operator/keys" -H "Authorization: Bearer bench-operator" \
    -H "Content-Type: application/json" -d '{"id":"bench-app","requireSignature":true,"reason":"signing overhead measurement"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
}

stop_server() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }; pid=; }

key_args() { if [ "$1" = signed ]; then echo "--key-id bench-app --key $secret"; else echo "--key bench-secret"; fi; }

# replay <mode> <name> <replay arguments...>: one measured replay, one line of the table.
replay() {
  local mode=$1 name=$2 before
  shift 2
  local -a key
  read -r -a key <<<"$(key_args "$mode")"
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  { TIMEFORMAT='%U %S'; time dotnet "$replay_dll" --server "http://127.0.0.1:$port" "${key[@]}" --max "$@" \
      --json "$work/summary.json" >/dev/null 2>&1; } 2>"$work/time"
  sleep 2 # the aggregation after the last form
  python3 - "$work/summary.json" "$work/time" "$(( ($(awk '{print $14 + $15}' "/proc/$pid/stat") - before) * 1000 / $(getconf CLK_TCK) ))" "$mode" "$name" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); user, system = map(float, open(sys.argv[2]).read().split()[-2:])
n = s["formsSent"]
assert s["rejected"] == 0 and s["failed"] == 0, s
print(f'{sys.argv[4]:<7} {sys.argv[5]:<24} {n:>7} {s["formsPerSecond"]:>9.0f} {int(sys.argv[3]) * 1000 / n:>15.0f} {(user + system) * 1e6 / n:>15.0f}')
PY
}

printf '%-7s %-24s %7s %9s %15s %15s\n' mode province forms forms/s "server µs/form" "replay µs/form"
case "$what" in
  single)
    start_server
    for warm in "bearer 928068" "signed 25823 --limit 3000" "bearer 60371" "signed 67393"; do
      read -r mode province extra <<<"$warm"
      read -r -a key <<<"$(key_args "$mode")"
      dotnet "$replay_dll" --server "http://127.0.0.1:$port" "${key[@]}" --province "$province" ${extra:+$extra} --max --batch 1 \
        --no-corrections >/dev/null 2>&1
    done
    # Pairs of provinces of about the same size, the mode alternating so that neither runs only in a quiet moment.
    for run in "bearer 74716 GORONTALO" "signed 75425 SULAWESI_BARAT" "signed 24993 BANGKA_BELITUNG" "bearer 77085 MALUKU_UTARA" \
               "bearer 81877 PAPUA_BARAT" "signed 25405 KEPULAUAN_RIAU" "signed 76096 MALUKU" "bearer 20802 BENGKULU"; do
      read -r mode province name <<<"$run"
      replay "$mode" "$name" --province "$province" --batch 1 --no-corrections
    done ;;
  batch)
    for mode in bearer signed signed bearer bearer signed; do
      start_server
      replay "$mode" JAWA_TENGAH --province 32676 --batch 1000
      stop_server
    done ;;
  *) echo "usage: $0 single|batch [port]" >&2; exit 2 ;;
esac

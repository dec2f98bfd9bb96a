#!/usr/bin/env bash
# The lean fan-out issue's measurements, before or after (docs/performance.md, "Lean fan-out"):
# the same commands for both; "before" subscribes every audience with the legacy Subscribe and
# polls plainly, "after" subscribes with SubscribeWith and polls with br/gzip and ETags.
#
#   scripts/load-fanout.sh <before|after> [step ...]     # default: every step, in this order
#
# steps:
#   frames  frame sizes per subscription kind and group level (scripts/load-frames.sh)
#   push    one node, LOAD_VIEWERS (10,000) viewers of the mix, LOAD_RATE (2,000) forms/s
#   poll2   the same viewers polling the read API every 2 s
#   poll10  ... every 10 s
#   slow    one node, 5,000 viewers of the mix plus 5 % national full viewers reading 4 KB/s
#   cluster three nodes (scripts/load-cluster.sh), 50,000 viewers of the headline-heavy mix
#   knee    one node, national full viewers (Delta, uncapped; before: TotalsChanged), KNEE_STEPS viewers
#   bare    the bare SignalR hub (bench/bare-signalr), the same viewers and steps, frames of the size the
#           knee runs measured (BARE_BYTES to set it), 5 a second
#   cdn     the pollers of poll2 through a caching proxy (scripts/load-cdn.sh)
#
# Results in $LOAD_OUT (/tmp/load-fanout)/<label>-<step>[-<viewers>].*; summarize with
# python3 bench/fanout/summarize.py $LOAD_OUT. Settings: LOAD_VIEWERS, LOAD_RATE, LOAD_WINDOW (60s),
# LOAD_RAMP (20s), KNEE_STEPS ("5000 10000 15000 20000"), LOAD_SERVER_DLL (the server build for this
# label; default this tree's Release build), LOAD_PORT.
set -euo pipefail
label=${1:?usage: load-fanout.sh <before|after> [step ...]}; shift
steps=${*:-frames push poll2 poll10 slow cluster knee bare cdn}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export LOAD_OUT=${LOAD_OUT:-/tmp/load-fanout}
mkdir -p "$LOAD_OUT"
viewers=${LOAD_VIEWERS:-10000}
rate=${LOAD_RATE:-2000}
window=${LOAD_WINDOW:-60s}
ramp=${LOAD_RAMP:-20s}
knee_steps=${KNEE_STEPS:-5000 10000 15000 20000}
mix=ticker:national:60:headline:1,province:province:30:full,regency:regency:10:full
heavy=ticker:national:80:headline:1,province:province:15:full,regency:regency:5:full
case $label in
  before) sub=(--legacy); poll=(--poll-plain) ;;
  after) sub=(); poll=() ;;
  *) echo "label: before or after" >&2; exit 2 ;;
esac
common=(--forms-per-second "$rate" --batch 100 --duration "$window" --ramp "$ramp")
# Other work on the machine skews every figure: before each run, wait (LOAD_QUIET_WAIT s at most,
# default 90) for the 1-minute load average to fall below 1.5, and log what it was.
say() {
  local i
  for i in $(seq 1 "${LOAD_QUIET_WAIT:-90}"); do awk '{ exit !($1 < 1.5) }' /proc/loadavg && break; sleep 1; done
  echo "$(date +%H:%M:%S) $label $* (load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$LOAD_OUT/load-fanout.log" >&2
}
for step in $steps; do
  case $step in
    frames) say frames; scripts/load-frames.sh "$label-frames" --rounds 5 >/dev/null ;;
    push) say push; scripts/load-one-node.sh "$label-push" --connections "$viewers" --mix "$mix" "${sub[@]}" "${common[@]}" ;;
    poll2) say poll2; scripts/load-one-node.sh "$label-poll2" --connections "$viewers" --mix "$mix" --poll 2s "${poll[@]}" "${common[@]}" ;;
    poll10) say poll10; scripts/load-one-node.sh "$label-poll10" --connections "$viewers" --mix "$mix" --poll 10s "${poll[@]}" "${common[@]}" ;;
    slow) say slow; scripts/load-one-node.sh "$label-slow" --connections 5000 --mix "$mix,slow:national:5:full:read=4" "${sub[@]}" "${common[@]}" ;;
    cluster) say cluster
      LOAD_RAMP=${CLUSTER_RAMP:-40s} LOAD_DOWN=1 CLUSTER_SERVER_DLL=${LOAD_SERVER_DLL:-$repo/src/Broadcast.Server/bin/Release/net10.0/Broadcast.Server.dll} \
        scripts/load-cluster.sh 50000 "$rate" "$label-cluster" "$window" --mix "$heavy" "${sub[@]}" || true ;;
    knee) for n in $knee_steps; do say "knee $n"
        LOAD_BIND=127.0.1.1,127.0.1.2,127.0.1.3 scripts/load-one-node.sh "$label-knee-$n" --connections "$n" --mix monitor:national:1:full "${sub[@]}" "${common[@]}" || true
      done ;;
    bare) bytes=${BARE_BYTES:-}
      if [ -z "$bytes" ]; then
        last=$(for n in $knee_steps; do echo "$n"; done | tail -n 1)
        bytes=$(jq -r '.audiences[0].frameSizes.mean | floor' "$LOAD_OUT/$label-knee-$last.json" 2>/dev/null || echo 1200)
      fi
      for n in $knee_steps; do say "bare $n ($bytes B)"
        scripts/load-bare.sh "$label-bare-$n" "$bytes" 5 --connections "$n" --mix monitor:national:1:full --duration "$window" --ramp "$ramp" || true
      done ;;
    cdn) say cdn; scripts/load-cdn.sh "$label-cdn" --connections "$viewers" --mix "$mix" --poll 2s "${poll[@]}" "${common[@]}" ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done
say done

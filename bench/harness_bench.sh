#!/usr/bin/env bash
# End-to-end routing benchmark of `squall test`, with the raw pipe relay measured in the
# same run as the physical reference.
#   bench/harness_bench.sh [build-dir] [seconds] [other-squall-binary...]
# 1. Token flood: N harness_flood_node processes pass tokens around a ring as fast as
#    the router lets them; once through `squall test` (full envelope validation,
#    simulated network, journal), once through harness_relay (substring routing only).
#    Reports routed messages/s and the router's own CPU per message. Other squall
#    binaries given (builds of older commits) are measured in the same run, after the
#    build's own, for comparisons on this noisy machine.
# 2. Real nodes: broadcast with N maelstrom_gossip nodes at --rate 100 --latency 100,
#    checking the run is valid with no protocol errors.
set -euo pipefail
build=${1:-build}
seconds=${2:-5}
shift $(( $# < 2 ? $# : 2 ))
squalls=("$build/squall" "$@")
tokens=8
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
node="$build/bench/harness_flood_node"

printf '%-6s %-14s %12s %14s\n' nodes router msgs/s cpu-us/msg
for n in 25 100; do
  relay=$("$build/bench/harness_relay" "$n" "$seconds" "$node" "$tokens")
  python3 - "$relay" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"{r['nodes']:<6} {'raw-relay':<14} {r['msgs_per_s']:>12.0f} {r['cpu_us_per_msg']:>14.3f}")
PY
  for bin in "${squalls[@]}"; do
    label=squall-test
    [ "$bin" != "$build/squall" ] && label=$(basename "$(dirname "$(dirname "$bin")")")
    "$bin" test -w echo --bin "$node" --node-count "$n" --rate 0 --time-limit "$seconds" \
      --store "$store" -- "$tokens" >/dev/null 2>&1 || true
    python3 - "$store/latest/results.json" "$relay" "$label" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
relay = json.loads(sys.argv[2])
h, s = r["harness"], r["net"]["servers"]
wall = h["wall-ms"] / 1000
rate = s["msg-count"] / wall
cpu = (h["cpu-user-ms"] + h["cpu-sys-ms"]) * 1000 / max(1, s["msg-count"])
errs = r["node-errors"]["protocol-error-count"]
print(f"{relay['nodes']:<6} {sys.argv[3][:14]:<14} {rate:>12.0f} {cpu:>14.3f}   "
      f"({100 * rate / relay['msgs_per_s']:.0f}% of relay, {errs} protocol errors)")
PY
  done
done

if [ -x "$build/maelstrom_gossip" ]; then
  echo
  printf '%-6s %-10s %8s %10s %12s %10s\n' nodes verdict ops msgs/op harness-cpu errors
  for n in 25 100; do
    rc=0
    "$build/squall" test -w broadcast --bin "$build/maelstrom_gossip" --node-count "$n" --rate 100 \
      --latency 100 --time-limit "$seconds" --recovery-time 3 --store "$store" >/dev/null 2>&1 || rc=$?
    python3 - "$store/latest/results.json" "$n" "$rc" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
h = r["harness"]
print(f"{sys.argv[2]:<6} {str(r['valid?']):<10} {r['stats']['count']:>8} "
      f"{r['net']['servers']['msgs-per-op']:>10.1f} {h['cpu-user-ms'] + h['cpu-sys-ms']:>9} ms "
      f"{r['node-errors']['protocol-error-count']:>10}   exit {sys.argv[3]}")
PY
  done
fi

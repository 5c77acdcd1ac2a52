#!/usr/bin/env bash
# Instructions the `squall test` router spends per routed message, counted by callgrind
# (stable on a busy machine, where bench/harness_bench.sh's timings are not).
#   bench/harness_callgrind.sh [build-dir] [nodes] [seconds] [squall-binary...]
# Runs the token flood of harness_bench.sh (N harness_flood_node processes passing
# tokens around a ring) under callgrind, counting only the event loop (setup and the
# final report excluded), and prints instructions per node-to-node message. Give more
# squall binaries (e.g. builds of older commits) to compare them in the same session.
set -euo pipefail
build=${1:-build}
nodes=${2:-25}
seconds=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
bins=("$@")
[ ${#bins[@]} -eq 0 ] && bins=("$build/squall")
node="$build/bench/harness_flood_node"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One callgrind run: prints "<instructions in the event loop> <node-to-node messages>".
measure() {
  rm -rf "$work/store"
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
    --toggle-collect='squall::harness::Runner::loop_until*' \
    "$1" test -w echo --bin "$node" --node-count "$nodes" --rate 0 --time-limit "$2" \
    --store "$work/store" -- 8 >/dev/null 2>"$work/vg" || true
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$work/vg" | tail -1)
  n=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["net"]["servers"]["msg-count"])' \
    "$work/store/latest/results.json")
  echo "$ir $n"
}
# Per message = the difference between a run of `seconds` and one twice as long, so
# that costs paid once per run (init, the first messages' diagram labels) cancel out.
printf '%-50s %10s %12s\n' squall messages instr/msg
for bin in "${bins[@]}"; do
  read -r ir1 n1 < <(measure "$bin" "$seconds")
  read -r ir2 n2 < <(measure "$bin" $((2 * seconds)))
  python3 -c 'import sys; b, n1, n2, i1, i2 = sys.argv[1], *map(int, sys.argv[2:]); print(f"{b[-50:]:<50} {n2:>10} {(i2 - i1) / max(1, n2 - n1):>12.0f}")' \
    "$bin" "$n1" "$n2" "$ir1" "$ir2"
done

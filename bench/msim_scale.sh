#!/usr/bin/env bash
# msim_scale.sh [SQUALL]: `squall sim -w broadcast` at 25, 1,000 and 10,000 nodes, one
# seed each, on the maelstrom_gossip core. Prints, per size, the verdict, the simulated
# and wall seconds, the time compression (simulated / wall), the messages delivered to
# nodes per wall second, the peak memory and the exact convergence rounds.
# Wall time and memory come from /usr/bin/time; the run itself is deterministic.
set -euo pipefail
SQUALL="${1:-$(cd "$(dirname "$0")/.." && pwd)/build/squall}"
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT

run() {
  local nodes=$1 rest=$2
  local out err
  out=$(mktemp) err=$(mktemp)
  /usr/bin/time -v "$SQUALL" sim -w broadcast --node-count "$nodes" $rest --seed 1 --store "$store" >"$out" 2>"$err" || true
  local result timing rss rounds
  result=$(grep -m1 '^Result:' "$out" | cut -d' ' -f2)
  timing=$(grep -m1 '^timing:' "$out")
  rss=$(awk '/Maximum resident/ {printf "%.0f MB", $6/1024}' "$err")
  rounds=$(grep -m1 'Rounds to full convergence' "$out" | sed 's/^ *//')
  printf '%6s nodes (%s): %s | %s | peak %s | %s\n' "$nodes" "$rest" "$result" "${timing#timing: }" "$rss" "$rounds"
  rm -f "$out" "$err"
}

run 25 "--rate 100 --latency 100 --time-limit 20"
run 1000 "--rate 100 --latency 100 --time-limit 10"
run 10000 "--time-limit 10"

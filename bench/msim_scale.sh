#!/usr/bin/env bash
# msim_scale.sh [SQUALL]: `squall sim -w broadcast` at 25, 1,000 and 10,000 nodes, one
# seed each, on the maelstrom_gossip core. Prints, per size, the verdict, the simulated
# and wall seconds, the time compression (simulated / wall), the messages delivered to
# nodes per wall second, the CPU seconds (user + sys) with the compression and the
# delivered messages per CPU second (steadier than wall time on a shared machine), the
# peak memory and the exact convergence rounds. SIZES="25 1000" runs only those sizes.
# Wall time, CPU time and memory come from /usr/bin/time; the run itself is deterministic.
set -euo pipefail
SQUALL="${1:-$(cd "$(dirname "$0")/.." && pwd)/build/squall}"
SIZES="${SIZES:-25 1000 10000}"
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT

run() {
  local nodes=$1 rest=$2
  local out err
  out=$(mktemp) err=$(mktemp)
  /usr/bin/time -v "$SQUALL" sim -w broadcast --node-count "$nodes" $rest --seed 1 --store "$store" >"$out" 2>"$err" || true
  local result timing rss rounds cpu sim delivered
  result=$(grep -m1 '^Result:' "$out" | cut -d' ' -f2)
  timing=$(grep -m1 '^timing:' "$out")
  rss=$(awk '/Maximum resident/ {printf "%.0f MB", $6/1024}' "$err")
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$err")
  sim=$(awk '{print $2}' <<<"$timing")
  delivered=$(sed -E 's/.*, ([0-9]+) messages delivered.*/\1/' <<<"$timing")
  rounds=$(grep -m1 'Rounds to full convergence' "$out" | sed 's/^ *//')
  printf '%6s nodes (%s): %s | %s | cpu %s s (%.0fx, %.0f msgs/cpu s) | peak %s | %s\n' "$nodes" "$rest" "$result" \
    "${timing#timing: }" "$cpu" "$(awk -v s="$sim" -v c="$cpu" 'BEGIN {print (c > 0 ? s / c : 0)}')" \
    "$(awk -v d="$delivered" -v c="$cpu" 'BEGIN {print (c > 0 ? d / c : 0)}')" "$rss" "$rounds"
  rm -f "$out" "$err"
}

for n in $SIZES; do
  case $n in
    25) run 25 "--rate 100 --latency 100 --time-limit 20" ;;
    1000) run 1000 "--rate 100 --latency 100 --time-limit 10" ;;
    10000) run 10000 "--time-limit 10" ;;
    *) echo "unknown size $n (25, 1000 or 10000)" >&2; exit 2 ;;
  esac
done

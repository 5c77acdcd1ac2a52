#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on its committed seeds, two at a time.
#   fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]     (default 45 s)
# BUILD_DIR was configured with -DSQUALL_FUZZ=ON and has `ninja squall_fuzz_targets` done.
# Targets are fuzz/seeds/<name>/ + BUILD_DIR/fuzz/<name>_fuzz. New inputs found go to a
# scratch corpus, so fuzz/seeds/ is left as committed. A crash, a hang (-timeout), an
# out-of-memory or a sanitizer report leaves its input as fuzz/crashes/<name>-crash-...
# (not committed) and makes this script exit 1 after all targets have run.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]}
seconds=${2:-45}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p fuzz/crashes

run_one() {
  local name=$1 build_dir=$2 seconds=$3 scratch=$4
  mkdir -p "$scratch/$name"
  # -max_len: inputs up to 1 MB (libFuzzer's default cap is the largest seed, at least
  # 4 KiB, too small for deep nesting); -timeout: one input taking 30 s counts as a hang.
  if "$build_dir/fuzz/${name}_fuzz" -max_len=1000000 -timeout=30 -rss_limit_mb=4096 \
      -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="fuzz/crashes/${name}-" \
      "$scratch/$name" "fuzz/seeds/$name" >"$scratch/$name.log" 2>&1; then
    echo "fuzz: $name ok: $(grep -E '^#[0-9]+.*DONE' "$scratch/$name.log" | tail -1)"
  else
    echo "fuzz: $name FAILED; its log ends:"
    tail -60 "$scratch/$name.log"
    return 1
  fi
}
export -f run_one

targets=()
for dir in fuzz/seeds/*/; do targets+=("$(basename "$dir")"); done
failed=0
printf '%s\n' "${targets[@]}" |
  xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$build_dir" "$seconds" "$scratch" || failed=1
if [ "$failed" -ne 0 ]; then
  echo "fuzz: some targets failed; reproduce with BUILD_DIR/fuzz/<name>_fuzz fuzz/crashes/<file>" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds} s each without a finding"

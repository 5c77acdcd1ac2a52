#!/usr/bin/env bash
# Runs a real test with the built-in defaults. Called by `./dev demo`.
# Extra arguments are passed on to `squall test` (e.g. --time-limit 30 --node-count 7).
set -euo pipefail
build_dir=$1
shift
if [ -x "$build_dir/maelstrom_gossip" ] && "$build_dir/squall" test --help >/dev/null 2>&1; then
  exec "$build_dir/squall" test -w broadcast --bin "$build_dir/maelstrom_gossip" \
    --node-count 5 --time-limit 10 --rate 10 --nemesis partition --nemesis-interval 2 "$@"
fi
echo "squall test is not built yet; nothing to demo" >&2
exit 1

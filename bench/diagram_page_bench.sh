#!/usr/bin/env bash
# The message diagram page of a big run: its size and how long headless Chromium takes
# to open it (a benchmark, not a test: machines and load vary).
#   bench/diagram_page_bench.sh [build-dir] [nodes] [seconds]
# 1. A broadcast run of our node (default 25 nodes, 20 s, --rate 100 --latency 50,
#    partitions every 5 s) into a temporary store.
# 2. squall serve on that store; the run page, the default diagram page (around the
#    first fault) and the last page of messages are fetched: their sizes must stay under
#    2 MB whatever the run's length.
# 3. Chromium opens each page in an iframe of a local wrapper page, which logs
#    performance.now() at the iframe's load event (DOM parsed, SVG laid out, no
#    browser start-up in the figure); the median of five loads is printed (the machine
#    may be shared: single loads vary by a factor of two).
set -euo pipefail
build=${1:-build}
nodes=${2:-25}
seconds=${3:-20}
chromium=$(command -v chromium || command -v chromium-browser || true)
work=$(mktemp -d)
serve_pid=""
cleanup() {
  if [[ -n "$serve_pid" ]]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "run: broadcast, $nodes nodes, $seconds s" >&2
"$build/squall" test -w broadcast --bin "$build/maelstrom_gossip" --node-count "$nodes" --time-limit "$seconds" \
  --rate 100 --latency 50 --nemesis partition --nemesis-interval 5 --recovery-time 5 --store "$work/store" \
  >"$work/run.out" 2>&1 || true
run=$(cd "$work/store/broadcast/latest" && pwd -P)
run=${run##*/}
messages=$(($(wc -l <"$work/store/broadcast/$run/messages.tsv") - 1))
echo "messages in the run: $messages (messages.tsv $(stat -c %s "$work/store/broadcast/$run/messages.tsv") bytes)"

"$build/squall" serve --store "$work/store" --port 0 >"$work/serve.out" 2>&1 &
serve_pid=$!
for _ in $(seq 50); do grep -q 'http://' "$work/serve.out" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.out" | head -1 | cut -d: -f2)
base="http://127.0.0.1:$port/broadcast/$run"
last=$(tail -1 "$work/store/broadcast/$run/messages.tsv" | cut -f1)

printf '%-26s %12s %14s %16s\n' page bytes server-ms chromium-load-ms
for page in "/" "/messages" "/messages?before=$last"; do
  url="$base$page"
  bytes=$(curl -s -o "$work/page" -w '%{size_download}' "$url")
  server_ms=$(curl -s -o /dev/null -w '%{time_total}' "$url" | awk '{printf "%.0f", $1 * 1000}')
  load="n/a"
  if [[ -n "$chromium" ]]; then
    cat >"$work/wrap.html" <<HTML
<!DOCTYPE html><html><body><iframe id="f" style="width:1280px;height:1600px"></iframe><script>
var t0 = performance.now(); var f = document.getElementById('f');
f.onload = function () { console.log('squall-load-ms ' + Math.round(performance.now() - t0)); };
f.src = '$url';
</script></body></html>
HTML
    times=()
    for _ in 1 2 3 4 5; do
      t=$(timeout -s KILL 60 "$chromium" --headless=new --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --virtual-time-budget=30000 \
        --dump-dom "file://$work/wrap.html" 2>&1 >/dev/null | grep -o 'squall-load-ms [0-9]*' | awk '{print $2}' || true)
      times+=("${t:-nan}")
    done
    load=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  fi
  printf '%-26s %12s %14s %16s\n' "${page:0:26}" "$bytes" "$server_ms" "$load"
  if ((bytes > 2 * 1024 * 1024)); then echo "FAIL: $page is over 2 MB" >&2; exit 1; fi
done

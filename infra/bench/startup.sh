#!/usr/bin/env bash
# Time from start to ready of `comments dev`: from launching infra/bin/comments on a fresh data directory
# to the first 200 of /health/ready, and the node's RSS then, under each JVM setting; median of RUNS runs
# each. The AOT cache is recorded by the launcher itself (one training start, stopped once ready).
# Prints a Markdown table and writes it into docs/benchmarks.md between the startup markers.
#   infra/bench/startup.sh [RUNS=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}"
work="$(mktemp -d)"; port=$(free_port); url="http://127.0.0.1:$port"
node=""
cleanup() { [ -n "$node" ] && { kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; }; rm -rf "$work"; }
trap cleanup EXIT
now_ms() { date +%s%3N; }

# One start on a fresh data directory; prints "milliseconds-to-ready RSS-MiB", then stops the node.
start_once() {
  local dir="$work/run-$RANDOM" start ready rss
  start=$(now_ms)
  "$root/infra/bin/comments" dev --http-port "$port" --https-port "$(free_port)" --dns-port "$(free_port)" \
    --data-dir "$dir" >"$work/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 1200); do
    curl -sf "$url/health/ready" >/dev/null 2>&1 && break
    kill -0 "$node" 2>/dev/null || { cat "$work/node.log" >&2; exit 1; }
    sleep 0.05
  done
  ready=$(now_ms)
  curl -sf "$url/health/ready" >/dev/null || { echo "bench: node not ready" >&2; exit 1; }
  rss=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$node/status")
  kill "$node"; wait "$node" 2>/dev/null || true; node=""
  rm -rf "$dir"
  echo "$((ready - start)) $rss"
}
measure() { # label, then environment for infra/bin/comments
  local label="$1"; shift
  (export "$@"; for _ in $(seq 1 "$runs"); do start_once; done) >"$work/m.txt"
  echo "| $label | $(awk '{ print $1 }' "$work/m.txt" | median) | $(awk '{ print $2 }' "$work/m.txt" | median) |"
}

echo "bench: building if needed, then recording the AOT cache" >&2
rm -f "$root/infra/launcher/target/aot/dev.aot"
start_once >/dev/null # builds when stale; this run records the cache, written as the node stops
[ -s "$root/infra/launcher/target/aot/dev.aot" ] || { echo "bench: no AOT cache was written" >&2; exit 1; }

rows=(
  "$(measure 'G1, -Xms128m -Xmx1g (the flags before)' COMMENTS_AOT=off COMMENTS_JVM_OPTS=-XX:-UseCompactObjectHeaders)"
  "$(measure '+ compact object headers' COMMENTS_AOT=off)"
  "$(measure '+ compact object headers + AOT cache (the default now)' COMMENTS_AOT=on)"
)
table=$(printf '%s\n' "| comments dev, fresh data directory (median of $runs) | start to ready, ms | node RSS at ready, MiB |" "| --- | ---: | ---: |" "${rows[@]}")
echo "$table"
write_section startup "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -1)"

#!/usr/bin/env bash
# Benchmarks of one dev node: POST throughput and latency, GET of a 50-comment thread, write-to-visible
# latency, node RSS at idle and under load. Each wrk figure is the median of RUNS runs measured in this
# one invocation. Prints a Markdown table and writes it into docs/benchmarks.md between the markers.
#   infra/bench/foundation.sh [RUNS=3] [SECONDS=15] [CONNECTIONS=32]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
runs="${1:-3}" seconds="${2:-15}" connections="${3:-32}"

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)" >&2
  apt-get install -y -qq wrk >/dev/null || { echo "bench: wrk is needed: apt-get install wrk" >&2; exit 1; }
fi

work="$(mktemp -d)"; port=18080; url="http://127.0.0.1:$port"
# Rate limits off: the benchmark is one client posting as fast as it can, which they would stop.
"$root/infra/bin/comments" dev --http-port "$port" --data-dir "$work/dev" --rate-limits off \
  >"$work/node.log" 2>&1 &
node=$!
cleanup() { kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -sf "$url/health/ready" >/dev/null 2>&1 && break
  kill -0 "$node" 2>/dev/null || { cat "$work/node.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$url/health/ready" >/dev/null || { echo "bench: node not ready" >&2; exit 1; }

# Waits until the publisher and the projection have caught up, so one phase's backlog does not
# spill into the next one's figures.
drain() {
  for _ in $(seq 1 600); do
    curl -sf "$url/metrics" | awk '
      /^comments_publisher_lag_seconds/ { p = $2 } /^comments_projection_lag_events/ { c = $2 }
      END { exit !(p == 0 && c == 0) }' && return 0
    sleep 0.5
  done
  echo "bench: the node did not catch up within 300 s" >&2; exit 1
}
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# wrk's latency figures come with units; print them in milliseconds.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f\n", v }'; }
field() { # file, what: rps|p50|p99|errors
  case "$2" in
    rps) awk '/^Requests\/sec/ { print $2 }' "$1" ;;
    p50) awk '$1 == "50%" { print $2 }' "$1" | to_ms ;;
    p99) awk '$1 == "99%" { print $2 }' "$1" | to_ms ;;
    errors) awk '/Non-2xx/ { n = $NF } END { print n + 0 }' "$1" ;;
  esac
}

TOKEN=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
  -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
export TOKEN
idle_rss=$(rss_mib "$node")

echo "bench: warming up" >&2
wrk -t2 -c"$connections" -d10s -s "$root/infra/bench/post-comment.lua" "$url" >/dev/null
for i in $(seq 1 50); do
  curl -sf -X POST "$url/api/v1/tenants/demo/threads/fifty/comments" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"text\":\"comment $i of fifty\"}" >/dev/null
done
drain
get_url="$url/api/v1/tenants/demo/threads/fifty/comments?limit=50&readPreference=nearest"
wrk -t2 -c"$connections" -d5s "$get_url" >/dev/null

peak_rss=0
for run in $(seq 1 "$runs"); do
  echo "bench: run $run of $runs" >&2
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$root/infra/bench/post-comment.lua" "$url" >"$work/post-$run.txt" &
  w=$!
  while kill -0 "$w" 2>/dev/null; do r=$(rss_mib "$node"); [ "$r" -gt "$peak_rss" ] && peak_rss=$r; sleep 1; done
  wait "$w"
  drain
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$get_url" >"$work/get-$run.txt" &
  w=$!
  while kill -0 "$w" 2>/dev/null; do r=$(rss_mib "$node"); [ "$r" -gt "$peak_rss" ] && peak_rss=$r; sleep 1; done
  wait "$w"
done
stat() { for run in $(seq 1 "$runs"); do field "$work/$1-$run.txt" "$2"; done | median; }
errors() { for run in $(seq 1 "$runs"); do field "$work/$1-$run.txt" errors; done | awk "{ s += \$1 } END { print s + 0 }"; }
drain
stored=$(curl -sf "$url/metrics" | awk '/^comments_projection_applied_total/ { n += $2 } END { printf "%d", n }')
read -r v50 v99 vmax < <(java "$root/infra/bench/WriteToVisible.java" "$url" "$TOKEN" 300)

table=$(cat <<TABLE
| figure (dev node, $connections connections, median of $runs runs of ${seconds} s) | value |
| --- | --- |
| POST comment throughput | $(stat post rps) req/s |
| POST comment latency p50 / p99 | $(stat post p50) / $(stat post p99) ms |
| GET thread of 50 comments throughput | $(stat get rps) req/s |
| GET thread of 50 comments latency p50 / p99 | $(stat get p50) / $(stat get p99) ms |
| non-2xx answers over all runs (POST / GET) | $(errors post) / $(errors get) |
| write-to-visible latency p50 / p99 / max (300 sequential writes) | $v50 / $v99 / $vmax ms |
| node RSS at idle / peak under load (Kafka broker process not included) | $idle_rss / $peak_rss MiB |
| events in the store at the end (the embedded store scans on compound-index queries) | $stored |
TABLE
)
echo "$table"
doc="$root/docs/benchmarks.md"
if grep -q '<!-- foundation:begin -->' "$doc"; then
  python3 - "$doc" "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -1)" <<'PY'
import re, sys
doc, table, when = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(doc).read()
body = f"<!-- foundation:begin -->\nMeasured {when}:\n\n{table}\n<!-- foundation:end -->"
open(doc, "w").write(re.sub(r"<!-- foundation:begin -->.*<!-- foundation:end -->", lambda m: body, text, flags=re.S))
PY
fi

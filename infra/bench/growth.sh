#!/usr/bin/env bash
# GET and POST rates of a dev node as its store grows: for each size, a fresh data dir is filled with
# that many events by SeedStore.java (comment posts, 100 a thread, written through the product's own
# storage engine and projection code), a node is started on it, and wrk measures a GET of a seeded
# thread's 50-comment page and POSTs spread over 100 threads. Prints a Markdown table and writes it
# into docs/benchmarks.md between the growth markers.
#   infra/bench/growth.sh [RUNS=3] [SECONDS=10] [SIZES=1000,100000,1000000] [CONNECTIONS=32]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" seconds="${2:-10}" sizes="${3:-1000,100000,1000000}" connections="${4:-32}"
need_tools wrk

# The seeder runs on the node's jar and classpath: build them if missing.
if ! ls "$root"/infra/launcher/target/comments-launcher-*.jar >/dev/null 2>&1 || [ ! -f "$root/infra/launcher/target/node.classpath" ]; then
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -Dfuzz.skip package) >&2
fi
work="$(mktemp -d)"; port=$(free_port); url="http://127.0.0.1:$port"; node=""
stop_node() { if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; node=""; fi; }
cleanup() { stop_node; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
launcher_jar="$(ls "$root"/infra/launcher/target/comments-launcher-*.jar | grep -v -- '-sources\|-tests' | head -1)"
classpath="$launcher_jar:$(cat "$root/infra/launcher/target/node.classpath")"

stat() { for run in $(seq 1 "$runs"); do field "$work/$1-$2-$run.txt" "$3"; done | median; }

rows=""
first_get="" first_post=""
for size in ${sizes//,/ }; do
  dir="$work/dev-$size"
  echo "bench: seeding $size events" >&2
  started=$(date +%s)
  "$JAVA_HOME/bin/java" -cp "$classpath" "$root/infra/bench/SeedStore.java" "$dir" "$size" demo >"$work/seed-$size.log" 2>&1 \
    || { cat "$work/seed-$size.log" >&2; exit 1; }
  seeded_s=$(( $(date +%s) - started ))
  started=$(date +%s)
  "$root/infra/bin/comments" dev --http-port "$port" --https-port off --dns-port "$(free_port)" \
    --data-dir "$dir" --rate-limits off >"$work/node-$size.log" 2>&1 &
  node=$!
  wait_ready "$url" "$node" "$work/node-$size.log" 600
  ready_s=$(( $(date +%s) - started ))
  TOKEN=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
    -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
  export TOKEN
  get_url="$url/api/v1/tenants/demo/threads/seed-0000000/comments?limit=50&readPreference=nearest"
  curl -sf "$get_url" | grep -q '"comments":\[{' || { echo "bench: the seeded thread does not read back" >&2; exit 1; }
  wrk -t2 -c"$connections" -d10s -s "$root/infra/bench/post-comment.lua" "$url" >/dev/null
  wrk -t2 -c"$connections" -d5s "$get_url" >/dev/null
  for run in $(seq 1 "$runs"); do
    echo "bench: $size events, run $run of $runs" >&2
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$root/infra/bench/post-comment.lua" "$url" >"$work/post-$size-$run.txt"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "$get_url" >"$work/get-$size-$run.txt"
  done
  stop_node
  get=$(stat get "$size" rps) post=$(stat post "$size" rps)
  first_get=${first_get:-$get} first_post=${first_post:-$post}
  errors=$(for run in $(seq 1 "$runs"); do field "$work/post-$size-$run.txt" errors; field "$work/get-$size-$run.txt" errors; done | awk '{ s += $1 } END { print s + 0 }')
  rows+="| $(printf "%'d" "$size") | ${seeded_s} s / ${ready_s} s | $get req/s (p99 $(stat get "$size" p99) ms) | $(awk -v a="$get" -v b="$first_get" 'BEGIN { printf "%.2f", a / b }')× | $post req/s (p99 $(stat post "$size" p99) ms) | $(awk -v a="$post" -v b="$first_post" 'BEGIN { printf "%.2f", a / b }')× | $errors |"$'\n'
  rm -rf "$dir"
done
table=$(cat <<TABLE
| events stored | seed / start to ready | GET of a seeded 50-comment page | vs the first size | POST spread over 100 threads | vs the first size | non-2xx |
| ---: | --- | --- | ---: | --- | ---: | ---: |
${rows%$'\n'}
TABLE
)
echo "$table"
echo "bench: load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)" >&2
write_section growth "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $connections connections, median of $runs runs of ${seconds} s, load average before $load_before"

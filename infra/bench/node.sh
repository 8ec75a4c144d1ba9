#!/usr/bin/env bash
# The hot path of one dev node, side by side in one run: GET of a 50-comment page (anonymous and with
# a session) beside nginx serving the same bytes; POST throughput spread over 100 threads and on one
# hot thread, beside the bare rates of the node's parts (the embedded store with the event store's
# commit policy, a Kafka producer with the publisher's settings); write-to-visible latency; heap, RSS
# and GC share under load; start to ready. Each wrk figure is the median of RUNS runs. Prints a
# Markdown table and writes it into docs/benchmarks.md between the node markers.
#   infra/bench/node.sh [RUNS=3] [SECONDS=15] [CONNECTIONS=32]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" seconds="${2:-15}" connections="${3:-32}"

need_tools wrk nginx

work="$(mktemp -d)"; port=$(free_port); nginx_port=$(free_port); url="http://127.0.0.1:$port"
node="" nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The launcher builds first when a source is newer than its last build; that must not be timed as
# the node's start.
"$root/infra/bin/comments" help >/dev/null
# Rate limits off: the benchmark is one client posting as fast as it can, which they would stop.
started=$(date +%s.%N)
"$root/infra/bin/comments" dev --http-port "$port" --https-port off --dns-port "$(free_port)" \
  --data-dir "$work/dev" --rate-limits off ${BENCH_NODE_ARGS:-} \
  >"$work/node.log" 2>&1 &
node=$!
wait_ready "$url" "$node" "$work/node.log" 120
ready_s=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
node_pid=$(pgrep -f "dev.comments.infra.Launcher dev --http-port $port" | head -1)
# The banner, which names the broker, follows readiness by a moment.
bootstrap=""
for _ in $(seq 1 100); do
  bootstrap=$(sed -nE 's/.*kafka: ([^ ]+).*/\1/p' "$work/node.log" | head -1)
  [ -n "$bootstrap" ] && break
  sleep 0.1
done
[ -n "$bootstrap" ] || { echo "bench: the node's banner names no Kafka broker" >&2; exit 1; }
broker_pid=$(pgrep -P "$node_pid" java | head -1 || true)

rss_mib() { [ -n "$1" ] && awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
metric() { curl -sf "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%.6f\n", s }'; }
# GC pause time between two readings as a percentage of the wall time between them.
share() { awk -v g0="$1" -v g1="$2" -v t0="$3" -v t1="$4" 'BEGIN { printf "%.2f", 100 * (g1 - g0) / (t1 - t0) }'; }
peak_rss=0 peak_heap=0
# Runs wrk (its arguments) into a file, sampling the node's RSS and heap while it runs.
measure() {
  local out="$1"; shift
  wrk -t2 -c"$connections" --latency "$@" >"$out" &
  local w=$!
  while kill -0 "$w" 2>/dev/null; do
    local r; r=$(rss_mib "$node_pid"); [ "$r" -gt "$peak_rss" ] && peak_rss=$r
    local h; h=$(curl -sf "$url/metrics" | awk '/^jvm_memory_used_bytes\{area="heap"/ { s += $NF } END { printf "%.0f", s / 1048576 }')
    [ "${h:-0}" -gt "$peak_heap" ] && peak_heap=$h
    sleep 1
  done
  wait "$w"
}

TOKEN=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
  -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
export TOKEN
idle_rss=$(rss_mib "$node_pid")

echo "bench: warming up" >&2
wrk -t2 -c"$connections" -d20s -s "$root/infra/bench/post-comment.lua" "$url" >/dev/null
wrk -t2 -c"$connections" -d5s -s "$root/infra/bench/post-hot-thread.lua" "$url" >/dev/null
for i in $(seq 1 50); do
  curl -sf -X POST "$url/api/v1/tenants/demo/threads/fifty/comments" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"text\":\"comment $i of fifty, about as long as a short comment is\"}" >/dev/null
done
drain "$url"
get_url="$url/api/v1/tenants/demo/threads/fifty/comments?limit=50&readPreference=nearest"
curl -sf "$get_url" >"$work/page.json"
page_bytes=$(wc -c <"$work/page.json")
wrk -t2 -c"$connections" -d5s "$get_url" >/dev/null

# nginx serves the page's bytes as a static file, keeping connections open as the node does.
mkdir -p "$work/nginx/html"
cp "$work/page.json" "$work/nginx/html/page.json"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $work/nginx/html; etag on; }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$nginx_port/page.json" >/dev/null && break; sleep 0.1; done
wrk -t2 -c"$connections" -d5s "http://127.0.0.1:$nginx_port/page.json" >/dev/null

# Runs PartsRate.java; a failed run is said, with its output, and counts as no figure.
parts() {
  "$JAVA_HOME/bin/java" -cp "$root/infra/launcher/target/classes:$(cat "$root/infra/launcher/target/node.classpath")" \
    "$root/infra/bench/PartsRate.java" "$@" >"$work/parts.out" 2>&1 \
    || { echo "bench: PartsRate $1 failed:" >&2; tail -20 "$work/parts.out" >&2; echo "0 0 0"; return 0; }
  tail -1 "$work/parts.out"
}
gc_share=()
for run in $(seq 1 "$runs"); do
  echo "bench: run $run of $runs" >&2
  gc0=$(metric jvm_gc_pause_seconds_sum); t0=$(date +%s.%N)
  measure "$work/post-$run.txt" -d"${seconds}s" -s "$root/infra/bench/post-comment.lua" "$url"
  gc1=$(metric jvm_gc_pause_seconds_sum); t1=$(date +%s.%N)
  gc_share+=("$(share "$gc0" "$gc1" "$t0" "$t1")")
  drain "$url"
  measure "$work/hot-$run.txt" -d"${seconds}s" -s "$root/infra/bench/post-hot-thread.lua" "$url"
  drain "$url"
  gc0=$(metric jvm_gc_pause_seconds_sum); t0=$(date +%s.%N)
  measure "$work/get-$run.txt" -d"${seconds}s" "$get_url"
  gc1=$(metric jvm_gc_pause_seconds_sum); t1=$(date +%s.%N)
  gc_share+=("$(share "$gc0" "$gc1" "$t0" "$t1")")
  measure "$work/session-$run.txt" -d"${seconds}s" -H "Authorization: Bearer $TOKEN" "$get_url"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$nginx_port/page.json" >"$work/nginx-$run.txt"
  # The parts alone, in the same run: the node is idle meanwhile.
  parts store "$seconds" "$connections" >"$work/store-$run.txt"
  parts kafka "$bootstrap" "$seconds" "$connections" >"$work/kafka-$run.txt"
done
stat() { for run in $(seq 1 "$runs"); do field "$work/$1-$run.txt" "$2"; done | median; }
errors() { for run in $(seq 1 "$runs"); do field "$work/$1-$run.txt" errors; done | awk '{ s += $1 } END { print s + 0 }'; }
part() { for run in $(seq 1 "$runs"); do awk -v c="$2" '{ print $c }' "$work/$1-$run.txt"; done | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
drain "$url"
stored=$(curl -sf "$url/metrics" | awk '/^comments_projection_applied_total/ { n += $2 } END { printf "%d", n }')
read -r v50 v99 vmax < <("$JAVA_HOME/bin/java" "$root/infra/bench/WriteToVisible.java" "$url" "$TOKEN" 300)
read -r l50 l99 lmax < <("$JAVA_HOME/bin/java" "$root/infra/bench/WriteToVisible.java" "$url" "$TOKEN" 300 live)
# The Kafka part of one event's way to the readers: one record a transaction, back to back.
read -r _ one50 one99 < <(parts kafka "$bootstrap" 5 1)
gc_median=$(printf '%s\n' "${gc_share[@]}" | median)

post=$(stat post rps) hot=$(stat hot rps) get=$(stat get rps) session=$(stat session rps) ngx=$(stat nginx rps)
store_rate=$(part store 1) kafka_rate=$(part kafka 1)
table=$(cat <<TABLE
| figure (dev node, $connections connections, median of $runs runs of ${seconds} s) | value | target |
| --- | --- | --- |
| GET of a 50-comment page ($page_bytes bytes), anonymous | $get req/s, p50 / p99 $(stat get p50) / $(stat get p99) ms | |
| GET of the same page with a session (its viewer's votes laid over) | $session req/s, p50 / p99 $(stat session p50) / $(stat session p99) ms | |
| nginx serving the same bytes as a static file | $ngx req/s, p50 / p99 $(stat nginx p50) / $(stat nginx p99) ms | |
| GET anonymous / with a session, as a share of nginx | $(ratio "$get" "$ngx")× / $(ratio "$session" "$ngx")× | ≥ 0.5× |
| POST comment, spread over 100 threads | $post req/s, p50 / p99 $(stat post p50) / $(stat post p99) ms | ≥ 5,000/s |
| POST comment, all connections on one hot thread | $hot req/s, p50 / p99 $(stat hot p50) / $(stat hot p99) ms | ≥ 2,000/s |
| bare embedded store: journaled inserts, $connections writers sharing commits | $store_rate/s, p50 / p99 $(part store 2) / $(part store 3) ms | |
| bare Kafka producer, publisher's settings, $connections records a transaction | $kafka_rate records/s, transaction p50 / p99 $(part kafka 2) / $(part kafka 3) ms | |
| POST as a share of the bare store / of the bare producer | $(ratio "$post" "$store_rate")× / $(ratio "$post" "$kafka_rate")× | |
| non-2xx answers and socket errors over all runs (POST / hot / GET / session) | $(errors post) / $(errors hot) / $(errors get) / $(errors session) | 0 |
| write-to-visible, one writer: POST, then poll the local page (300 writes) p50 / p99 / max | $v50 / $v99 / $vmax ms | p99 ≤ 20 ms |
| write-to-visible, one writer: POST, then its message to a live websocket reader (300 writes) p50 / p99 / max | $l50 / $l99 / $lmax ms | |
| bare Kafka producer, one record a transaction, back to back: transaction p50 / p99 | $one50 / $one99 ms | |
| GC pauses as a share of wall time under load (median over POST and GET runs) | $(printf '%.1f' "$gc_median") % | |
| node heap used, peak under load (-Xmx1g) | $peak_heap MiB | |
| node RSS idle / peak under load; Kafka broker RSS at the end | $idle_rss / $peak_rss / $(rss_mib "$broker_pid") MiB | |
| start of \`comments dev\` to ready (fresh data dir, includes the broker) | $ready_s s | |
| events stored at the end | $stored | |
TABLE
)
echo "$table"
echo "bench: load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)" >&2
write_section node "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average before $load_before"

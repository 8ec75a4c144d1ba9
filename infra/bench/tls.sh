#!/usr/bin/env bash
# HTTPS with HTTP/2, side by side in one run: h2load GETs a 50-comment page from a dev node's TLS
# listener and the same bytes as a static file from nginx, configured with the node's certificate
# and key, TLS 1.2/1.3 and the same cipher suites. Reports requests per second, latency p50/p99 (from
# h2load's per-request log) and CPU time per request (the server's processes only, from /proc). Each
# figure is the median of RUNS runs, node and nginx alternating. Prints a Markdown table and writes it
# into docs/benchmarks.md between the tls markers.
#   infra/bench/tls.sh [RUNS=3] [REQUESTS=40000] [CONNECTIONS=32] [STREAMS=10]
# BENCH_TLS_ENGINE=native|jdk|auto picks the node's TLS engine (comments.tls.engine); a jdk run is
# written between its own -jdk markers, beside the native one. BENCH_JFR=1 records the node with JFR
# (profile settings) and prints its hottest methods and allocation sites afterwards; its figures are
# then not the ones to compare (JFR costs a little).
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" requests="${2:-40000}" connections="${3:-32}" streams="${4:-10}"

h2_node_start

TOKEN=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
  -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
for i in $(seq 1 50); do
  curl -sf -X POST "$url/api/v1/tenants/demo/threads/fifty/comments" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"text\":\"comment $i of fifty, about as long as a short comment is\"}" >/dev/null
done
route="/api/v1/tenants/demo/threads/fifty/comments"
path="$route?limit=50&readPreference=nearest"
for _ in $(seq 1 100); do
  curl -sf "$url$path" >"$work/page.json"
  [ "$(grep -o '"commentId"' "$work/page.json" | wc -l)" -ge 50 ] && break
  sleep 0.2
done
page_bytes=$(wc -c <"$work/page.json")

# nginx: the node's own certificate and key, the same protocols and suites, the page as a file.
h2_nginx_start "$path" "$work/page.json" "
    location = $route { default_type application/json; try_files /page.json =404; }"

h2_compare "$path"

table=$(cat <<TABLE
| GET of a 50-comment page ($page_bytes bytes) over HTTP/2 + TLS, $connections connections × $streams streams | req/s | p50 | p99 | CPU per request |
| --- | --- | --- | --- | --- |
| comments dev node (Undertow, $tls_engine TLS engine) | $node_rps | $(col node 2) ms | $(col node 3) ms | $(col node 4) µs |
| nginx, the same bytes as a static file, the same certificate | $ngx_rps | $(col nginx 2) ms | $(col nginx 3) ms | $(col nginx 4) µs |
| node as a share of nginx (target ≥ 0.8×) | $ratio× | | | |
TABLE
)
h2_report tls "$table"

#!/usr/bin/env bash
# New TLS connections, side by side in one run: CLIENTS h2load clients connect at once to a dev node's
# TLS listener, each making one full handshake (TLS 1.3, ECDHE and an ECDSA P-256 signature; no
# resumption) and one HTTP/2 GET of the widget's loader, as a reader's browser does on its first visit;
# then the same against nginx with the node's certificate and key serving the same bytes as a file.
# Reports connections per second, latency p50/p99 and CPU per connection (the server's processes only,
# from /proc). Each figure is the median of RUNS runs, node and nginx alternating. Prints a Markdown
# table and writes it into docs/benchmarks.md between the handshakes markers.
#   infra/bench/handshakes.sh [RUNS=3] [CLIENTS=1000]
# BENCH_TLS_ENGINE=native|jdk|auto picks the node's TLS engine (a jdk run is written between the
# handshakes-jdk markers).
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" clients="${2:-1000}"
# One request per client: every request pays a handshake.
requests=$clients connections=$clients streams=1

h2_node_start

path=/widget/v1/embed.js
curl -sf "$url$path" >"$work/embed.js"
h2_nginx_start "$path" "$work/embed.js" "
    location = $path { default_type text/javascript; try_files /embed.js =404; }"

h2_compare "$path"

table=$(cat <<TABLE
| $clients clients connecting at once, each one TLS handshake and one GET of the widget's loader ($(wc -c <"$work/embed.js") bytes) | connections/s | request p50 | request p99 | CPU per connection |
| --- | --- | --- | --- | --- |
| comments dev node (Undertow, $tls_engine TLS engine) | $node_rps | $(col node 2) ms | $(col node 3) ms | $(col node 4) µs |
| nginx, the same bytes as a static file, the same certificate | $ngx_rps | $(col nginx 2) ms | $(col nginx 3) ms | $(col nginx 4) µs |
| node as a share of nginx | $ratio× | | | |
TABLE
)
h2_report handshakes "$table"

#!/usr/bin/env bash
# The CDN's hit path beside nginx, side by side in one run, over HTTP/2 + TLS: h2load GETs a cached
# ~100 KB image from a dev node's TLS listener and the same bytes as a static file from nginx,
# configured with the node's certificate and key, TLS 1.2/1.3, the same cipher suites and the same
# cache headers. Reports requests per second, latency p50/p99 (from h2load's per-request log) and
# CPU time per request (the server's processes only, from /proc). Each figure is the median of RUNS
# runs, node and nginx alternating. Prints a Markdown table and writes it into docs/benchmarks.md
# between the cdn markers.
#   infra/bench/cdn.sh [RUNS=3] [REQUESTS=20000] [CONNECTIONS=32] [STREAMS=10]
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
runs="${1:-3}" requests="${2:-20000}" connections="${3:-32}" streams="${4:-10}"

h2_node_start

# A ~100 KB PNG of noise (noise does not compress), written without any imaging library.
python3 - "$work/image.png" <<'PY'
import os, struct, sys, zlib
w = h = 182
raw = b"".join(b"\0" + os.urandom(w * 3) for _ in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY
size=$(stat -c %s "$work/image.png")
token=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
  -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
path=$(curl -sf -X POST "$url/api/v1/tenants/demo/media" -H "Authorization: Bearer $token" \
  -H 'Content-Type: image/png' --data-binary @"$work/image.png" | sed -E 's/.*"url":"([^"]+)".*/\1/')
# The projection learns of the upload, then one GET fills the cache.
for _ in $(seq 1 100); do curl -sfk -o /dev/null "https://127.0.0.1:$tls_port$path" && break; sleep 0.1; done
cmp -s <(curl -sfk "https://127.0.0.1:$tls_port$path") "$work/image.png" \
  || { echo "bench: the node does not serve the image's bytes at $path" >&2; exit 1; }

# nginx: the node's own certificate and key, the same protocols and suites, the image as a file at
# the same path, with the node's cache headers.
h2_nginx_start "$path" "$work/image.png" "
    location = $path {
      default_type image/png;
      add_header Cache-Control \"public, max-age=31536000, immutable\";
      add_header X-Content-Type-Options nosniff;
      try_files /image.png =404;
    }"

h2_compare "$path"

table=$(cat <<TABLE
| cached image ($size bytes) over HTTP/2 + TLS, $connections connections × $streams streams | req/s | p50 | p99 | CPU per request |
| --- | --- | --- | --- | --- |
| comments dev node, CDN cache hit (Undertow, $tls_engine TLS engine) | $node_rps | $(col node 2) ms | $(col node 3) ms | $(col node 4) µs |
| nginx, the same bytes as a static file, the same certificate and headers | $ngx_rps | $(col nginx 2) ms | $(col nginx 3) ms | $(col nginx 4) µs |
| node as a share of nginx (target ≥ 0.9×) | $ratio× | | | |
TABLE
)
h2_report cdn "$table"

#!/usr/bin/env bash
# The CDN's hit path beside nginx, side by side in one run, over HTTP/2 + TLS: h2load GETs a cached
# ~100 KB image from a dev node's TLS listener and the same bytes as a static file from nginx,
# configured with the node's certificate and key, TLS 1.2/1.3, the same cipher suites and the same
# cache headers. Reports requests per second, latency p50/p99 (from h2load's per-request log) and
# CPU time per request (the server's processes only, from /proc). Each figure is the median of RUNS
# runs, node and nginx alternating. Prints a Markdown table and writes it into docs/benchmarks.md
# between the cdn markers.
#   infra/bench/cdn.sh [RUNS=3] [REQUESTS=20000] [CONNECTIONS=32] [STREAMS=10]
# BENCH_JFR=1 records the node with JFR (profile settings) and prints its hottest methods and
# allocation sites afterwards; its figures are then not the ones to compare (JFR costs a little).
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" requests="${2:-20000}" connections="${3:-32}" streams="${4:-10}"

need_nginx_and_h2load

work="$(mktemp -d)"
port=$(free_port) tls_port=$(free_port) nginx_port=$(free_port) dns_port=$(free_port)
url="http://127.0.0.1:$port"
node="" nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

jfr_opts=""
[ -n "${BENCH_JFR:-}" ] && jfr_opts="-XX:StartFlightRecording=filename=$work/node.jfr,settings=profile"
COMMENTS_JVM_OPTS="${COMMENTS_JVM_OPTS:-} $jfr_opts" \
  "$root/infra/bin/comments" dev --http-port "$port" --https-port "$tls_port" --dns-port "$dns_port" \
  --data-dir "$work/dev" --rate-limits off >"$work/node.log" 2>&1 &
node=$!
wait_ready "$url" "$node" "$work/node.log" 180
node_pid=$(pgrep -f "dev.comments.infra.Launcher dev --http-port $port" | head -1)

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
nginx_tls "$work" "$nginx_port" "$work/dev/tls/certificate.pem" "$work/dev/tls/private-key.pem" "
    location = $path {
      default_type image/png;
      add_header Cache-Control \"public, max-age=31536000, immutable\";
      add_header X-Content-Type-Options nosniff;
      try_files /image.png =404;
    }"
cp "$work/image.png" "$work/nginx/html/image.png"
chmod 644 "$work/nginx/html/image.png"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sfk -o /dev/null "https://127.0.0.1:$nginx_port$path" && break; sleep 0.1; done
cmp -s <(curl -sfk "https://127.0.0.1:$nginx_port$path") "$work/image.png" \
  || { echo "bench: nginx does not serve the image's bytes" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# Warm both up (the JIT, the page cache), then measure, alternating.
timeout 600 h2load -n "$requests" -c "$connections" -m "$streams" -t 2 "https://127.0.0.1:$tls_port$path" >/dev/null
timeout 600 h2load -n "$requests" -c "$connections" -m "$streams" -t 2 "https://127.0.0.1:$nginx_port$path" >/dev/null
: >"$work/node.res"; : >"$work/nginx.res"
for r in $(seq 1 "$runs"); do
  h2_run "node-$r" "https://127.0.0.1:$tls_port$path" "$requests" "$connections" "$streams" "$work" \
    "$node_pid" >>"$work/node.res"
  h2_run "nginx-$r" "https://127.0.0.1:$nginx_port$path" "$requests" "$connections" "$streams" "$work" \
    $(nginx_pids) >>"$work/nginx.res"
done
grep -q "Application protocol: h2" "$work/node-1.txt" || { echo "bench: the node did not speak h2" >&2; cat "$work/node-1.txt" >&2; exit 1; }
col() { awk -v c="$2" '{ print $c }' "$work/$1.res" | median; }
failed=$(awk '{ s += $5 } END { print s + 0 }' "$work/node.res" "$work/nginx.res")
[ "$failed" -eq 0 ] || echo "bench: $failed requests were not 200 (node: $(awk '{ s += $5 } END { print s + 0 }' "$work/node.res"))" >&2
node_rps=$(col node 1) ngx_rps=$(col nginx 1)
cipher=$(sed -nE 's/^Cipher: (.*)/\1/p' "$work/node-1.txt" | head -1)
ratio=$(awk -v a="$node_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')

table=$(cat <<TABLE
| cached image ($size bytes) over HTTP/2 + TLS, $connections connections × $streams streams | req/s | p50 | p99 | CPU per request |
| --- | --- | --- | --- | --- |
| comments dev node, CDN cache hit (Undertow, JDK TLS) | $node_rps | $(col node 2) ms | $(col node 3) ms | $(col node 4) µs |
| nginx, the same bytes as a static file, the same certificate and headers | $ngx_rps | $(col nginx 2) ms | $(col nginx 3) ms | $(col nginx 4) µs |
| node as a share of nginx (target ≥ 0.9×) | $ratio× | | | |
TABLE
)
echo "$table"
echo "cipher: $cipher; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BENCH_JFR:-}" ]; then
  "$JAVA_HOME/bin/jcmd" "$node_pid" JFR.dump filename="$work/node.jfr" >/dev/null
  jfr_top "$work/node.jfr"
  echo "bench: JFR figures are not written to docs/benchmarks.md" >&2
  exit 0
fi
write_section cdn "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nginx -v 2>&1 | sed 's/.*: //'), $(h2load --version | head -1), $requests requests × $runs runs, cipher $cipher, load average before $load_before"

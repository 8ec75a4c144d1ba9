#!/usr/bin/env bash
# The CDN's hit path beside nginx serving the same bytes, in one run: a cached ~100 KB image over
# plain HTTP/1.1 (h2load --h1; TLS and HTTP/2 land with the edge's TLS listener), each side measured
# RUNS times, alternating, the median kept. Reports req/s, p50, p99 (from h2load's per-request log)
# and CPU per request (the server process's user+system time over the requests it answered). Prints a
# Markdown table and writes it into docs/benchmarks.md between the cdn markers.
#   infra/bench/cdn.sh [RUNS=3] [REQUESTS=20000] [CONNECTIONS=32]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" requests="${2:-20000}" connections="${3:-32}"

for tool in h2load:nghttp2-client nginx:nginx; do
  if ! command -v "${tool%%:*}" >/dev/null && [ ! -x "/usr/sbin/${tool%%:*}" ]; then
    echo "bench: installing ${tool#*:} (Debian package)" >&2
    apt-get install -y -qq "${tool#*:}" >/dev/null || { echo "bench: apt-get install ${tool#*:}" >&2; exit 1; }
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work="$(mktemp -d)"; port=18090; nginx_port=18091; url="http://127.0.0.1:$port"
node="" nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

"$root/infra/bin/comments" dev --http-port "$port" --data-dir "$work/dev" --rate-limits off \
  >"$work/node.log" 2>&1 &
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
for _ in $(seq 1 100); do curl -sf -o /dev/null "$url$path" && break; sleep 0.1; done
curl -sf "$url$path" | cmp - "$work/image.png"

mkdir -p "$work/www/cdn" "$work/nginx"
cp "$work/image.png" "$work/www/cdn/image.png"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { image/png png; }
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location /cdn/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header X-Content-Type-Options nosniff;
    }
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/cdn/image.png" && break; sleep 0.1; done

# CPU ticks (user + system) of a process and its threads, and of nginx's workers with it.
ticks() { local t=0; for p in "$@"; do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat") )); done; echo "$t"; }
hz=$(getconf CLK_TCK)

# One h2load run against URL, with the PIDS whose CPU it costs: prints "rps p50 p99 cpu_us_per_req".
run() {
  local target=$1; shift
  local log="$work/h2load.log" before after
  rm -f "$log"
  before=$(ticks "$@")
  h2load --h1 -n "$requests" -c "$connections" -t 2 --log-file="$log" "$target" >"$work/h2load.out"
  after=$(ticks "$@")
  local ok; ok=$(awk '/^requests:/ { print $8 }' "$work/h2load.out")
  [ "$ok" = "$requests" ] || { cat "$work/h2load.out" >&2; echo "bench: failed requests" >&2; exit 1; }
  local rps; rps=$(awk '/^finished in/ { printf "%.0f", $4 }' "$work/h2load.out")
  # The log: start time, status, latency in microseconds, one request a line.
  local p50 p99
  p50=$(awk '{ print $3 }' "$log" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int(NR * 0.50)] / 1000 }')
  p99=$(awk '{ print $3 }' "$log" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int(NR * 0.99)] / 1000 }')
  local cpu; cpu=$(awk -v a="$before" -v b="$after" -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.1f", (b - a) * 1e6 / hz / n }')
  echo "$rps $p50 $p99 $cpu"
}

nginx_pids="$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"
# Warm both (JIT, page cache), then alternate.
run "$url$path" "$node_pid" >/dev/null
run "http://127.0.0.1:$nginx_port/cdn/image.png" $nginx_pids >/dev/null
: >"$work/edge.txt"; : >"$work/nginx.txt"
for _ in $(seq 1 "$runs"); do
  run "$url$path" "$node_pid" >>"$work/edge.txt"
  run "http://127.0.0.1:$nginx_port/cdn/image.png" $nginx_pids >>"$work/nginx.txt"
done
col() { awk -v c="$2" '{ print $c }' "$1" | median; }
e_rps=$(col "$work/edge.txt" 1) n_rps=$(col "$work/nginx.txt" 1)
ratio=$(awk -v a="$e_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')

table=$(cat <<TABLE
| ${size}-byte image, HTTP/1.1, $connections connections, $requests requests | req/s | p50 ms | p99 ms | CPU µs/request |
| --- | --- | --- | --- | --- |
| edge CDN (cache hit) | $e_rps | $(col "$work/edge.txt" 2) | $(col "$work/edge.txt" 3) | $(col "$work/edge.txt" 4) |
| nginx (sendfile, 2 workers) | $n_rps | $(col "$work/nginx.txt" 2) | $(col "$work/nginx.txt" 3) | $(col "$work/nginx.txt" 4) |
| edge / nginx | $ratio× | | | |
TABLE
)
echo "$table"
when="$(date -u +%Y-%m-%d) on $(nproc) cores, load before $load_before, median of $runs runs (infra/bench/cdn.sh)"
write_section cdn "$table" "$when"

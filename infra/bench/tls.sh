#!/usr/bin/env bash
# HTTPS with HTTP/2, side by side in one run: h2load GETs a 50-comment page from a dev node's TLS
# listener and the same bytes as a static file from nginx, configured with the node's certificate
# and key, TLS 1.2/1.3 and the same cipher suites. Reports requests per second, latency p50/p99 (from
# h2load's per-request log) and CPU time per request (the server's processes only, from /proc). Each
# figure is the median of RUNS runs, node and nginx alternating. Prints a Markdown table and writes it
# into docs/benchmarks.md between the tls markers.
#   infra/bench/tls.sh [RUNS=3] [SECONDS=15] [CONNECTIONS=32] [STREAMS=10]
# BENCH_JFR=1 records the node with JFR (profile settings) and prints its hottest methods and
# allocation sites afterwards; its figures are then not the ones to compare (JFR costs a little).
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" seconds="${2:-15}" connections="${3:-32}" streams="${4:-10}"

command -v nginx >/dev/null || { echo "bench: nginx is needed: apt-get install nginx" >&2; exit 1; }
if ! command -v h2load >/dev/null; then
  echo "bench: installing h2load (Debian package nghttp2-client)" >&2
  apt-get install -y -qq nghttp2-client >/dev/null || { echo "bench: apt-get install nghttp2-client" >&2; exit 1; }
fi

work="$(mktemp -d)"; port=18280; tls_port=18643; nginx_port=18644; dns_port=18253
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
cert="$work/dev/tls/certificate.pem" key="$work/dev/tls/private-key.pem"
mkdir -p "$work/nginx/html"
cp "$work/page.json" "$work/nginx/html/page.json"
# nginx's workers drop privileges: they must be able to reach the file.
chmod 755 "$work" "$work/nginx" "$work/nginx/html"; chmod 644 "$work/nginx/html/page.json"
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
  server {
    listen 127.0.0.1:$nginx_port ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    root $work/nginx/html;
    location = $route { try_files /page.json =404; }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sfk "https://127.0.0.1:$nginx_port$path" >/dev/null && break; sleep 0.1; done
cmp -s <(curl -sfk "https://127.0.0.1:$nginx_port$path") "$work/page.json" \
  || { echo "bench: nginx does not serve the page's bytes" >&2; exit 1; }

# CPU seconds (user + system) used so far by a process and its children's threads (nginx: master
# and workers).
cpu_s() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" '{ print t + ($14 + $15) / hz }' "/proc/$p/stat")
  done
  echo "$total"
}
nginx_pids() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# One h2load run: RPS, p50, p99 (ms) and CPU µs per request of the given server processes.
run() {
  local name=$1 target=$2; shift 2
  local before after
  before=$(cpu_s "$@")
  h2load -D "$seconds" -c "$connections" -m "$streams" -t 2 --log-file "$work/$name.log" "$target" \
    >"$work/$name.txt"
  after=$(cpu_s "$@")
  python3 - "$work/$name.log" "$work/$name.txt" "$before" "$after" "$seconds" <<'PY'
import sys, re
log, txt, before, after, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
lat = sorted(int(line.split()[2]) for line in open(log) if line.split()[1] == "200")
failed = sum(1 for line in open(log) if line.split()[1] != "200")
n = len(lat)
pct = lambda q: lat[min(n - 1, int(q * n))] / 1000
rps = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", open(txt).read()).group(1))
print(f"{rps:.0f} {pct(0.50):.2f} {pct(0.99):.2f} {(after - before) * 1e6 / max(n, 1):.0f} {failed}")
PY
}

# Warm both up (the JIT, nginx's caches), then measure, alternating.
h2load -D 5 -c "$connections" -m "$streams" -t 2 "https://127.0.0.1:$tls_port$path" >/dev/null
h2load -D 3 -c "$connections" -m "$streams" -t 2 "https://127.0.0.1:$nginx_port$path" >/dev/null
: >"$work/node.res"; : >"$work/nginx.res"
for r in $(seq 1 "$runs"); do
  run "node-$r" "https://127.0.0.1:$tls_port$path" "$node_pid" >>"$work/node.res"
  run "nginx-$r" "https://127.0.0.1:$nginx_port$path" $(nginx_pids) >>"$work/nginx.res"
done
grep -q "Application protocol: h2" "$work/node-1.txt" || { echo "bench: the node did not speak h2" >&2; cat "$work/node-1.txt" >&2; exit 1; }
col() { awk -v c="$2" '{ print $c }' "$work/$1.res" | median; }
failed=$(awk '{ s += $5 } END { print s + 0 }' "$work/node.res" "$work/nginx.res")
[ "$failed" -eq 0 ] || echo "bench: $failed requests were not 200" >&2
node_rps=$(col node 1) ngx_rps=$(col nginx 1)
protocol=$(sed -nE 's/^Cipher: (.*)/\1/p' "$work/node-1.txt" | head -1)
ratio=$(awk -v a="$node_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')

table=$(cat <<TABLE
| GET of a 50-comment page ($page_bytes bytes) over HTTP/2 + TLS, $connections connections × $streams streams | req/s | p50 | p99 | CPU per request |
| --- | --- | --- | --- | --- |
| comments dev node (Undertow, JDK TLS) | $node_rps | $(col node 2) ms | $(col node 3) ms | $(col node 4) µs |
| nginx, the same bytes as a static file, the same certificate | $ngx_rps | $(col nginx 2) ms | $(col nginx 3) ms | $(col nginx 4) µs |
| node as a share of nginx (target ≥ 0.8×) | $ratio× | | | |
TABLE
)
echo "$table"
echo "cipher: $protocol"
if [ -n "${BENCH_JFR:-}" ]; then
  "$JAVA_HOME/bin/jcmd" "$node_pid" JFR.dump filename="$work/node.jfr" >/dev/null
  "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$work/node.jfr" | head -40
  "$JAVA_HOME/bin/jfr" view --width 160 allocation-by-site "$work/node.jfr" | head -20
  echo "bench: JFR figures are not written to docs/benchmarks.md" >&2
  exit 0
fi
write_section tls "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nginx -v 2>&1 | sed 's/.*: //'), $(h2load --version | head -1), $seconds s × $runs runs, cipher $protocol, load average before $load_before"

# Helpers shared by the benchmark scripts (node.sh, growth.sh, dns.sh, tls.sh, cdn.sh): sourced, not run.

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# wrk's latency figures come with units; print them in milliseconds.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f\n", v }'; }

# One figure of a wrk --latency output file: field FILE rps|p50|p99|errors
field() {
  case "$2" in
    rps) awk '/^Requests\/sec/ { printf "%.0f\n", $2 }' "$1" ;;
    p50) awk '$1 == "50%" { print $2 }' "$1" | to_ms ;;
    p99) awk '$1 == "99%" { print $2 }' "$1" | to_ms ;;
    errors) awk '/Non-2xx|Socket errors/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END { print n + 0 }' "$1" ;;
  esac
}

# wait_ready URL PID LOG SECONDS: waits until the node answers /health/ready; exits, with the node's
# log, if it dies or is not ready in time.
wait_ready() {
  local url=$1 pid=$2 log=$3 seconds=$4
  for _ in $(seq 1 $(( seconds * 10 ))); do
    curl -sf "$url/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench: node not ready after $seconds s" >&2; exit 1
}

# write_section NAME TABLE WHEN: replaces what lies between <!-- NAME:begin --> and <!-- NAME:end --> in
# docs/benchmarks.md with "Measured WHEN:" and the table; does nothing when the markers are missing.
write_section() {
  local doc; doc="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/docs/benchmarks.md"
  grep -q "<!-- $1:begin -->" "$doc" || return 0
  python3 - "$doc" "$1" "$2" "$3" <<'PY'
import re, sys
doc, name, table, when = sys.argv[1:5]
text = open(doc).read()
body = f"<!-- {name}:begin -->\nMeasured {when}:\n\n{table}\n<!-- {name}:end -->"
pattern = re.escape(f"<!-- {name}:begin -->") + ".*" + re.escape(f"<!-- {name}:end -->")
open(doc, "w").write(re.sub(pattern, lambda m: body, text, flags=re.S))
PY
}

# free_port: a port nothing listens on now (the kernel's pick for port 0), so that a script never
# clashes with another one running beside it.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# drain URL [SECONDS=300]: waits until the node's publisher and projection have caught up, so one
# phase's backlog does not spill into the next one's figures.
drain() {
  local url=$1 limit=${2:-300}
  for _ in $(seq 1 $((limit * 2))); do
    curl -sf "$url/metrics" | awk '
      /^comments_publisher_lag_seconds/ { p = $2 } /^comments_projection_lag_events/ { c = $2 }
      END { exit !(p == 0 && c == 0) }' && return 0
    sleep 0.5
  done
  echo "bench: the node did not catch up within $limit s" >&2; exit 1
}

# need_tools TOOL[:PACKAGE]...: installs with apt-get the Debian package of each tool not on the PATH
# (PACKAGE defaults to the tool's name), or stops the benchmark saying what it needs.
need_tools() {
  local spec tool package
  for spec in "$@"; do
    tool="${spec%%:*}" package="${spec#*:}"
    if ! command -v "$tool" >/dev/null; then
      echo "bench: installing $tool (Debian package $package)" >&2
      { apt-get update -qq && apt-get install -y -qq "$package"; } >/dev/null \
        || { echo "bench: $tool is needed: apt-get install $package" >&2; exit 1; }
    fi
  done
}

# cpu_s PID...: CPU seconds (user + system) used so far by these processes (all their threads).
cpu_s() {
  local total=0 p
  for p in "$@"; do
    [ -r "/proc/$p/stat" ] || continue
    total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" '{ print t + ($14 + $15) / hz }' "/proc/$p/stat")
  done
  echo "$total"
}

# nginx_tls WORK PORT CERT KEY LOCATIONS: writes WORK/nginx/nginx.conf for HTTP/2 over TLS with the
# node's certificate and key, TLS 1.2/1.3 and NodeTls.CIPHER_SUITES' ECDHE/AEAD suites, serving
# WORK/nginx/html with the given location blocks, and makes WORK reachable by nginx's workers, which
# drop root's privileges (a mktemp -d directory is 0700: every request would be 403).
nginx_tls() {
  local work=$1 port=$2 cert=$3 key=$4 locations=$5
  mkdir -p "$work/nginx/html"
  chmod 755 "$work" "$work/nginx" "$work/nginx/html"
  cat >"$work/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server {
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    root $work/nginx/html;
$locations
  }
}
NGINX
}

# h2_run NAME URL REQUESTS CONNECTIONS STREAMS WORK PID...: one h2load run of REQUESTS requests
# (HTTP/2 over TLS, 2 threads) against URL; prints "req/s p50_ms p99_ms cpu_µs_per_request non_200"
# where CPU is that of the given server processes over the requests answered 200. Latencies come
# from h2load's per-request log, WORK/NAME.log; its summary is WORK/NAME.txt. A count, not h2load's
# -D: h2load 1.52's duration mode was seen to keep one connection going for many minutes past its
# end; a run that takes over 10 minutes is stopped.
h2_run() {
  local name=$1 target=$2 requests=$3 connections=$4 streams=$5 work=$6; shift 6
  local before after
  before=$(cpu_s "$@")
  timeout 600 h2load -n "$requests" -c "$connections" -m "$streams" -t 2 --log-file "$work/$name.log" \
    "$target" >"$work/$name.txt"
  after=$(cpu_s "$@")
  python3 - "$work/$name.log" "$work/$name.txt" "$before" "$after" <<'PY'
import sys, re
log, txt, before, after = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
lat, failed = [], 0
for line in open(log):
    f = line.split()
    if f[1] == "200":
        lat.append(int(f[2]))
    else:
        failed += 1
lat.sort()
n = len(lat)
pct = lambda q: lat[min(n - 1, int(q * n))] / 1000 if n else 0
rps = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", open(txt).read()).group(1))
print(f"{rps:.0f} {pct(0.50):.2f} {pct(0.99):.2f} {(after - before) * 1e6 / max(n, 1):.0f} {failed}")
PY
}

# jfr_top JFR_FILE: the node's hottest frames (top of stack, and any frame of ours) from JFR's
# execution samples, and its allocation sites.
jfr_top() {
  "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$1" | head -40
  "$JAVA_HOME/bin/jfr" view --width 160 allocation-by-site "$1" | head -20
}

# The HTTP/2 + TLS comparisons beside nginx (tls.sh, cdn.sh) share these steps. h2_node_start starts
# a dev node with HTTPS on free ports, rate limits off (recorded with JFR when BENCH_JFR is set), and
# sets work, port, tls_port, nginx_port, url, node, node_pid and load_before; everything goes when
# the script exits (BENCH_KEEP=1 keeps the work directory). BENCH_TLS_ENGINE=native|jdk|auto (default
# auto) is the node's comments.tls.engine; tls_engine is the one that serves, from the node's log.
h2_node_start() {
  need_tools nginx h2load:nghttp2-client
  work="$(mktemp -d)"
  port=$(free_port) tls_port=$(free_port) nginx_port=$(free_port)
  local dns_port jfr_opts=""
  dns_port=$(free_port)
  url="http://127.0.0.1:$port"
  node="" nginx_pid=""
  trap h2_cleanup EXIT
  trap 'exit 130' INT TERM
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  [ -n "${BENCH_JFR:-}" ] && jfr_opts="-XX:StartFlightRecording=filename=$work/node.jfr,settings=profile"
  COMMENTS_JVM_OPTS="${COMMENTS_JVM_OPTS:-} $jfr_opts -Dcomments.tls.engine=${BENCH_TLS_ENGINE:-auto}" \
    "$root/infra/bin/comments" dev --http-port "$port" --https-port "$tls_port" --dns-port "$dns_port" \
    --data-dir "$work/dev" --rate-limits off >"$work/node.log" 2>&1 &
  node=$!
  wait_ready "$url" "$node" "$work/node.log" 180
  node_pid=$(pgrep -f "dev.comments.infra.Launcher dev --http-port $port" | head -1)
  tls_engine=$(sed -nE 's/.*HTTPS served by the ([a-z]+) TLS engine.*/\1/p' "$work/node.log" | head -1)
}

h2_cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}

# h2_nginx_start PATH FILE LOCATIONS: nginx with the node's own certificate and key, the same
# protocols and suites, FILE in its root and the given location blocks; checks that it serves
# FILE's bytes at PATH.
h2_nginx_start() {
  local path=$1 file=$2 locations=$3
  nginx_tls "$work" "$nginx_port" "$work/dev/tls/certificate.pem" "$work/dev/tls/private-key.pem" "$locations"
  cp "$file" "$work/nginx/html/"
  chmod 644 "$work/nginx/html/$(basename "$file")"
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  nginx_pid=$!
  for _ in $(seq 1 50); do curl -sfk -o /dev/null "https://127.0.0.1:$nginx_port$path" && break; sleep 0.1; done
  cmp -s <(curl -sfk "https://127.0.0.1:$nginx_port$path") "$file" \
    || { echo "bench: nginx does not serve $(basename "$file")'s bytes" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
}

# h2_warm NAME URL: runs h2load at URL until its rate stops rising (two runs in a row not 3% above
# the best so far; at most 15 runs of max(REQUESTS, 100000) requests), so that what is measured is
# a server's steady state. The node's JIT is not steady after one run: after 300,000 requests its C2
# compiler thread still took a tenth of its CPU, and its rate rose by over a third over the next
# 800,000.
# nginx is steady at once. Prints the rates to stderr.
h2_warm() {
  local name=$1 target=$2 n rate best=0 flat=0 rates=""
  n=$(( requests > 100000 ? requests : 100000 ))
  for _ in $(seq 1 15); do
    rate=$(timeout 600 h2load -n "$n" -c "$connections" -m "$streams" -t 2 "$target" \
      | sed -nE 's/.*finished in [0-9.]+m?s, ([0-9.]+) req\/s.*/\1/p')
    rates="$rates ${rate%.*}"
    if awk -v r="$rate" -v b="$best" 'BEGIN { exit !(r > b * 1.03) }'; then
      flat=0
    else
      flat=$((flat + 1))
    fi
    best=$(awk -v r="$rate" -v b="$best" 'BEGIN { print (r > b) ? r : b }')
    [ "$flat" -ge 2 ] && break
  done
  echo "bench: $name warmed up over runs of $n requests at req/s:$rates" >&2
}

# h2_compare PATH: warms both servers up to their steady state (h2_warm), then RUNS runs of
# REQUESTS requests over CONNECTIONS × STREAMS, node and nginx alternating; sets node_rps, ngx_rps,
# ratio and cipher, and col NAME COLUMN gives a column's median (1 req/s, 2 p50, 3 p99, 4 CPU µs per
# request).
h2_compare() {
  local path=$1 failed
  h2_warm node "https://127.0.0.1:$tls_port$path"
  h2_warm nginx "https://127.0.0.1:$nginx_port$path"
  : >"$work/node.res"; : >"$work/nginx.res"
  for r in $(seq 1 "$runs"); do
    h2_run "node-$r" "https://127.0.0.1:$tls_port$path" "$requests" "$connections" "$streams" "$work" \
      "$node_pid" >>"$work/node.res"
    h2_run "nginx-$r" "https://127.0.0.1:$nginx_port$path" "$requests" "$connections" "$streams" "$work" \
      "$nginx_pid" $(pgrep -P "$nginx_pid" || true) >>"$work/nginx.res"
  done
  grep -q "Application protocol: h2" "$work/node-1.txt" \
    || { echo "bench: the node did not speak h2" >&2; cat "$work/node-1.txt" >&2; exit 1; }
  failed=$(awk '{ s += $5 } END { print s + 0 }' "$work/node.res" "$work/nginx.res")
  [ "$failed" -eq 0 ] \
    || echo "bench: $failed requests were not 200 (node: $(awk '{ s += $5 } END { print s + 0 }' "$work/node.res"))" >&2
  node_rps=$(col node 1) ngx_rps=$(col nginx 1)
  cipher=$(sed -nE 's/^Cipher: (.*)/\1/p' "$work/node-1.txt" | head -1)
  ratio=$(awk -v a="$node_rps" -v b="$ngx_rps" 'BEGIN { printf "%.2f", a / b }')
}

col() { awk -v c="$2" '{ print $c }' "$work/$1.res" | median; }

# h2_report SECTION TABLE: prints TABLE and writes it into docs/benchmarks.md between SECTION's
# markers (SECTION-jdk's when the JDK's engine served); with BENCH_JFR, prints the node's profile
# instead of writing.
h2_report() {
  local section=$1 table=$2
  if [ "$tls_engine" = jdk ]; then section="$section-jdk"; fi
  echo "$table"
  echo "cipher: $cipher; load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [ -n "${BENCH_JFR:-}" ]; then
    "$JAVA_HOME/bin/jcmd" "$node_pid" JFR.dump filename="$work/node.jfr" >/dev/null
    jfr_top "$work/node.jfr"
    echo "bench: JFR figures are not written to docs/benchmarks.md" >&2
    return
  fi
  write_section "$section" "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), $(nginx -v 2>&1 | sed 's/.*: //'), $(h2load --version | head -1), $requests requests × $runs runs, cipher $cipher, load average before $load_before"
}

#!/usr/bin/env bash
# GeoDNS beside gdnsd: the standalone geodns server (dev.comments.geodns.Main) and gdnsd's geoip plugin,
# each on loopback with the same MaxMind test database, the same three nodes and coordinates (gdnsd's
# auto_dc_coords) and TTL, queried by dnsperf with the same query file, with and without an EDNS Client
# Subnet option. Both get the same number of UDP threads (gdnsd's udp_threads, geodns' udpThreads; default
# one per core). After a warm-up, RUNS rounds alternate the servers; each figure is the median of the
# rounds, and CPU per query is the server process's user + system time (/proc) over the queries answered.
# Several dnsperf clients (source ports), so that the kernel's SO_REUSEPORT hash spreads them over both
# servers' sockets alike.
# Prints a Markdown table and writes it into docs/benchmarks.md between the dns markers. Installs dnsperf
# and gdnsd (Debian packages) when missing. With BASELINE_CLASSES=<dir of compiled geodns classes> a
# third server, "geodns (baseline)", runs those classes beside the others (before/after a change).
#   infra/bench/dns.sh [SECONDS=10] [CLIENTS=4] [RUNS=3] [THREADS=nproc]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
seconds="${1:-10}" clients="${2:-4}" runs="${3:-3}" threads="${4:-$(nproc)}"

need_tools dnsperf gdnsd dig:dnsutils
# This benchmark runs its own gdnsd, with its own configuration directory and port.
gdnsd_bin="$(command -v gdnsd)"

work="$(mktemp -d)"; geodns_port=$(free_port); gdnsd_port=$(free_port)
database="$root/infra/launcher/src/main/resources/geoip/GeoIP2-City-Test.mmdb"
geodns="" gdnsd="" baseline=""
cleanup() {
  [ -n "$geodns" ] && { kill "$geodns" 2>/dev/null; wait "$geodns" 2>/dev/null || true; }
  [ -n "$baseline" ] && { kill "$baseline" 2>/dev/null; wait "$baseline" 2>/dev/null || true; }
  [ -n "$gdnsd" ] && { kill "$gdnsd" 2>/dev/null; wait "$gdnsd" 2>/dev/null || true; }
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The fleet of the GeoDNS tests: Frankfurt, Oregon, Singapore, one IPv4 address each.
cat >"$work/geodns.properties" <<PROPS
database=$database
bind=127.0.0.1
port=$geodns_port
zones=comments.test.
zone.comments.test..ns.addresses=127.0.0.1
nodes=eu-central,us-west,ap-southeast
node.eu-central.location=50.11,8.68
node.eu-central.addresses=192.0.2.1
node.us-west.location=45.6,-121.2
node.us-west.addresses=192.0.2.2
node.ap-southeast.location=1.35,103.82
node.ap-southeast.addresses=192.0.2.3
ttl=PT30S
# One source (dnsperf) sends everything: the per-source limit would measure itself.
perSourceQps=0
udpThreads=$threads
PROPS

mkdir -p "$work/gdnsd/zones" "$work/gdnsd/run" "$work/gdnsd/state"
cat >"$work/gdnsd/config" <<CONF
options => {
  listen => [ 127.0.0.1:$gdnsd_port ]
  udp_threads => $threads
  zones_default_ttl => 30
  edns_client_subnet => true
  run_dir => $work/gdnsd/run
  state_dir => $work/gdnsd/state
}
plugins => {
  geoip => {
    maps => {
      nearest => {
        geoip2_db => $database
        datacenters => [eu-central, us-west, ap-southeast]
        auto_dc_coords => {
          eu-central => [ 50.11, 8.68 ]
          us-west => [ 45.6, -121.2 ]
          ap-southeast => [ 1.35, 103.82 ]
        }
      }
    }
    resources => {
      edge => {
        map => nearest
        dcmap => { eu-central => 192.0.2.1, us-west => 192.0.2.2, ap-southeast => 192.0.2.3 }
      }
    }
  }
}
CONF
cat >"$work/gdnsd/zones/comments.test" <<'ZONE'
$TTL 30
@     SOA ns1 hostmaster ( 1 7200 1800 259200 30 )
@     NS  ns1
ns1   A   127.0.0.1
edge  30 DYNA geoip!edge
ZONE

# geodns' classes and its dependencies (logback among its test ones, for a logging binding).
if [ ! -d "$root/geodns/target/classes" ] || [ ! -f "$root/geodns/target/bench.classpath" ]; then
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests -Dfuzz.skip -Dspotless.check.skip=true -Djacoco.skip=true \
      -Denforcer.skip=true -pl geodns -am package \
    && ./mvnw -q -B -ntp -pl geodns dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/bench.classpath) >&2
fi
dependencies="$(cat "$root/geodns/target/bench.classpath")"
# Native access lets geodns batch datagrams (recvmmsg/sendmmsg through FFM), as a node's launcher grants it.
"$JAVA_HOME/bin/java" -Xmx256m --enable-native-access=ALL-UNNAMED -cp "$root/geodns/target/classes:$dependencies" \
  dev.comments.geodns.Main "$work/geodns.properties" >"$work/geodns.log" 2>&1 &
geodns=$!
if [ -n "${BASELINE_CLASSES:-}" ]; then
  baseline_port=$(free_port)
  sed "s/^port=.*/port=$baseline_port/" "$work/geodns.properties" >"$work/baseline.properties"
  "$JAVA_HOME/bin/java" -Xmx256m --enable-native-access=ALL-UNNAMED -cp "$BASELINE_CLASSES:$dependencies" \
    dev.comments.geodns.Main "$work/baseline.properties" >"$work/baseline.log" 2>&1 &
  baseline=$!
fi
"$gdnsd_bin" -c "$work/gdnsd" start >"$work/gdnsd.log" 2>&1 &
gdnsd=$!

answers() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$1" edge.comments.test A +subnet=81.2.69.142/32 2>/dev/null; }
for _ in $(seq 1 600); do
  [ "$(answers "$geodns_port")" = 192.0.2.1 ] && [ "$(answers "$gdnsd_port")" = 192.0.2.1 ] && break
  kill -0 "$geodns" 2>/dev/null || { cat "$work/geodns.log" >&2; exit 1; }
  kill -0 "$gdnsd" 2>/dev/null || { cat "$work/gdnsd.log" >&2; exit 1; }
  sleep 0.1
done
if [ -n "$baseline" ]; then
  for _ in $(seq 1 600); do
    [ "$(answers "$baseline_port")" = 192.0.2.1 ] && break
    kill -0 "$baseline" 2>/dev/null || { cat "$work/baseline.log" >&2; exit 1; }
    sleep 0.1
  done
fi
for port in "$geodns_port" "$gdnsd_port" ${baseline:+"$baseline_port"}; do
  [ "$(answers "$port")" = 192.0.2.1 ] || { echo "bench: port $port does not send London to Frankfurt" >&2; cat "$work"/*.log >&2; exit 1; }
done

echo "bench: geodns UDP: $(grep -o 'UDP: [^)]*' "$work/geodns.log" | head -1)" >&2

echo "edge.comments.test A" >"$work/queries.txt"
# ECS for London, 81.2.69.142/32: family 1, source prefix 32, scope 0, the address.
ecs="8:000120005102458e"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# measure NAME PORT PID ECS(yes|no) ROUND: one dnsperf run; writes "qps latency_ms lost cpu_us_per_query".
measure() {
  local out="$work/$1-$4-$5.txt" opts=() before after
  [ "$4" = yes ] && opts=(-E "$ecs")
  before=$(cpu_ticks "$3")
  dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$seconds" -c "$clients" -T 1 -q 64 -e "${opts[@]}" >"$out" 2>&1
  after=$(cpu_ticks "$3")
  awk -v ticks=$(( after - before )) -v hz="$(getconf CLK_TCK)" '
    /Queries completed/ { done = $3 } /Queries per second/ { qps = $4 }
    /Average Latency/ { lat = $4 * 1000 } /Queries lost/ { lost = $3 }
    END { printf "%.0f %.3f %d %.1f\n", qps, lat, lost, done ? ticks / hz * 1e6 / done : 0 }' "$out" >"$out.fig"
}
servers=("geodns $geodns_port $geodns" "gdnsd $gdnsd_port $gdnsd")
[ -n "$baseline" ] && servers+=("geodns-baseline $baseline_port $baseline")
# A warm-up of each first: the JVM's JIT compiles the query path in the first seconds. Twice
# through both kinds of query: after one pass, -XX:+PrintCompilation still showed the query path
# deoptimized and compiled again when the other kind came back, in the measured rounds.
for server in "${servers[@]}"; do
  read -r _ port _ <<<"$server"
  for opt in "-E $ecs" "" "-E $ecs" ""; do
    # shellcheck disable=SC2086
    dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l 4 -c "$clients" -T 1 -q 64 -e $opt >/dev/null 2>&1
  done
done
for round in $(seq 1 "$runs"); do
  for ecs_on in no yes; do
    for server in "${servers[@]}"; do
      read -r name port pid <<<"$server"
      measure "$name" "$port" "$pid" "$ecs_on" "$round"
    done
  done
done
# row NAME ECS: the medians of the rounds, and the ratio of queries/s to gdnsd's.
row() {
  local files=("$work/$1-$2-"*.txt.fig) col
  med() { for f in "${files[@]}"; do cut -d' ' -f"$1" "$f"; done | median; }
  local qps lat lost cpu ref
  qps=$(med 1) lat=$(med 2) lost=$(for f in "${files[@]}"; do cut -d' ' -f3 "$f"; done | awk '{ s += $1 } END { print s }')
  cpu=$(med 4)
  ref=$(for f in "$work/gdnsd-$2-"*.txt.fig; do cut -d' ' -f1 "$f"; done | median)
  local label=$1; [ "$1" = geodns-baseline ] && label="geodns (baseline)"
  printf '| %s | %s | %s | %.2f× | %s | %s | %s |\n' "$label" "$2" "$qps" "$(awk -v a="$qps" -v b="$ref" 'BEGIN { print a / b }')" "$lat" "$cpu" "$lost"
}
rows=()
for ecs_on in no yes; do
  for server in "${servers[@]}"; do
    read -r name _ _ <<<"$server"
    rows+=("$(row "$name" "$ecs_on")")
  done
done
table=$(printf '%s\n' "| server | ECS | queries/s | vs gdnsd | mean latency, ms | CPU µs/query | lost |" "| --- | --- | ---: | ---: | ---: | ---: | ---: |" "${rows[@]}")
echo "$table"
echo "bench: load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)" >&2
write_section dns "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), gdnsd $("$gdnsd_bin" 2>&1 | awk '/version/ { print $3; exit }'), $threads UDP threads each, dnsperf $seconds s x $clients clients, medians of $runs rounds, load average before $load_before"

#!/usr/bin/env bash
# GeoDNS beside gdnsd: the standalone geodns server (dev.comments.geodns.Main) and gdnsd's geoip plugin,
# each on loopback with the same MaxMind test database, the same three nodes and coordinates (gdnsd's
# auto_dc_coords) and TTL, queried by dnsperf with the same query file, with and without an EDNS Client
# Subnet option. A short run (the machine is shared), after 3 s of warm-up for each server. Prints a Markdown table and writes it into
# docs/benchmarks.md between the dns markers. Installs dnsperf and gdnsd (Debian packages) when missing.
#   infra/bench/dns.sh [SECONDS=10] [CLIENTS=2]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
seconds="${1:-10}" clients="${2:-2}"

if ! command -v dnsperf >/dev/null || ! command -v gdnsd >/dev/null || ! command -v dig >/dev/null; then
  echo "bench: installing dnsperf, gdnsd and dig (Debian packages)" >&2
  { apt-get update -qq && apt-get install -y -qq dnsperf gdnsd dnsutils; } >/dev/null \
    || { echo "bench: these are needed: apt-get install dnsperf gdnsd dnsutils" >&2; exit 1; }
fi
# This benchmark runs its own gdnsd, with its own configuration directory and port.
gdnsd_bin="$(command -v gdnsd)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work="$(mktemp -d)"; geodns_port=$(free_port); gdnsd_port=$(free_port)
database="$root/infra/launcher/src/main/resources/geoip/GeoIP2-City-Test.mmdb"
geodns="" gdnsd=""
cleanup() {
  [ -n "$geodns" ] && { kill "$geodns" 2>/dev/null; wait "$geodns" 2>/dev/null || true; }
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
PROPS

mkdir -p "$work/gdnsd/zones" "$work/gdnsd/run" "$work/gdnsd/state"
cat >"$work/gdnsd/config" <<CONF
options => {
  listen => [ 127.0.0.1:$gdnsd_port ]
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

# The launcher's build holds geodns and a logging binding (through infra/bin/comments' own check).
if [ ! -f "$root/infra/launcher/target/node.classpath" ] || [ ! -d "$root/geodns/target/classes" ]; then
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
      -Denforcer.skip=true -pl infra/launcher -am package) >&2
fi
"$JAVA_HOME/bin/java" -Xmx256m -cp "$root/geodns/target/classes:$(cat "$root/infra/launcher/target/node.classpath")" \
  dev.comments.geodns.Main "$work/geodns.properties" >"$work/geodns.log" 2>&1 &
geodns=$!
"$gdnsd_bin" -c "$work/gdnsd" start >"$work/gdnsd.log" 2>&1 &
gdnsd=$!

answers() { dig +short +tries=1 +time=1 @127.0.0.1 -p "$1" edge.comments.test A +subnet=81.2.69.142/32 2>/dev/null; }
for _ in $(seq 1 600); do
  [ "$(answers "$geodns_port")" = 192.0.2.1 ] && [ "$(answers "$gdnsd_port")" = 192.0.2.1 ] && break
  kill -0 "$geodns" 2>/dev/null || { cat "$work/geodns.log" >&2; exit 1; }
  kill -0 "$gdnsd" 2>/dev/null || { cat "$work/gdnsd.log" >&2; exit 1; }
  sleep 0.1
done
for port in "$geodns_port" "$gdnsd_port"; do
  [ "$(answers "$port")" = 192.0.2.1 ] || { echo "bench: port $port does not send London to Frankfurt" >&2; cat "$work"/*.log >&2; exit 1; }
done

echo "edge.comments.test A" >"$work/queries.txt"
# ECS for London, 81.2.69.142/32: family 1, source prefix 32, scope 0, the address.
ecs="8:000120005102458e"
run() { # name port ecs(yes|no)
  local out="$work/$1-$3.txt" opts=()
  [ "$3" = yes ] && opts=(-E "$ecs")
  dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$seconds" -c "$clients" -T 1 -q 64 -e "${opts[@]}" >"$out" 2>&1
  local qps avg lost
  qps=$(awk '/Queries per second/ { printf "%.0f", $4 }' "$out")
  avg=$(awk '/Average Latency/ { printf "%.3f", $4 * 1000 }' "$out")
  lost=$(awk '/Queries lost/ { print $3 }' "$out")
  echo "| $1 | $3 | $qps | $avg | $lost |"
}
# A short warm-up of each first: the JVM's JIT compiles the query path in the first seconds.
for port in "$geodns_port" "$gdnsd_port"; do
  dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l 3 -c "$clients" -T 1 -q 64 -e -E "$ecs" >/dev/null 2>&1
done
rows=()
for ecs_on in no yes; do
  rows+=("$(run geodns "$geodns_port" "$ecs_on")")
  rows+=("$(run gdnsd "$gdnsd_port" "$ecs_on")")
done
table=$(printf '%s\n' "| server | ECS | queries/s | mean latency, ms | lost |" "| --- | --- | ---: | ---: | ---: |" "${rows[@]}")
echo "$table"
echo "bench: load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)" >&2
write_section dns "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), gdnsd $("$gdnsd_bin" 2>&1 | awk '/version/ { print $3; exit }'), dnsperf $seconds s x $clients clients, load average before $load_before"

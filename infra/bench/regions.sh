#!/usr/bin/env bash
# Benchmarks of a local two-region cluster (us-west primary, eu-central replica, simulated WAN):
# write latency through the replica and through the primary, the replica's reads by read preference
# (a primary read forwarded while the broker is frozen), replication lag at fixed write rates beside
# a bare Kafka round trip over the same delayed path, and a plot of the lag over time. Prints Markdown
# tables and writes them into docs/benchmarks.md between the regions markers, the plot into
# docs/replication-lag.png.
#   infra/bench/regions.sh [RUNS=3] [RATE_SECONDS=20] [RATES=100,1000] [WAN=auto]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
runs="${1:-3}" rate_seconds="${2:-20}" rates="${3:-100,1000}" wan="${4:-auto}"
regions="us-west,eu-central"

# One port free on both node addresses (each node listens on its own 127.0.1.x, same port).
port=$(python3 - <<'PY'
import socket
for _ in range(50):
    probe = socket.socket(); probe.bind(("127.0.1.1", 0)); port = probe.getsockname()[1]
    try:
        other = socket.socket(); other.bind(("127.0.1.2", port)); other.close(); probe.close()
        print(port); break
    except OSError:
        probe.close()
PY
)
work="$(mktemp -d)"
cluster="" kafka_pid=""
cleanup() {
  # A broker left frozen would hang the cluster's shutdown and every later run.
  [ -n "$kafka_pid" ] && kill -CONT "$kafka_pid" 2>/dev/null
  if [ -n "$cluster" ] && kill -0 "$cluster" 2>/dev/null; then
    kill "$cluster" 2>/dev/null
    wait "$cluster" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: starting the cluster ($regions, --wan $wan, port $port; builds first if sources changed)" >&2
"$root/infra/bin/comments" cluster --regions "$regions" --data-dir "$work/cluster" \
  --http-port "$port" --wan "$wan" --rate-limits off >"$work/cluster.log" 2>&1 &
cluster=$!
for _ in $(seq 1 1800); do
  [ -f "$work/cluster/cluster.json" ] && break
  kill -0 "$cluster" 2>/dev/null || { tail -50 "$work/cluster.log" >&2; exit 1; }
  sleep 0.5
done
[ -f "$work/cluster/cluster.json" ] || { echo "bench: the cluster did not start within 15 min" >&2; exit 1; }
kafka_pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kafkaPid"])' "$work/cluster/cluster.json")
wan_described=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wan"])' "$work/cluster/cluster.json")

classpath="$root/infra/launcher/target/classes:$(cat "$root/infra/launcher/target/node.classpath")"
started=$(date +%s)
java -Djava.awt.headless=true -cp "$classpath" "$root/infra/bench/RegionsBench.java" \
  "$work/cluster" "$root/docs/replication-lag.png" "$runs" "$rate_seconds" "$rates" >"$work/tables.md"
took=$(( $(date +%s) - started ))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
tables=$(cat "$work/tables.md")
echo "$tables"

when="$(date -u +%Y-%m-%d) on $(nproc) cores (shared), $(uname -m), $(java -version 2>&1 | head -1)"
section=$(cat <<SECTION
## Two regions on one machine (local cluster)
Reproduce with \`infra/bench/regions.sh\` (defaults: 3 runs of each phase, 20 s per write rate, rates 100
and 1,000 writes/s, \`--wan auto\`; about 8 minutes). It starts
\`comments cluster --regions $regions --wan $wan --rate-limits off\`: a Kafka broker, the primary (us-west) and a replica
(eu-central) as separate processes, each with its own MongoDB-wire server, and delaying TCP proxies on
the replica's two paths across regions, its commands to the primary and its Kafka connections.
Everything, the bench included, shares the same two cores, so a figure here is the code's cost plus the
machine's contention; the differences between rows measured side by side are the signal.

How measured (infra/bench/RegionsBench.java):
- First the nodes are warmed up: every path once, then 2,000 writes to the primary from 16 clients, 200
  through the replica and 2,000 reads, so that the phases measure compiled code (a node in service has
  compiled its paths long before). With 40 writes, the same code measured the primary's sequential
  write at p50 44.8 ms, against 15.8 ms after this warm-up, in back-to-back runs on 2026-12-02.
- Latency is per request, from the bench's HTTP/1.1 client (keep-alive) sending it to the end of the
  answer; p50 and p99 are nearest-rank within a run, and a cell is the median over the runs.
- Writes POST a comment. Through the replica, its edge forwards the command to the primary over the
  delayed path, so it should cost one WAN round trip (2 × one way) more than a write to the primary.
- Reads GET a 20-comment page (\`sort=newest&limit=20\`). "Own token" rows write through the replica, then
  read with the write's \`X-Consistency-Token\`; only the read is timed. The forwarded row freezes the
  broker (\`kill -STOP\`, undone by \`kill -CONT\` afterwards and in the script's trap) until the replica
  answers \`X-Replica-Stale: true\`; every answer is checked for \`X-Forwarded-To\`.
- Replication lag: writes to the primary at a fixed rate (open loop over 32 sessions and 200 threads, at
  most 256 in flight; a tick that finds 256 in flight is not sent and is counted). The replication delay
  is the replica's \`comments.projection.replication.delay\` (when an event is applied there, minus the
  event's timestamp from the primary: one machine, one clock), p50/p99 interpolated within the Prometheus
  buckets of the difference between a scrape before the phase and one after the replica applied every
  accepted write. Each rate runs RUNS times, the rates taking turns; a cell is the median of the runs,
  the delay of every run is listed, and the plot shows the run with the median p50.
- The delay in parts, from a bare consumer of the event log beside the replica's, over the same delayed
  path: part 1 is the primary's (event time to the Kafka timestamp its publisher gave the record), part 2
  the log's (that timestamp to this consumer receiving it); the rest of the delay is the replica's own
  consuming and applying. \`X-Replica-Lag-Ms\` bounds how far the replica is behind the log, not behind the
  primary's event store, and its floor is one probe round trip over the delayed path.
- Bare Kafka, right after each rate with the nodes idle: a producer on the broker's direct listener
  (idempotent, acks=all, linger 5 ms; not transactional, unlike the publisher, so that the figure is the
  log's own floor) and a consumer (read_committed) through the replica's delayed listener, 12 partitions,
  same rate and length; latency is receive minus send time.
- CPU rows compare the machine's busy time with that of this benchmark's processes (nodes, broker,
  cluster supervisor with the proxies, the bench): a gap is other work on the shared machine.
- The plot of the lag over time is [replication-lag.png](replication-lag.png).

Measured $when; WAN: $wan_described; load average (1/5/15 min) $load_before before and $load_after after
the ${took} s of measurement:

$tables
SECTION
)
doc="$root/docs/benchmarks.md"
python3 - "$doc" "$section" <<'PY'
import re, sys
doc, section = sys.argv[1], sys.argv[2]
text = open(doc).read()
body = f"<!-- regions:begin -->\n{section}\n<!-- regions:end -->"
if "<!-- regions:begin -->" in text:
    text = re.sub(r"<!-- regions:begin -->.*<!-- regions:end -->", lambda m: body, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n" + body + "\n"
open(doc, "w").write(text)
PY
echo "bench: wrote docs/benchmarks.md (regions section) and docs/replication-lag.png" >&2

#!/usr/bin/env bash
# The embeddable widget in Debian's headless Chromium (driven through Debian's chromedriver by
# infra/bench/WidgetBench.java, with the browser suites' Selenium): time from DOMContentLoaded to the
# thread rendered (50 comments) and bytes on a first and a repeat load, on a dev node and on both
# nodes of a local two-region cluster with simulated WAN latency; then the memory of a page showing
# 1,000 comments through MINUTES of live votes and comments on the dev node. Prints Markdown tables and
# writes them into docs/benchmarks.md between the widget markers.
#   infra/bench/widget.sh [RUNS=3] [MINUTES=10] [WAN=auto]   (BENCH_NO_BUILD=1: use what is built)
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-3}" minutes="${2:-10}" wan="${3:-auto}"

for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "bench: $tool is needed: apt-get install chromium chromium-driver" >&2; exit 1; }
done

if [ -z "${BENCH_NO_BUILD:-}" ]; then
  echo "bench: building" >&2
  (cd "$root" && ./mvnw -q -o -B -pl infra/launcher -am package -DskipTests -Dspotless.check.skip=true \
    -Djacoco.skip=true -Denforcer.skip=true -Dfuzz.skip)
  # Built just now: infra/bin/comments need not build again.
  touch "$root/infra/launcher/target/comments.built"
fi
classpath="$(cat "$root/infra/launcher/target/test.classpath")"
bench() { java -cp "$classpath" "$root/infra/bench/WidgetBench.java" "$@"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# One port free on both cluster addresses (each node listens on its own 127.0.1.x, same port).
cluster_port() {
  python3 - <<'PY'
import socket
for _ in range(50):
    probe = socket.socket(); probe.bind(("127.0.1.1", 0)); port = probe.getsockname()[1]
    try:
        other = socket.socket(); other.bind(("127.0.1.2", port)); other.close(); probe.close()
        print(port); break
    except OSError:
        probe.close()
PY
}
work="$(mktemp -d)"
node="" cluster=""
stop() {
  if [ -n "${!1}" ] && kill -0 "${!1}" 2>/dev/null; then kill "${!1}" 2>/dev/null; wait "${!1}" 2>/dev/null || true; fi
  eval "$1=''"
}
cleanup() {
  stop node; stop cluster
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)

# ---- a dev node ----
port=$(free_port); url="http://127.0.0.1:$port"
echo "bench: starting a dev node on $url" >&2
"$root/infra/bin/comments" dev --http-port "$port" --https-port "$(free_port)" --dns-port "$(free_port)" \
  --data-dir "$work/dev" --rate-limits off >"$work/node.log" 2>&1 &
node=$!
wait_ready "$url" "$node" "$work/node.log" 300
# The demo article's thread: 10 top-level comments with 4 replies each, all on the widget's first page.
bench seed "$url" welcome 10 4
bench load "$url/" "dev node" "$runs" >"$work/load.md"
# 190 more of the same shape: 1,000 comments, 10 pages of the widget.
bench seed "$url" welcome 190 4
echo "bench: memory, $minutes minutes of live updates" >&2
bench memory "$url/" "$url" welcome "$minutes" >"$work/memory.md"
stop node

# ---- a two-region cluster ----
cport=$(cluster_port)
echo "bench: starting a cluster (us-west, eu-central; --wan $wan) on port $cport" >&2
"$root/infra/bin/comments" cluster --regions us-west,eu-central --data-dir "$work/cluster" \
  --http-port "$cport" --https-port "$(cluster_port)" --dns-port "$(free_port)" --wan "$wan" \
  --rate-limits off >"$work/cluster.log" 2>&1 &
cluster=$!
for _ in $(seq 1 1200); do
  [ -f "$work/cluster/cluster.json" ] && break
  kill -0 "$cluster" 2>/dev/null || { tail -50 "$work/cluster.log" >&2; exit 1; }
  sleep 0.5
done
[ -f "$work/cluster/cluster.json" ] || { echo "bench: the cluster did not start in 10 min" >&2; exit 1; }
node_url() { python3 -c 'import json,sys; print([n["http"] for n in json.load(open(sys.argv[1]))["nodes"] if n["region"] == sys.argv[2]][0])' "$work/cluster/cluster.json" "$1"; }
primary=$(node_url us-west); replica=$(node_url eu-central)
wan_described=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wan"])' "$work/cluster/cluster.json")
bench seed "$primary" welcome 10 4
bench wait "$replica" welcome 10
bench load "$replica/" "cluster, replica (eu-central)" "$runs" >>"$work/load.md"
bench load "$primary/" "cluster, primary (us-west)" "$runs" >>"$work/load.md"
stop cluster

took=$(( $(date +%s) - started ))
when="$(date -u +%Y-%m-%d) on $(nproc) cores (shared), $(uname -m), $(java -version 2>&1 | head -1), $(/usr/bin/chromium --version 2>/dev/null | head -1); cluster WAN: $wan_described; load average (1/5/15 min) $load_before before and $(cut -d' ' -f1-3 /proc/loadavg) after the $took s run"
table="| page (demo article, 50 comments) | comments rendered | DOMContentLoaded → rendered, ms (median of $runs) | each run | bytes transferred, KiB (median) | bytes per resource (last run) |
| --- | --- | --- | --- | --- | --- |
$(cat "$work/load.md")

| minute | votes sent | comments posted | comments shown | JS heap after GC, MiB | DOM nodes | JS event listeners |
| --- | --- | --- | --- | --- | --- | --- |
$(cat "$work/memory.md")"
echo "$table"
write_section widget "$table" "$when"

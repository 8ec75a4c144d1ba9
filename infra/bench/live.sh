#!/usr/bin/env bash
# Live fan-out on one dev node, side by side in one run with a reference broadcaster on the npm `ws`
# package, both driven by the same load client (infra/bench/LiveFanout.java): N websocket readers,
# then bursts of one event each, every delivery timed from the trigger; heap and RSS per idle
# connection; GC share of the bursts. Each JVM flag set of VARIANTS (separated by |; "default" is
# infra/bin/comments's own flags) runs on a node of its own; the reference runs beside the first.
# A last profiled run (JFR) at the largest size is kept out of the figures. Prints a Markdown table
# and writes it into docs/benchmarks.md between the live markers.
#   infra/bench/live.sh [SIZES=1000,5000,10000] [BURSTS=7] [VARIANTS="default|-XX:-UseCompactObjectHeaders|-XX:-UseG1GC -XX:+UseZGC"]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
sizes="${1:-1000,5000,10000}" bursts="${2:-7}"
variants="${3:-default|-XX:-UseCompactObjectHeaders|-XX:-UseG1GC -XX:+UseZGC}"
warmup=5

for tool in node npm curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 1; }
done
# The node and the client each hold N sockets.
max_size=$(tr ',' '\n' <<<"$sizes" | sort -n | tail -1)
if [ "$(ulimit -n)" -lt $(( max_size + 1000 )) ]; then
  ulimit -n $(( max_size + 1000 )) 2>/dev/null \
    || { echo "bench: ulimit -n is $(ulimit -n); $max_size readers need more" >&2; exit 1; }
fi

echo "bench: building" >&2
(cd "$root" && ./mvnw -q -o -B package -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -Dfuzz.skip)
echo "bench: installing the reference's ws (npm ci)" >&2
(cd "$root/infra/bench/live-ref" && npm ci --no-audit --no-fund --silent)

work="$(mktemp -d)"; port=$(free_port); ref_port=$(free_port); url="http://127.0.0.1:$port"
jvm="" ref="" client=""
stop_node() {
  if [ -n "$jvm" ]; then kill "$jvm" 2>/dev/null || true; wait "$jvm" 2>/dev/null || true; fi
  jvm=""
}
cleanup() {
  [ -n "$client" ] && kill "$client" 2>/dev/null
  [ -n "$ref" ] && kill "$ref" 2>/dev/null
  stop_node
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

metric() { curl -sf "$url/metrics" | awk -v m="$1" 'index($0, m) == 1 { s += $NF } END { printf "%.0f\n", s }'; }
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
# Heap (after a full GC) and RSS of the node, in bytes.
node_memory() {
  jcmd "$jvm" GC.run >/dev/null
  sleep 1
  echo "$(metric 'jvm_memory_used_bytes{area="heap"') $(( $(rss_kib "$jvm") * 1024 ))"
}
# The reference's heap (after global.gc()) and RSS, in bytes.
ref_memory() {
  local heap; heap=$(curl -sf "http://127.0.0.1:$ref_port/memory" | python3 -c 'import json, sys; print(json.load(sys.stdin)["heapUsed"])')
  sleep 1
  echo "$heap $(( $(rss_kib "$ref") * 1024 ))"
}
# Waits until the server has let go of the previous run's readers.
settled() {
  for _ in $(seq 1 600); do
    if [ "$1" = node ]; then
      [ "$(metric comments_live_connections)" = 0 ] && return 0
    else
      curl -sf "http://127.0.0.1:$ref_port/memory" | grep -q '"clients":0,' && return 0
    fi
    sleep 0.2
  done
  echo "bench: the $1 still holds readers after 120 s" >&2; exit 1
}

# fanout TARGET N LABEL [JFR_FILE] [CLIENT OPTIONS...]: one client run; writes LABEL.out (the
# client's line, then "heap_before rss_before heap_with rss_with" of the server).
fanout() {
  local target=$1 n=$2 label=$3 jfr=$4; shift 4
  local dir="$work/$label" pid before with
  mkdir -p "$dir"
  settled "$target"
  if [ "$target" = node ]; then pid=$jvm; before=$(node_memory); else pid=$ref; before=$(ref_memory); fi
  "$JAVA_HOME/bin/java" -Xmx1g -XX:+UseParallelGC "$root/infra/bench/LiveFanout.java" target="$target" \
    readers="$n" bursts="$bursts" warmup="$warmup" dir="$dir" sample="$work/message.json" "$@" \
    >"$dir/line" 2>"$dir/log" &
  client=$!
  until [ -f "$dir/ready" ]; do
    kill -0 "$client" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.2
  done
  if [ "$target" = node ]; then with=$(node_memory); else with=$(ref_memory); fi
  [ -n "$jfr" ] && jcmd "$pid" JFR.start name=livebench settings=profile filename="$jfr" >/dev/null
  touch "$dir/go"
  until [ -f "$dir/done" ]; do
    kill -0 "$client" 2>/dev/null || { cat "$dir/log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$jfr" ] && jcmd "$pid" JFR.stop name=livebench >/dev/null
  touch "$dir/close"
  wait "$client" || { cat "$dir/log" >&2; exit 1; }
  client=""
  grep -E 'subscribed in|measured' "$dir/log" | sed "s/^fanout:/bench: $label:/" >&2
  echo "$(cat "$dir/line") $before $with" >"$work/$label.out"
}

node "$root/infra/bench/live-ref/server.js" "$ref_port" >"$work/ref.log" 2>&1 &
ref=$!
node_flags=() # the flag set of each variant, as the table names it
IFS='|' read -r -a variant_list <<<"$variants"
for v in "${!variant_list[@]}"; do
  flags="${variant_list[$v]}"; [ "$flags" = default ] && flags=""
  # No AOT cache: a cache is tied to the flags it was recorded with, and startup is not measured here.
  COMMENTS_AOT=off COMMENTS_JVM_OPTS="$flags" "$root/infra/bin/comments" dev --http-port "$port" \
    --data-dir "$work/dev-$v" --rate-limits off >"$work/node-$v.log" 2>&1 &
  jvm=$! # infra/bin/comments execs the JVM
  wait_ready "$url" "$jvm" "$work/node-$v.log" 180
  node_flags+=("$(ps -o args= -p "$jvm" | grep -oE -- '-Xm[sx][^ ]+|-XX:[^ ]+' | grep -v AOT | tr '\n' ' ' | sed 's/ $//')")
  echo "bench: node $v: ${node_flags[$v]}" >&2
  token=$(curl -sf -X POST "$url/api/v1/tenants/demo/sessions" -H 'Content-Type: application/json' \
    -d '{"displayName":"Bench"}' | sed -E 's/.*"sessionToken":"([^"]+)".*/\1/')
  # A running node's write path is compiled; a fresh one's is not, and the bursts alone are too few
  # to compile it. 2,000 posts, each seen by a live reader, warm the path every burst takes.
  "$JAVA_HOME/bin/java" "$root/infra/bench/WriteToVisible.java" "$url" "$token" 2000 live >/dev/null
  for n in ${sizes//,/ }; do
    fanout node "$n" "node-$v-$n" "" connect="127.0.0.1:$port" token="$token"
    if [ "$v" = 0 ]; then
      fanout ref "$n" "ref-$n" "" connect="127.0.0.1:$ref_port"
    fi
  done
  if [ "$v" = 0 ]; then
    echo "bench: profiling $max_size readers (not part of the figures)" >&2
    fanout node "$max_size" profile "$work/fanout.jfr" connect="127.0.0.1:$port" token="$token"
  fi
  stop_node
done

# The profile: samples by top frame, and the threads they ran on.
"$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 64 "$work/fanout.jfr" >"$work/samples.txt"
python3 - "$work/samples.txt" >"$work/profile.txt" <<'PY'
import collections, re, sys
events = open(sys.argv[1]).read().split("jdk.ExecutionSample")[1:]
top, threads, inclusive = collections.Counter(), collections.Counter(), collections.Counter()
for event in events:
    frames = re.findall(r"^\s+([\w.$<>]+)\([^)]*\)\s+line:", event, re.M)
    if not frames:
        continue
    thread = re.search(r'sampledThread = "([^"]*)"', event)
    threads[re.sub(r"\d+", "N", thread.group(1) if thread else "?")] += 1
    top[frames[0]] += 1
    for frame in set(frames):
        inclusive[frame] += 1
total = sum(threads.values())
print(f"{total} samples")
for title, counter, count in (("threads", threads, 8), ("top frames", top, 20), ("inclusive", inclusive, 40)):
    print(f"-- {title}")
    for name, n in counter.most_common(count):
        print(f"{100 * n / total:5.1f}%  {name}")
PY
echo "bench: profile of $max_size readers on the first node:" >&2
head -32 "$work/profile.txt" >&2

# Table: one row per server and size.
kib() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (b - a) / n / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() {
  local name=$1 n=$2 file=$3 lost p50 p99 first rate fanrate gc window trig bytes conc hb rb hw rw gcs
  read -r lost p50 p99 first rate fanrate gc window trig bytes conc hb rb hw rw <"$file"
  gcs="—"
  [[ "$name" != ws* ]] && gcs="$(awk -v g="$gc" -v w="$window" 'BEGIN { printf "%.1f", 100 * g / w }') % ($gc ms; concurrent $conc ms)"
  echo "| $name | $n | $p50 / $p99 | $first | $rate | $fanrate | $(kib "$hb" "$hw" "$n") / $(kib "$rb" "$rw" "$n") | $gcs |"
}
bytes=$(awk '{ print $10 }' "$work/node-0-${sizes%%,*}.out")
rows="" ratios=""
for v in "${!variant_list[@]}"; do
  for n in ${sizes//,/ }; do rows+="$(row "node: ${node_flags[$v]}" "$n" "$work/node-$v-$n.out")"$'\n'; done
done
for n in ${sizes//,/ }; do
  rows+="$(row "ws reference (Node $(node --version), ws $(node -p 'require(process.argv[1]).version' "$root/infra/bench/live-ref/node_modules/ws/package.json"))" "$n" "$work/ref-$n.out")"$'\n'
  read -r _ _ _ _ nr nf _ <"$work/node-0-$n.out"; read -r _ _ _ _ rr rf _ <"$work/ref-$n.out"
  ratios+="$(ratio "$nr" "$rr")× / $(ratio "$nf" "$rf")× at $n, "
done
table=$(cat <<TABLE
| server (JVM flags) | readers | delivery p50 / p99 ms | first delivery ms | deliveries/s, trigger to last | deliveries/s, first to last | heap / RSS per idle connection KiB | GC pauses over the bursts |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows%$'\n'}

Medians of $bursts bursts after $warmup warm-up bursts; one $bytes-byte \`comment-posted\` message per burst. Node
over ws, deliveries/s (trigger to last / first to last): ${ratios%, } (target ≥ 2×). Targets: ≤ 10 KB heap per idle
connection, GC < 5 % of the burst.
TABLE
)
echo "$table"
echo "bench: load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)" >&2
write_section live "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average before $load_before"

#!/usr/bin/env bash
# The moderators' queue on one dev node: seeds QUEUED pending comments (pre-moderation of every comment,
# spread over 100 threads and 50 authors, one in 50 holding the word "giraffe"), then measures
# GET …/moderation/queue with wrk: the first page, each filter, the text search and an empty queue.
# Each figure is the median of RUNS runs. Prints a Markdown table and writes it into docs/benchmarks.md
# between the queue markers.
#   infra/bench/queue.sh [QUEUED=10000] [RUNS=3] [SECONDS=10] [CONNECTIONS=8]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
queued="${1:-10000}" runs="${2:-3}" seconds="${3:-10}" connections="${4:-8}"
command -v wrk >/dev/null || { echo "bench: wrk is needed: apt-get install wrk" >&2; exit 1; }

work="$(mktemp -d)"; port=$(free_port); url="http://127.0.0.1:$port"
node=""
cleanup() {
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  [ -n "${BENCH_KEEP:-}" ] && echo "bench: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Its own ports (HTTPS off, DNS on a free port), so it runs beside other dev nodes.
"$root/infra/bin/comments" dev --http-port "$port" --https-port off --dns-port "$(free_port)" \
  --data-dir "$work/dev" --rate-limits off \
  --comments.tenants.demo.moderation.pre-moderation=all >"$work/node.log" 2>&1 &
node=$!
wait_ready "$url" "$node" "$work/node.log" 180
# The demo tenant's admin key, kept in the data directory (the banner may come after /health/ready).
admin=$(sed -nE 's/^admin-key=(.+)$/\1/p' "$work/dev/secrets.properties")
[ -n "$admin" ] || { echo "bench: no admin key in $work/dev/secrets.properties" >&2; exit 1; }


echo "bench: seeding $queued pending comments" >&2
python3 - "$url" "$queued" >"$work/authors" <<'PY'
import base64, http.client, json, sys, threading, time, urllib.parse
url, total = sys.argv[1], int(sys.argv[2])
host = urllib.parse.urlparse(url)
WORDS = ("the editors answered slowly while readers argued about numbers, trains, weather, "
         "elections and the price of bread in every city").split()
def connect():
    return http.client.HTTPConnection(host.hostname, host.port, timeout=30)
def call(c, method, path, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    c.request(method, path, json.dumps(body), headers)
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data)
c = connect()
tokens = [call(c, "POST", "/api/v1/tenants/demo/sessions", {"displayName": f"Author {i}"})["sessionToken"]
          for i in range(50)]
def subject(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]
print(subject(tokens[7]))
counter = iter(range(total))
lock = threading.Lock()
def work():
    c = connect()
    while True:
        with lock:
            n = next(counter, None)
        if n is None:
            return
        words = [WORDS[(n * 7 + k * 13) % len(WORDS)] for k in range(12 + n % 20)]
        if n % 50 == 0:
            words.insert(3, "giraffe")
        call(c, "POST", f"/api/v1/tenants/demo/threads/bench-{n % 100}/comments",
             {"text": " ".join(words).capitalize() + "."}, tokens[n % 50])
started = time.time()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{time.time() - started:.0f}")
PY
user=$(sed -n 1p "$work/authors") seeded_s=$(sed -n 2p "$work/authors")
drain "$url" 600

run() {
  local name="$1" query="$2" i
  for i in $(seq 1 "$runs"); do
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $admin" \
      "$url/api/v1/tenants/demo/moderation/queue?$query" >"$work/$name.$i"
  done
  local rps p50 p99 errors
  rps=$(for i in $(seq 1 "$runs"); do field "$work/$name.$i" rps; done | median)
  p50=$(for i in $(seq 1 "$runs"); do field "$work/$name.$i" p50; done | median)
  p99=$(for i in $(seq 1 "$runs"); do field "$work/$name.$i" p99; done | median)
  errors=$(for i in $(seq 1 "$runs"); do field "$work/$name.$i" errors; done | awk '{ s += $1 } END { print s + 0 }')
  echo "| $3 | \`$query\` | $rps | $p50 / $p99 | $errors |"
}
check=$(curl -sf -H "Authorization: Bearer $admin" "$url/api/v1/tenants/demo/moderation/queue?status=pending&q=giraffe&limit=100" \
  | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')
echo "bench: measuring ($check of $((queued / 50)) giraffes on the first page)" >&2
rows="$(run first "status=pending" "first page, newest 20")
$(run thread "status=pending&thread=bench-7" "one thread (1 %)")
$(run user "status=pending&user=$user" "one author (2 %)")
$(run text "status=pending&q=giraffe" "text search (2 %)")
$(run miss "status=pending&q=zebra" "text search, no match")
$(run empty "status=flagged" "empty queue (flagged)")"
table="| request | query | req/s | p50 / p99 ms | errors |
| --- | --- | ---: | ---: | ---: |
$rows"
echo "$table"
when="$(date -u +%Y-%m-%d) on $(nproc) cores, $queued pending comments (seeded in ${seeded_s} s), $connections connections, median of $runs runs of $seconds s (load average before: $load_before)"
write_section queue "$table" "$when"

# Helpers shared by the benchmark scripts (node.sh, growth.sh, dns.sh): sourced, not run.

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

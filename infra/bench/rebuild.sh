#!/usr/bin/env bash
# Rebuild rate of the projections against the raw rate of the same work: RebuildRate.java puts EVENTS
# comment posts on a fresh topic of a real Kafka broker, reads and decodes them all (raw read), bulk-writes
# the thread view's documents of the same events into the embedded store (raw write), then replays the
# log into a query side and rebuilds `threads` and `audit` beside the live copies, and streams the audit
# log of the whole range. Prints a Markdown table and writes it into docs/benchmarks.md between the
# rebuild markers.
#   infra/bench/rebuild.sh [EVENTS=1000000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
events="${1:-1000000}"

if ! ls "$root"/infra/launcher/target/comments-launcher-*.jar >/dev/null 2>&1 || [ ! -f "$root/infra/launcher/target/node.classpath" ]; then
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -Dfuzz.skip package) >&2
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
launcher_jar="$(ls "$root"/infra/launcher/target/comments-launcher-*.jar | grep -v -- '-sources\|-tests' | head -1)"
classpath="$launcher_jar:$(cat "$root/infra/launcher/target/node.classpath")"

echo "bench: $events events" >&2
"$JAVA_HOME/bin/java" -Xmx2g -XX:+UseCompactObjectHeaders -cp "$classpath" "$root/infra/bench/RebuildRate.java" \
  "$work" "$events" 2>"$work/rebuild.log" | tee "$work/figures.txt" >&2 \
  || { tail -50 "$work/rebuild.log" >&2; exit 1; }
fig() { awk -v n="$1" '$1 == n { printf "%.0f", $2 }' "$work/figures.txt"; }
raw=$(fig raw_eps)
ratio() { awk -v a="$1" -v b="$raw" 'BEGIN { printf "%.2f", a / b }'; }
table="| what | events/s | vs raw |
| --- | ---: | ---: |
| raw read: every record read from Kafka and decoded | $(fig raw_read_eps) | |
| raw write: the thread view's documents bulk-written (\`insertMany\`, 200 threads a call) | $(fig raw_write_eps) | |
| raw: read, then write (the two in sequence) | $raw | 1.00 |
| first replay of an empty node (both projections) | $(fig first_replay_eps) | $(ratio "$(fig first_replay_eps)") |
| rebuild \`threads\` beside the live copy, to the swap | $(fig rebuild_threads_eps) | $(ratio "$(fig rebuild_threads_eps)") |
| rebuild \`audit\` beside the live copy, to the swap | $(fig rebuild_audit_eps) | $(ratio "$(fig rebuild_audit_eps)") |
| audit stream of the whole range ($(fig audit_streamed) entries, one tenant) | $(fig audit_stream_eps) | |"
echo "$table"
when="$(date -u +%Y-%m-%d) on $(nproc) cores, $events events (load average before: $load_before)"
write_section rebuild "$table" "$when"

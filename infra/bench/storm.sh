#!/usr/bin/env bash
# A reconnect storm against the live feeds alone (infra/bench/SubscribeStorm.java): the time READERS
# subscribes to one thread and their closes hold the feeds' lock, on a node whose feeds follow FOLLOWED
# threads. Prints a Markdown table and writes it into docs/benchmarks.md between the storm markers.
#   infra/bench/storm.sh [FOLLOWED=14000] [READERS=10000] [ROUNDS=5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
followed="${1:-14000}" readers="${2:-10000}" rounds="${3:-5}"

"$root/infra/bin/comments" help >/dev/null # builds the node first when a source is newer
launcher_jar="$(ls "$root"/infra/launcher/target/comments-launcher-*.jar | grep -v -- '-sources\|-tests' | head -1)"
classpath="$launcher_jar:$(cat "$root/infra/launcher/target/node.classpath")"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
read -r f r n subscribe close < <("$JAVA_HOME/bin/java" -Xmx2g -cp "$classpath" \
  "$root/infra/bench/SubscribeStorm.java" "$followed" "$readers" "$rounds" 2>/dev/null)
table=$(cat <<TABLE
| threads followed | readers subscribing to one thread, then closing | subscribes, ms (median of $n) | closes, ms |
| ---: | ---: | ---: | ---: |
| $f | $r | $subscribe | $close |
TABLE
)
echo "$table"
write_section storm "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), load average before $load_before"

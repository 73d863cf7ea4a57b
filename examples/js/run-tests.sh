#!/usr/bin/env bash
# `make test-js`: serve the mock over HTTPS on a free port, run these examples' tests against it with
# Node's test runner, and stop the mock however the tests end. Needs Node 20+, `npm ci` done here, and
# `mockgraph` on PATH (or MOCKGRAPH=/path/to/mockgraph).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
server=""
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

"${MOCKGRAPH:-mockgraph}" serve --tls --port 0 --quiet --cert-out "$work/mockgraph.pem" >"$work/out" 2>"$work/err" &
server=$!

# The first line names the address once the mock answers; 60 s only catches a hang.
line=""
for _ in $(seq 600); do
  line=$(head -n 1 "$work/out")
  case "$line" in "mockgraph listening on "*) break ;; esac
  if ! kill -0 "$server" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
case "$line" in
  "mockgraph listening on "*) url=${line#mockgraph listening on } ;;
  *) echo "mockgraph did not start:" >&2; cat "$work/err" >&2; exit 1 ;;
esac
echo "mockgraph serving $url for the JavaScript tests ($(node --version))"

MOCKGRAPH_URL=$url NODE_EXTRA_CA_CERTS=$work/mockgraph.pem node --test

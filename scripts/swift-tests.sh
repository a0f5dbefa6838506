#!/usr/bin/env bash
# Runs the Swift test suites (already built: `swift build --build-tests`) as concurrent groups, each
# its own test process, and fails if any group fails or runs no test. The groups run the test bundle
# directly, with the arguments `swift test` would pass it: concurrent `swift test` processes collide
# on the build database even with --skip-build.
#
# Why groups of processes rather than one parallel process: each process has its own cooperative
# thread pool (2 threads on a 2-core machine), its own metrics backend (bootstrapped once per
# process) and its own environment. Suites that block their thread (the CLI tests wait on
# subprocesses synchronously) or share a process-wide resource then cannot stall or disturb the
# others. Within a group, Swift Testing runs suites in parallel unless the group says --no-parallel;
# suites marked `.serialized` run their tests one at a time either way.
#
# SWIFT_TEST_TIMEOUT (seconds, default 1800) bounds each group, so a hang fails the run instead of
# blocking it.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SWIFT="${SWIFT:-swift}"
TIMEOUT="${SWIFT_TEST_TIMEOUT:-1800}"

BUNDLE="$("$SWIFT" build --show-bin-path)/StreamManagerPackageTests.xctest"

# Lanes run concurrently; the groups of a lane run one after the other.
# Lane 1: sync tests that block their thread on broker/run/kcat subprocesses; each starts its
# own brokers and managers, so one at a time. Then the same suites that talk to a broker again,
# against Tansu (an independent Kafka-compatible broker, librdkafka 2.16 on LD_LIBRARY_PATH, every
# child inheriting it): TestBroker starts the broker TEST_BROKER names. The CLI suites that never
# talk to a broker (validate, kafka-dev itself) run once.
CLI=(--no-parallel --filter CLITests --skip BudgetFleetTests)
BROKER_SUITES="OperatorCommandTests|FleetTests|DefaultsTests|CoalescingTests|HostileConfigTests|OperatorHealthTests"
BROKER_SUITES+="|SourceAccessTests|StatusHygieneTests|StaleStatusGuardTests|ChangeCommandsTests|OffsetsCommandTests"
# (The filter is a pattern: FleetTests would match BudgetFleetTests too, which runs once, on
# kafka-dev, in the operator lane.)
ON_TANSU=(--no-parallel --filter "$BROKER_SUITES" --skip BudgetFleetTests)
tansu_env=$(scripts/tansu.sh env) || { echo "swift-tests: cannot install Tansu (scripts/tansu.sh env)" >&2; exit 1; }
# Lane 2: StreamOperator in the process: swift-metrics is bootstrapped once per process, so the
# operator tests (OperatorTests, ConfigMapOperatorTests) share /metrics and run one at a time.
OPERATOR=(--no-parallel --filter OperatorTests --filter KubernetesTests)
# Then the fleet-wide budget suite (three managers and an API server, about 3 minutes of
# wall-clock windows): its own process so it runs beside the long CLI lane, not after it.
BUDGETS=(--no-parallel --filter BudgetFleetTests)
# Lane 3: everything else in parallel (a cluster, a server or a temporary file of its own per
# test), then, one at a time once that is done, the suites with timing assertions (request and
# record rates, CPU-bound parsing limits, how fast a cancelled transfer ends), which fail on a
# machine kept busy by the parallel ones.
TIMED="HotSettingsTests|FuzzTests|DocumentLimitsTests|HTTPSourceTests|HTTPTransportTests|BudgetBoardTests"
PARALLEL=(--experimental-maximum-parallelization-width 4 --skip CLITests --skip OperatorTests --skip KubernetesTests
          --skip "$TIMED")
SERIAL_TIMED=(--no-parallel --filter "$TIMED")

logs=$(mktemp -d)
run() {  # name, arguments…
  local name=$1 start=$SECONDS
  shift
  timeout --kill-after=30 "$TIMEOUT" "$BUNDLE" --testing-library swift-testing "$@" >"$logs/$name.log" 2>&1
  echo $? >"$logs/$name.rc"
  echo $((SECONDS - start)) >"$logs/$name.seconds"
}
{ run cli "${CLI[@]}"; TEST_BROKER=tansu LD_LIBRARY_PATH="${tansu_env#LD_LIBRARY_PATH=}" run cli-tansu "${ON_TANSU[@]}"; } &
{ run operator "${OPERATOR[@]}"; run budgets "${BUDGETS[@]}"; } &
{ run parallel "${PARALLEL[@]}"; run timed "${SERIAL_TIMED[@]}"; } &
wait
# Brokers a crashed or timed-out test process could not stop.
pkill -f "$ROOT/.cache/tansu/bin/tansu broker" 2>/dev/null || true

status=0
summary=""
for name in cli cli-tansu operator budgets parallel timed; do
  rc=$(cat "$logs/$name.rc")
  echo "===== test group '$name' (exit $rc) ====="
  cat "$logs/$name.log"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "swift-tests: group '$name' timed out after ${TIMEOUT}s" >&2
  fi
  if ! grep -Eq 'Test run with [1-9][0-9]* tests? .*passed' "$logs/$name.log"; then
    echo "swift-tests: group '$name' ran no passing test run" >&2
    [ "$rc" -eq 0 ] && rc=1
  fi
  [ "$rc" -ne 0 ] && status=1
  summary+="group '$name': exit $rc after $(cat "$logs/$name.seconds") s"$'\n'
  # The failed tests and issues of the group, so the end of a long log says what went wrong.
  summary+="$(grep -E '✘|timed out|Fatal error' "$logs/$name.log" | head -40)"$'\n'
done
echo "===== summary ====="
printf '%s' "$summary" | sed '/^$/d'
rm -rf "$logs"
exit "$status"

#!/usr/bin/env bash
# Runs the Swift test suites (already built: `swift build --build-tests`) as concurrent groups, each
# its own `swift test` process, and fails if any group fails or matches no test.
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

# name | swift test arguments
GROUPS_SPEC=(
  # Sync tests that block their thread on kafka-dev/run/kcat subprocesses; each starts its own
  # clusters and managers, so one at a time keeps the machine's two cores for the other groups.
  "cli|--no-parallel --filter CLITests"
  # StreamOperator in the process: swift-metrics is bootstrapped once per process, so the operator
  # tests (OperatorTests, ConfigMapOperatorTests) share /metrics and run one at a time.
  "operator|--no-parallel --filter OperatorTests --filter KubernetesTests"
  # Everything else: a cluster, a server or a temporary file of its own per test; run in parallel.
  "rest|--experimental-maximum-parallelization-width 4 --skip CLITests --skip OperatorTests --skip KubernetesTests"
)

logs=$(mktemp -d)
pids=()
names=()
for spec in "${GROUPS_SPEC[@]}"; do
  name=${spec%%|*}
  args=${spec#*|}
  # --ignore-lock: the groups share one build directory and only read it (--skip-build).
  # shellcheck disable=SC2086
  timeout --kill-after=30 "$TIMEOUT" "$SWIFT" test --skip-build --ignore-lock $args >"$logs/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
done

status=0
for i in "${!pids[@]}"; do
  name=${names[$i]}
  rc=0
  wait "${pids[$i]}" || rc=$?
  echo "===== swift test group '$name' (exit $rc) ====="
  cat "$logs/$name.log"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "swift-tests: group '$name' timed out after ${TIMEOUT}s" >&2
  fi
  if ! grep -Eq 'Test run with [1-9][0-9]* tests? .*passed' "$logs/$name.log"; then
    echo "swift-tests: group '$name' ran no passing test run" >&2
    [ "$rc" -eq 0 ] && rc=1
  fi
  [ "$rc" -ne 0 ] && status=1
done
rm -rf "$logs"
exit "$status"

#!/usr/bin/env python3
"""Failover of a fleet: 3 replicas x 300 sources on a kafka-dev cluster.

Kills one manager (SIGKILL) and measures the time until the status topic shows every source
RUNNING on the survivors. In the same run, for comparison: the session timeout (the floor:
Kafka only notices a dead member after it) and a graceful scale-down (SIGTERM), where the
leaving replica hands its sources over itself.

    make bench        # or: bench/failover_bench.py [--binary .build/release/stream-manager]
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time


def start(binary, args):
    return subprocess.Popen([binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def status(binary, bootstrap):
    out = subprocess.run([binary, "status", "-o", "json", "--bootstrap-servers", bootstrap, "--log-level", "error"],
                         capture_output=True, text=True, timeout=30).stdout
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        return {"sources": [], "managers": []}


def settled(board, instances, count):
    sources = board["sources"]
    return len(sources) == count and all(s["state"] == "RUNNING" and s["instance_id"] in instances for s in sources)


def wait_settled(binary, bootstrap, instances, count, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if settled(status(binary, bootstrap), instances, count):
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"not settled on {sorted(instances)} within {timeout} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--session-timeout-ms", type=int, default=6000)
    a = parser.parse_args()

    procs = []
    try:
        kafka = start(a.binary, ["kafka-dev", "--log-level", "error"])
        procs.append(kafka)
        bootstrap = kafka.stdout.readline().strip().split("bootstrap.servers=")[1]
        work = tempfile.mkdtemp(prefix="failover-bench-")
        config = os.path.join(work, "fleet.yaml")
        with open(config, "w") as f:
            f.write(f"manager: {{session_timeout_ms: {a.session_timeout_ms}, status_interval_seconds: 1}}\n")
        sources = os.path.join(work, "sources.yaml")
        with open(sources, "w") as f:
            f.write("sources:\n")
            for i in range(a.sources):
                f.write(f"  s{i}: {{source_type: generator, topic: failover-data, rate_limit_per_minute: 0, "
                        "ingestion: {mode: real_time, polling_interval_seconds: 1}, connector: {rate_per_second: 1}}\n")
        managers = {}
        for n in range(1, a.replicas + 1):
            name = f"m{n}"
            managers[name] = start(a.binary, ["run", "--bootstrap-servers", bootstrap, "--instance-id", name, "--http-port", "0",
                                              "--config", config, "--log-level", "error"])
            procs.append(managers[name])
        subprocess.run([a.binary, "apply", "-f", sources, "--bootstrap-servers", bootstrap, "--wait", "--timeout", "180",
                        "--log-level", "error"], check=True, stdout=subprocess.DEVNULL)
        alive = set(managers)
        wait_settled(a.binary, bootstrap, alive, a.sources)
        time.sleep(3)  # steady state: heartbeats and cursors committed

        victim = "m1"
        on_victim = sum(1 for s in status(a.binary, bootstrap)["sources"] if s["instance_id"] == victim)
        killed = time.monotonic()
        managers[victim].send_signal(signal.SIGKILL)
        managers[victim].wait()
        alive.discard(victim)
        failover = wait_settled(a.binary, bootstrap, alive, a.sources) - killed

        time.sleep(3)
        leaver = "m2"
        on_leaver = sum(1 for s in status(a.binary, bootstrap)["sources"] if s["instance_id"] == leaver)
        left = time.monotonic()
        managers[leaver].send_signal(signal.SIGTERM)
        alive.discard(leaver)
        graceful = wait_settled(a.binary, bootstrap, alive, a.sources) - left
        managers[leaver].wait(timeout=60)

        print(f"failover, {a.replicas} replicas x {a.sources} sources, session.timeout.ms {a.session_timeout_ms}:")
        print(f"  SIGKILL of {victim} ({on_victim} sources): all RUNNING elsewhere after {failover:.1f} s "
              f"(the session timeout alone is {a.session_timeout_ms / 1000:.1f} s)")
        print(f"  SIGTERM of {leaver} ({on_leaver} sources, graceful hand-over): all RUNNING elsewhere after {graceful:.1f} s")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    sys.exit(main())

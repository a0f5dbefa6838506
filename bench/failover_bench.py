#!/usr/bin/env python3
"""Failover of a fleet: 3 replicas x 300 sources, on kafka-dev or on Tansu.

Kills one manager (SIGKILL) and measures the time until the status topic shows every source
RUNNING on the survivors. In the same run, for comparison: the session timeout (the floor:
Kafka only notices a dead member after it) and a graceful scale-down (SIGTERM), where the
leaving replica hands its sources over itself.

Everything is seen from outside, by a confluent-kafka consumer of the status topic: the
timestamps of its records say when the survivors' heartbeats first list a partition of the
replica that went, when the first and the last of its sources show a new owner, and when all
of them run there.

    make bench        # or: bench/failover_bench.py --broker embedded|tansu [--binary .build/release/stream-manager]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_kafka  # noqa: E402

bench_kafka.use_confluent_kafka()


def start(binary, args, env, log):
    return subprocess.Popen([binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=log, env=env)


class Fleet:
    """Which sources run where, updated by the status follower record by record, so the record
    that completes a hand-over (and its timestamp) is known exactly."""

    def __init__(self, follower, count):
        self.follower = follower
        self.count = count
        self.alive = set()
        self.settled_at = None  # (timestamp_ms, read_at) of the record that settled the fleet
        self.bad = set()
        self.present = set()
        with follower.lock:
            follower.hooks.append(self._hook)

    def _ok(self, value):
        return value is not None and value.get("state") == "RUNNING" and value.get("instance_id") in self.alive

    def _hook(self, ts, read_at, key, value):
        if not key.startswith("source:"):
            return
        if value is None:  # a removed source: neither there nor waited for
            self.present.discard(key)
            self.bad.discard(key)
        else:
            self.present.add(key)
            if self._ok(value):
                self.bad.discard(key)
            else:
                self.bad.add(key)
        self._check(ts, read_at)

    def _check(self, ts, read_at):
        if self.settled_at is None and not self.bad and len(self.present) == self.count:
            self.settled_at = (ts, read_at)

    def expect(self, alive):
        """From now on, settled means every source RUNNING on one of `alive`."""
        with self.follower.lock:
            self.alive = set(alive)
            self.settled_at = None
            sources = {k: v for k, v in self.follower.latest.items() if k.startswith("source:")}
            self.present = {k for k, v in sources.items() if v is not None}
            self.bad = {k for k, v in sources.items() if v is not None and not self._ok(v)}
            if self.follower.records:
                ts, read_at = self.follower.records[-1][:2]
                self._check(ts, read_at)

    def wait(self, timeout):
        self.follower.wait(lambda: self.settled_at is not None, timeout,
                           f"all {self.count} sources RUNNING on {sorted(self.alive)}")
        return self.settled_at


def breakdown(follower, began, gone, moved_ids, gone_partitions, settled):
    """Seconds from `began` to each visible step of a hand-over, from the status records'
    timestamps (the writer's clock, which is this machine's)."""
    t0_ms = began * 1000
    first_owner = {}
    first_running = {}
    stopped_by_gone = {}
    heartbeat_first = heartbeat_all = None
    seen_partitions = set()
    tombstone = None
    with follower.lock:
        records = list(follower.records)
    for ts, _, key, value in records:
        if ts < t0_ms - 5:  # 5 ms of slack: a timestamp has millisecond resolution
            continue
        if key.startswith("source:"):
            sid = key[len("source:"):]
            if sid not in moved_ids or value is None:
                continue
            owner = value.get("instance_id")
            if owner == gone:
                if value.get("state") == "STOPPED":
                    stopped_by_gone.setdefault(sid, ts)
            elif owner:
                first_owner.setdefault(sid, ts)
                if value.get("state") == "RUNNING":
                    first_running.setdefault(sid, ts)
        elif key.startswith("manager:"):
            if key == f"manager:{gone}":
                if value is None and tombstone is None:
                    tombstone = ts
                continue
            if value is None:
                continue
            covered = set(value.get("assigned_partitions") or []) & gone_partitions
            if covered and heartbeat_first is None:
                heartbeat_first = ts
            seen_partitions |= covered
            if covered and heartbeat_all is None and seen_partitions >= gone_partitions:
                heartbeat_all = ts

    def rel(ms):
        return None if ms is None else ms / 1000 - began

    def span(d):
        """(first, last) over the moved sources; last is None unless every one of them is in `d`."""
        if not d:
            return (None, None)
        return (rel(min(d.values())), rel(max(d.values())) if len(d) == len(moved_ids) else None)
    return {
        "stopped": span(stopped_by_gone),
        "tombstone": rel(tombstone),
        "heartbeat": (rel(heartbeat_first), rel(heartbeat_all)),
        "owner": span(first_owner),
        "running": span(first_running),
        "settled": rel(settled[0]),
        "settled_read": settled[1] - began,
    }


def group_line(watcher, began):
    if watcher is None or watcher.error is not None and not watcher.changes:
        return "    group state: the broker does not describe groups"
    steps = [f"{state} at {seen - began:.2f} s" if seen >= began else state for seen, state, _ in watcher.since(began)]
    return "    group state (DescribeGroups every 0.1 s): " + " -> ".join(steps)


def fmt(x):
    return "   -  " if x is None else f"{x:6.2f}"


def report(label, b, group, session_s=None):
    lines = [f"  {label}", group]
    if session_s is not None:
        lines.append(f"    {fmt(session_s)} s  session timeout (Kafka's floor for noticing a dead member)")
    if b["stopped"][0] is not None:
        lines.append(f"    {fmt(b['stopped'][0])} s  first of its sources STOPPED by the leaver;  last {fmt(b['stopped'][1])} s")
    if b["tombstone"] is not None:
        lines.append(f"    {fmt(b['tombstone'])} s  the leaver's heartbeat tombstoned")
    lines.append(f"    {fmt(b['heartbeat'][0])} s  first survivor heartbeat listing one of its partitions;  all of them "
                 f"{fmt(b['heartbeat'][1])} s (heartbeats every 1 s: up to 1 s late)")
    lines.append(f"    {fmt(b['owner'][0])} s  first moved source shows its new owner;  last {fmt(b['owner'][1])} s")
    lines.append(f"    {fmt(b['running'][0])} s  first moved source RUNNING on its new owner;  last {fmt(b['running'][1])} s")
    lines.append(f"    {fmt(b['settled'])} s  every source RUNNING on the survivors (record written; read by the "
                 f"observer at {b['settled_read']:.2f} s)")
    return "\n".join(lines)


def owned_by(follower, instance):
    with follower.lock:
        sources = {k[len("source:"):] for k, v in follower.latest.items()
                   if k.startswith("source:") and v is not None and v.get("instance_id") == instance}
        beat = follower.latest.get(f"manager:{instance}") or {}
    return sources, set(beat.get("assigned_partitions") or [])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--broker", choices=["embedded", "tansu"], default="embedded")
    parser.add_argument("--client-librdkafka", choices=["2.16", "system"], default="2.16",
                        help="librdkafka of the operator's processes (system = Debian's; kafka-dev only)")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--session-timeout-ms", type=int, default=6000)
    a = parser.parse_args()
    binary = os.path.abspath(a.binary)

    procs = []
    broker = follower = watcher = None
    work = tempfile.mkdtemp(prefix="failover-bench-")
    log = open(os.path.join(work, "managers.log"), "w")
    ok = False
    try:
        broker = bench_kafka.Broker.start(a.broker, binary, a.client_librdkafka)
        broker.create_topics({"failover-data": 4})
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
            managers[name] = start(binary, ["run", "--bootstrap-servers", broker.bootstrap, "--instance-id", name,
                                            "--http-port", "0", "--config", config, "--log-level", "error"],
                                   broker.env, log)
            procs.append(managers[name])
        subprocess.run([binary, "apply", "-f", sources, "--bootstrap-servers", broker.bootstrap, "--wait",
                        "--timeout", "180", "--log-level", "error"], check=True, stdout=subprocess.DEVNULL,
                       env=broker.env)
        follower = bench_kafka.StatusFollower(broker)
        fleet = Fleet(follower, a.sources)
        alive = set(managers)
        fleet.expect(alive)
        fleet.wait(120)
        time.sleep(3)  # steady state: heartbeats and cursors committed

        watcher = bench_kafka.GroupWatcher(broker, "stream-manager")
        victim = "m1"
        on_victim, victim_partitions = owned_by(follower, victim)
        alive.discard(victim)
        fleet.expect(alive)
        killed = time.time()
        managers[victim].send_signal(signal.SIGKILL)
        managers[victim].wait()
        settled = fleet.wait(120)
        time.sleep(2)  # the survivors' next heartbeats (every second) show their new partitions
        kill_b = breakdown(follower, killed, victim, on_victim, victim_partitions, settled)
        kill_group = group_line(watcher, killed)

        time.sleep(1)
        leaver = "m2"
        on_leaver, leaver_partitions = owned_by(follower, leaver)
        exited = {}
        alive.discard(leaver)
        fleet.expect(alive)
        left = time.time()
        managers[leaver].send_signal(signal.SIGTERM)

        def reap():
            managers[leaver].wait()
            exited["at"] = time.time()
        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        settled = fleet.wait(120)
        reaper.join(timeout=60)
        time.sleep(2)
        term_b = breakdown(follower, left, leaver, on_leaver, leaver_partitions, settled)
        term_group = group_line(watcher, left)
        watcher.close()
        watcher = None

        print(f"failover on {a.broker}: {broker.describe()}")
        print(f"{a.replicas} replicas x {a.sources} sources, session.timeout.ms {a.session_timeout_ms}, "
              f"status every 1 s; seconds after the signal, from status-topic record timestamps:")
        print(report(f"SIGKILL of {victim} ({len(on_victim)} sources, partitions {sorted(victim_partitions)}):", kill_b,
                     kill_group, a.session_timeout_ms / 1000))
        term_b["exit"] = exited.get("at", float("nan")) - left
        print(report(f"SIGTERM of {leaver} ({len(on_leaver)} sources, partitions {sorted(leaver_partitions)}, "
                     f"graceful hand-over; the process exited after {term_b['exit']:.2f} s):", term_b, term_group))
        print(f"  summary: SIGKILL {kill_b['settled']:.2f} s, SIGTERM {term_b['settled']:.2f} s until all RUNNING elsewhere")
        ok = True
    finally:
        if watcher is not None:
            watcher.close()
        if follower is not None:
            follower.close()
        for p in reversed(procs):
            bench_kafka.stop_process(p)
        if broker is not None:
            broker.stop()
        log.close()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"the managers' log is in {log.name}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

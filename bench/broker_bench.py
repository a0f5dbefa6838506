#!/usr/bin/env python3
"""The operator as its own process against kafka-dev and against Tansu, in one run.

For each broker (a fresh one each):
1. Reconcile latency. One `stream-manager run` with 1,000 idle generator sources (applied with
   `apply --wait`), then hot changes (`priority`) of distinct sources, one at a time, each written
   to the config topic by confluent-kafka. Clock: from just before the config record is produced
   to the first status record of that source RUNNING with a config_hash other than the one it had
   — as written (the status record's timestamp) and as read by a consumer of the status topic.
2. Beside it: one produce → consume hop with confluent-kafka (a consumer already assigned and
   polling), with the observer's fetch.wait.max.ms and with the operator's (40 ms outside
   embedded mode): in this hop neither broker answers an idle fetch before that wait is over.
3. Throughput. A generator source emitting as fast as it can (200-byte values, 16 keys, N records)
   into a 4-partition topic, timed from its config record until a consumer (kcat -C) has read N
   records there; beside it `kcat -P` of N lines of a 200-byte value and a key into the same
   broker, timed the same way (and by kcat's exit).

    make bench        # or: bench/broker_bench.py [--broker embedded|tansu|both] [--binary ...]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_kafka  # noqa: E402

bench_kafka.use_confluent_kafka()
from confluent_kafka import Consumer, Producer, TopicPartition  # noqa: E402

KCAT = "/usr/bin/kcat" if os.path.exists("/usr/bin/kcat") else "kcat"
# Outside embedded mode the operator's config reader waits this long in an idle fetch
# (OperatorSettings.configFetchWait).
OPERATOR_FETCH_WAIT_MS = 40


T0 = time.monotonic()


def step(what):
    print(f"[{time.monotonic() - T0:6.1f} s] {what}", file=sys.stderr, flush=True)


def idle_source():
    return {"source_type": "generator", "topic": "bench-idle", "rate_limit_per_minute": 0,
            "ingestion": {"mode": "real_time", "polling_interval_seconds": 3600},
            "connector": {"rate_per_second": 0.001}}


def burst_source(topic, records):
    return {"source_type": "generator", "topic": topic, "rate_limit_per_minute": 0,
            "ingestion": {"mode": "real_time", "max_records_per_poll": 1000},
            "connector": {"rate_per_second": 0, "total_records": records, "payload_bytes": 200, "key_cardinality": 16}}


def stats(values):
    return {"p50": bench_kafka.percentile(values, 0.5), "p90": bench_kafka.percentile(values, 0.9),
            "p99": bench_kafka.percentile(values, 0.99),
            "max": max(values) if values else float("nan"), "n": len(values)}


def config_producer(broker):
    # murmur2_random: the partition `apply` and Java clients pick for a key.
    return Producer(broker.client_config(**{"partitioner": "murmur2_random", "linger.ms": 0}))


def hop(broker, fetch_wait_ms, samples):
    topic = f"bench-hop-{fetch_wait_ms}"
    broker.create_topics({topic: 1})
    producer = Producer(broker.client_config(**{"linger.ms": 0}))
    producer.produce(topic, partition=0, value=b"warm-up")
    producer.flush(10)
    consumer = Consumer(broker.client_config(**{"group.id": f"bench-hop-{os.getpid()}", "enable.auto.commit": False,
                                                "fetch.wait.max.ms": fetch_wait_ms}))
    try:
        _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
        consumer.assign([TopicPartition(topic, 0, high)])
        consumer.poll(1.0)  # assigned and fetching before the first sample
        lat = []
        for i in range(samples):
            sent = time.time()
            producer.produce(topic, partition=0, value=str(i).encode())
            producer.poll(0)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                m = consumer.poll(0.5)
                if m is not None and m.error() is None and m.value() == str(i).encode():
                    lat.append((time.time() - sent) * 1000)
                    break
            else:
                raise SystemExit(f"hop sample {i} was not read within 10 s")
            time.sleep(random.uniform(0, 0.02))  # not in step with the broker's fetch cycle
        producer.flush(10)
        return stats(lat)
    finally:
        consumer.close()


def reconcile(broker, binary, work, follower_holder, sources, changes):
    path = os.path.join(work, "sources.json")
    with open(path, "w") as f:
        json.dump({"sources": {f"s{i}": idle_source() for i in range(sources)}}, f)
    began = time.monotonic()
    subprocess.run([binary, "apply", "-f", path, "--bootstrap-servers", broker.bootstrap, "--wait", "--timeout", "600",
                    "--log-level", "error"], check=True, stdout=subprocess.DEVNULL, env=broker.env)
    applied = time.monotonic() - began
    follower = bench_kafka.StatusFollower(broker)
    follower_holder.append(follower)
    step(f"applied in {applied:.1f} s; reading the status topic")
    follower.caught_up()
    step(f"read {follower.read} status records")
    # apply --wait saw them all RUNNING; on Tansu "caught up" can stop short of the newest
    # records (see counter()), so wait for them by name.
    follower.wait(lambda: all((follower.latest.get(f"source:s{i}") or {}).get("state") == "RUNNING"
                              for i in range(sources)), 60, f"{sources} sources RUNNING in the status topic")
    producer = config_producer(broker)
    step(f"{changes} hot changes")
    written, read, restarted = [], [], 0
    ids = random.Random(7).sample(range(sources), changes)
    for i in ids:
        sid = f"s{i}"
        key = f"source:{sid}"
        with follower.lock:
            before = follower.latest[key]
        prev_hash = before["config_hash"]
        seen = {}

        def hook(ts, read_at, k, v, key=key, prev_hash=prev_hash, seen=seen):
            if k == key and v is not None and v.get("state") == "RUNNING" and v.get("config_hash") != prev_hash \
                    and not seen:
                seen.update(ts=ts, read_at=read_at, value=v)
        with follower.lock:
            follower.hooks.append(hook)
        source = idle_source()
        source["priority"] = "high"
        sent = time.time()
        producer.produce("stream-config", key=sid.encode(), value=json.dumps(source).encode())
        producer.poll(0)
        follower.wait(lambda: bool(seen), 30, f"{sid} RUNNING with a new config_hash")
        with follower.lock:
            follower.hooks.remove(hook)
        written.append(max(0.0, seen["ts"] - sent * 1000))
        read.append((seen["read_at"] - sent) * 1000)
        if seen["value"].get("stream_id") != before.get("stream_id"):
            restarted += 1
        producer.poll(0)
        time.sleep(random.uniform(0.05, 0.15))
    producer.flush(10)
    return {"applied_s": applied, "written": stats(written), "read": stats(read), "restarted": restarted}


def counter(broker, topic, records):
    """kcat consuming the topic from its start (every partition, no group) that exits once it has
    read `records` records: the time it exits is when the last of them had landed. A consumer,
    not end offsets, because Tansu reports a partition's end offset as the last batch's base
    offset + 1 (short by all but one record of that batch)."""
    return subprocess.Popen([KCAT, "-C", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-c", str(records), "-q",
                             "-f", "\\n", "-X", f"fetch.wait.max.ms={bench_kafka.OBSERVER_FETCH_WAIT_MS}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=broker.env)


def wait_counted(proc, topic, timeout=600):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise SystemExit(f"{topic}: not all records were read within {timeout} s")
    if proc.returncode != 0:
        raise SystemExit(f"{topic}: the counting consumer failed ({proc.returncode})")
    return time.time()


def throughput(broker, records, rounds, work):
    lines = os.path.join(work, "lines.txt")
    with open(lines, "w") as f:
        for i in range(records):
            f.write(f"burst-{i % 16}:" + ("x" * 200) + "\n")
    topics = {}
    for r in range(rounds):
        topics[f"bench-burst-{r}"] = 4
        topics[f"bench-kcat-{r}"] = 4
    broker.create_topics(topics)
    producer = config_producer(broker)
    results = []
    for r in range(rounds):
        topic = f"bench-burst-{r}"
        count = counter(broker, topic, records)
        try:
            time.sleep(1)  # the counter has its metadata and is fetching
            sent = time.time()
            producer.produce("stream-config", key=f"burst{r}".encode(),
                             value=json.dumps(burst_source(topic, records)).encode())
            producer.flush(10)
            done = wait_counted(count, topic)
        finally:
            bench_kafka.stop_process(count, 5)

        ktopic = f"bench-kcat-{r}"
        count = counter(broker, ktopic, records)
        try:
            time.sleep(1)
            k0 = time.time()
            with open(lines) as stdin:  # one record per line
                subprocess.run([KCAT, "-P", "-b", broker.bootstrap, "-t", ktopic, "-K:", "-X", "partitioner=murmur2_random"],
                               stdin=stdin, check=True, env=broker.env)
            kcat_exit = time.time()
            kdone = wait_counted(count, ktopic)
        finally:
            bench_kafka.stop_process(count, 5)
        results.append({"operator_s": done - sent, "operator_rate": records / (done - sent),
                        "kcat_s": kdone - k0, "kcat_rate": records / (kdone - k0),
                        "kcat_exit_rate": records / (kcat_exit - k0)})
    return results


def kcat_librdkafka(env):
    out = subprocess.run([KCAT, "-V"], capture_output=True, text=True, env=env).stdout
    m = re.search(r"Version (\S+) .*?librdkafka (\S+)", out)
    return f"kcat {m.group(1)} on librdkafka {m.group(2)}" if m else "unknown"


def run_broker(kind, a, binary):
    broker = operator = None
    follower_holder = []
    work = tempfile.mkdtemp(prefix=f"broker-bench-{kind}-")
    log = open(os.path.join(work, "operator.log"), "w")
    ok = False
    try:
        step(f"{kind}: starting the broker")
        broker = bench_kafka.Broker.start(kind, binary, a.client_librdkafka)
        broker.create_topics({"bench-idle": 1})
        step(f"{kind}: starting the operator, applying {a.sources} sources")
        operator = subprocess.Popen([binary, "run", "--bootstrap-servers", broker.bootstrap, "--instance-id", "bench",
                                     "--http-port", "0", "--log-level", "error"], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=log, env=broker.env)
        rec = reconcile(broker, binary, work, follower_holder, a.sources, a.changes)
        step(f"{kind}: hops")
        hop_obs = hop(broker, bench_kafka.OBSERVER_FETCH_WAIT_MS, a.hops)
        hop_op = hop(broker, OPERATOR_FETCH_WAIT_MS, max(20, a.hops // 2))
        step(f"{kind}: throughput")
        tp = throughput(broker, a.records, a.rounds, work)
        step(f"{kind}: done, stopping")
        if operator.poll() is not None:
            raise SystemExit(f"the operator exited with {operator.returncode}; see {log.name}")
        result = {"broker": kind, "describe": broker.describe(), "client_lib": broker.client_lib,
                  "kcat": kcat_librdkafka(broker.env), "reconcile": rec, "hop_observer": hop_obs,
                  "hop_operator": hop_op, "throughput": tp}
        ok = True
        return result
    finally:
        for f in follower_holder:
            f.close()
        if operator is not None:
            bench_kafka.stop_process(operator)
        if broker is not None:
            broker.stop()
        log.close()
        if ok:  # the prepared lines are 60 MB; the operator's log is kept only when something failed
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"{kind}: the operator's log is in {log.name}", file=sys.stderr)


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def row(st):
    return " ".join(f"{st[k]:8.1f}" for k in ("p50", "p90", "p99", "max"))


def print_table(r, a):
    rec = r["reconcile"]
    w, rd = rec["written"], rec["read"]
    ho, hp = r["hop_observer"], r["hop_operator"]
    tp = r["throughput"]
    print(f"broker {r['broker']}: {r['describe']}")
    print(f"  {r['kcat']}")
    print(f"  {'measure':<62} {'p50':>8} {'p90':>8} {'p99':>8} {'max':>8}")
    print(f"  {'reconcile, ' + str(w['n']) + ' hot changes, to status written (record ts), ms':<62} "
          + row(w))
    print(f"  {'reconcile, to status read by a consumer, ms':<62} " + row(rd))
    print(f"  {'hop produce→consume, fetch.wait.max.ms ' + str(bench_kafka.OBSERVER_FETCH_WAIT_MS) + ', ms':<62} "
          + row(ho))
    print(f"  {'hop produce→consume, fetch.wait.max.ms ' + str(OPERATOR_FETCH_WAIT_MS) + ' (operator), ms':<62} "
          + row(hp))
    print(f"  apply --wait of {a.sources} sources until all RUNNING: {rec['applied_s']:.1f} s; "
          f"changes that restarted the stream (new stream_id): {rec['restarted']} of {w['n']}")
    print(f"  throughput, {a.records} records of 200 bytes, counted by a consumer, {len(tp)} rounds: "
          + "; ".join(f"operator {t['operator_rate']:,.0f}/s, kcat -P {t['kcat_rate']:,.0f}/s "
                      f"({t['kcat_exit_rate']:,.0f}/s by its exit)" for t in tp))
    op, kc = median([t["operator_rate"] for t in tp]), median([t["kcat_rate"] for t in tp])
    print(f"  throughput median: operator {op:,.0f} records/s, kcat -P {kc:,.0f} records/s, ratio {op / kc:.2f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--broker", choices=["embedded", "tansu", "both"], default="both")
    parser.add_argument("--client-librdkafka", choices=["2.16", "system"], default="2.16",
                        help="librdkafka of the operator and kcat (system = Debian's; kafka-dev only)")
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--hops", type=int, default=200)
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3)
    a = parser.parse_args()
    binary = os.path.abspath(a.binary)
    kinds = ["embedded", "tansu"] if a.broker == "both" else [a.broker]
    results = []
    for kind in kinds:
        results.append(run_broker(kind, a, binary))
        print_table(results[-1], a)
        sys.stdout.flush()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A burst under the defaults, and under the seed's overflow settings.

1. Defaults: the operator (its own process, no --config) against kafka-dev (another process)
   ingests a generator source of N records made as fast as the generator can; every one must
   arrive (queue_overflow_strategy block, no send-rate ceiling). Beside it, in the same run:
   kcat -P of N lines of the same size into the same cluster.
2. The seed's values (drop_oldest, max_send_rate 1000): the sink's send rate while the queue
   holds a backlog, against the ceiling it is paced at; what was kept and what was dropped.

    make bench        # or: bench/burst_bench.py [--binary .build/release/stream-manager] [--records 300000]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.request

KCAT = "kcat"


def start(binary, args):
    return subprocess.Popen([binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def metrics(port):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()


def value(text, name, source=None):
    label = f'{{source="{source}"}}' if source else ""
    m = re.search(rf'^{name}{re.escape(label)} ([0-9.e+]+)', text, re.M)
    return float(m.group(1)) if m else 0.0


def count_records(bootstrap, topic):
    out = subprocess.run([KCAT, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "x\n"],
                         capture_output=True, text=True, timeout=600).stdout
    return out.count("\n")


def burst_source(records):
    return {"source_type": "generator", "topic": "burst", "rate_limit_per_minute": 0,
            "ingestion": {"mode": "real_time", "max_records_per_poll": 1000},
            "connector": {"rate_per_second": 0, "total_records": records}}


class Operator:
    """kafka-dev and one manager, both their own processes."""

    def __init__(self, binary, config=None):
        self.procs = []
        kafka = start(binary, ["kafka-dev", "--log-level", "error"])
        self.procs.append(kafka)
        self.bootstrap = kafka.stdout.readline().strip().split("bootstrap.servers=")[1]
        args = ["run", "--bootstrap-servers", self.bootstrap, "--http-port", "0", "--log-level", "error"]
        if config:
            path = os.path.join(tempfile.mkdtemp(prefix="burst-bench-"), "manager.yaml")
            with open(path, "w") as f:
                f.write(config)
            args += ["--config", path]
        manager = start(binary, args)
        self.procs.append(manager)
        self.port = int(manager.stdout.readline().strip().rsplit(":", 1)[1])

    def write(self, key, source):
        subprocess.run([KCAT, "-P", "-b", self.bootstrap, "-t", "stream-config", "-K:", "-X", "partitioner=murmur2_random"],
                       input=f"{key}:{json.dumps(source)}\n", text=True, check=True)

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def defaults(binary, records):
    op = Operator(binary)
    try:
        began = time.monotonic()
        op.write("burst", burst_source(records))
        sent = 0
        while sent < records and time.monotonic() - began < 900:
            time.sleep(0.05)
            sent = value(metrics(op.port), "stream_manager_records_sent_total", "burst")
        elapsed = time.monotonic() - began
        dropped = value(metrics(op.port), "stream_manager_queue_dropped_total", "burst")
        in_topic = count_records(op.bootstrap, "burst")
        work = tempfile.mkdtemp(prefix="burst-bench-")
        lines = os.path.join(work, "lines.txt")
        with open(lines, "w") as f:
            for i in range(records):
                f.write(f"burst-{i % 16}:" + ("x" * 200) + "\n")
        k0 = time.monotonic()
        with open(lines) as stdin:  # one record per line (a file argument would be one record)
            subprocess.run([KCAT, "-P", "-b", op.bootstrap, "-t", "burst-kcat", "-K:", "-X", "partitioner=murmur2_random"],
                           stdin=stdin, check=True)
        kcat_elapsed = time.monotonic() - k0
    finally:
        op.close()
    print(f"1. default-config burst of {records} generator records (operator and kafka-dev in separate processes)")
    print(f"   operator: {in_topic} records in the topic, {dropped:.0f} dropped, {elapsed:.2f} s from the config record "
          f"to the last delivery: {records / elapsed:,.0f} records/s")
    print(f"   kcat -P : {records} lines of 200 bytes in {kcat_elapsed:.2f} s: {records / kcat_elapsed:,.0f} records/s "
          f"(no headers; lines already made)")
    if in_topic < records or dropped:
        raise SystemExit("records were lost under the defaults")


def seed_overflow(binary, records, cap=1000):
    op = Operator(binary, f"queue_overflow_strategy: drop_oldest\nthrottling: {{max_send_rate: {cap}}}\n")
    try:
        op.write("burst", burst_source(records))
        samples = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = metrics(op.port)
            samples.append((time.monotonic(), value(text, "stream_manager_records_sent_total", "burst"),
                            value(text, "stream_manager_queue_size"), value(text, "stream_manager_queue_dropped_total", "burst")))
            if len(samples) > 5 and samples[-1][2] == 0 and samples[-1][1] > 0:
                break
            time.sleep(0.25)
    finally:
        op.close()
    backlog = [s for s in samples if s[2] > 0 and s[1] > 0]
    first, last = backlog[0], backlog[-1]
    rate = (last[1] - first[1]) / (last[0] - first[0])
    print(f"2. the seed's values (drop_oldest, max_send_rate {cap}), same burst")
    print(f"   sent {samples[-1][1]:.0f}, dropped {samples[-1][3]:.0f}; while the queue held a backlog "
          f"({last[0] - first[0]:.1f} s) the sink sent {rate:,.0f} records/s against a ceiling of {cap}")
    if abs(rate - cap) > cap * 0.1:
        raise SystemExit("the sink was not at its ceiling")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--records", type=int, default=300_000)
    a = parser.parse_args()
    defaults(a.binary, a.records)
    seed_overflow(a.binary, a.records)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A burst under the defaults: the operator (its own process, no --config) against kafka-dev
(another process) ingests a generator source of N records as fast as the generator makes them,
and must deliver every one. In the same run, for scale: kcat -P of N lines of the same size
into the same cluster.

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


def metric(port, name, source):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    m = re.search(rf'^{name}{{source="{source}"}} (\d+)', text, re.M)
    return int(m.group(1)) if m else 0


def count_records(bootstrap, topic):
    out = subprocess.run([KCAT, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "x\n"],
                         capture_output=True, text=True, timeout=300).stdout
    return out.count("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--records", type=int, default=300_000)
    a = parser.parse_args()
    procs = []
    try:
        kafka = start(a.binary, ["kafka-dev", "--log-level", "error"])
        procs.append(kafka)
        bootstrap = kafka.stdout.readline().strip().split("bootstrap.servers=")[1]
        manager = start(a.binary, ["run", "--bootstrap-servers", bootstrap, "--http-port", "0", "--log-level", "error"])
        procs.append(manager)
        port = int(manager.stdout.readline().strip().rsplit(":", 1)[1])
        source = {"source_type": "generator", "topic": "burst", "rate_limit_per_minute": 0,
                  "ingestion": {"mode": "real_time", "max_records_per_poll": 1000},
                  "connector": {"rate_per_second": 0, "total_records": a.records}}
        began = time.monotonic()
        subprocess.run([KCAT, "-P", "-b", bootstrap, "-t", "stream-config", "-K:", "-X", "partitioner=murmur2_random"],
                       input=f"burst:{json.dumps(source)}\n", text=True, check=True)
        sent = 0
        while sent < a.records and time.monotonic() - began < 600:
            time.sleep(0.05)
            sent = metric(port, "stream_manager_records_sent_total", "burst")
        elapsed = time.monotonic() - began
        dropped = metric(port, "stream_manager_queue_dropped_total", "burst")
        in_topic = count_records(bootstrap, "burst")

        # kcat -P of the same number of lines of the generator's default size (200-byte values).
        work = tempfile.mkdtemp(prefix="burst-bench-")
        lines = os.path.join(work, "lines.txt")
        with open(lines, "w") as f:
            for i in range(a.records):
                f.write(f"burst-{i % 16}:" + ("x" * 200) + "\n")
        k0 = time.monotonic()
        subprocess.run([KCAT, "-P", "-b", bootstrap, "-t", "burst-kcat", "-K:", "-X", "partitioner=murmur2_random", lines],
                       check=True)
        kcat_elapsed = time.monotonic() - k0

        print(f"default-config burst of {a.records} generator records (operator and kafka-dev in separate processes)")
        print(f"  operator: {in_topic} in the topic, {dropped} dropped, {elapsed:.2f} s from the config record to the last "
              f"delivery, {a.records / elapsed:,.0f} records/s")
        print(f"  kcat -P : {a.records} lines in {kcat_elapsed:.2f} s, {a.records / kcat_elapsed:,.0f} records/s "
              f"(no headers, records already made)")
        if in_topic < a.records or dropped:
            raise SystemExit("records were lost")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()

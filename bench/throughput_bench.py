#!/usr/bin/env python3
"""Throughput of the operator end to end against kcat -P, and the operator's peak RSS in a burst.

Broker: `stream-manager kafka-dev` (librdkafka's mock cluster, one broker) in its own process,
shared by every round. Records: what a `generator` source makes (200-byte JSON values, 16 keys,
the `source_id` and `source_type` headers), into a fresh topic of 4 partitions per round.

1. Throughput, alternating rounds (operator, kcat, operator, kcat, ...):
   - operator: a fresh `stream-manager run` per round (config: queue_overflow_strategy block,
     queue_max_size 100000, queue_max_bytes 64 MiB, throttling disabled, the kafka: producer
     settings below), ready (/readyz, then a warm-up source of one record: see start_manager),
     then one config record for a generator source of N records at no rate limit. Timed from just
     before the config record is written until the topic's end offsets (summed over its
     partitions) reach N. A fresh manager per round: no round inherits another's heap, streams or
     producer state, and each starts the same way.
   - kcat -P: the same N records, byte for byte (same keys, values and headers, same partitioner,
     so the same partitions), from a file written before the clock starts, with the producer
     settings the operator's data producer has under that config (compression: gzip, the
     operator's default, unless --compression says otherwise; linger, batch size, idempotence,
     acks). Timed from its start until its exit, and until the end offsets reach N. Before the
     timed rounds, a pair of 20,000-record rounds is read back and compared record for record.
2. Peak RSS: one more fresh manager (same config, warmed up the same way) ingests a burst of M
   records; its VmRSS is sampled every 50 ms while it runs (and VmHWM read at the end), beside
   queue_max_bytes + 100 MB (MiB throughout).

End offsets come from ListOffsets requests this script sends itself over one socket (a few
lines of the Kafka protocol): a poll every 10 ms costs the broker next to nothing, where a
counting consumer would fetch all N records again on the same cores, and `kcat -Q` per poll
would start a process and a client each time. The mock reports a partition's end offset as its
last offset + 1, so the sum is the number of records in the topic.

What this does NOT measure: a real Kafka cluster or a network (one mock broker on the same
machine: its cost is in every figure, and on a 2-core machine the broker, the operator and kcat
share the same 2 cores); consumers; the operator's startup (each manager is ready before its
clock starts); sources other than the generator, whose records cost nothing to fetch.

    bench/throughput_bench.py [--binary .build/release/stream-manager] [--records 200000] [--rounds 5]
                              [--burst-records 1000000] [--compression gzip]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import bench_kafka  # the bench scripts' shared helpers (standard library only at import)

KCAT = "kcat"
TIMEOUT = 600  # seconds, for every wait
LOG_LEVEL = "error"  # of kafka-dev and the managers; their stderr is kept when a run fails
POLL = 0.01  # seconds between end-offset polls
PARTITIONS = 4  # what the mock gives a topic it creates on first use
PAYLOAD_BYTES = 200
KEY_CARDINALITY = 16  # the generator's default, written out so both sides use the same keys
QUEUE_MAX_BYTES = 64 << 20  # the documented default, written out so the figure printed is the one used
# The operator's data-producer settings under the config below (the kafka: section sets the first
# three explicitly; the rest are what KafkaProducerConfiguration gives every data producer). kcat
# gets the same, so the two differ only in what comes before librdkafka.
LINGER_MS = 10
BATCH_SIZE = 500


def kcat_producer_properties(compression):
    return {"compression.codec": compression, "linger.ms": LINGER_MS, "batch.num.messages": BATCH_SIZE,
            "acks": "all", "enable.idempotence": "true", "partitioner": "murmur2_random",
            "queue.buffering.max.messages": 100_000, "retry.backoff.ms": 100, "message.timeout.ms": 0}


def manager_config(compression):
    return (f"queue_overflow_strategy: block\n"
            f"queue_max_size: 100000\n"
            f"queue_max_bytes: {QUEUE_MAX_BYTES}\n"
            f"throttling:\n  enabled: false\n"
            f"kafka:\n  compression_type: {compression}\n  linger_ms: {LINGER_MS}\n  batch_size: {BATCH_SIZE}\n")


def source(topic, records):
    return {"source_type": "generator", "topic": topic, "rate_limit_per_minute": 0,
            "ingestion": {"mode": "real_time", "max_records_per_poll": 1000},
            "connector": {"rate_per_second": 0, "total_records": records, "payload_bytes": PAYLOAD_BYTES,
                          "key_cardinality": KEY_CARDINALITY}}


def fail(message):
    raise SystemExit(f"throughput_bench: {message}")


# --- processes -------------------------------------------------------------------------------

def start(binary, args, log):
    return subprocess.Popen([binary] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)


def first_line(proc, what):
    """The contract line a process prints first on stdout; then stdout is drained in a thread, so
    whatever else it prints cannot fill the pipe and stall it."""
    box = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline().decode()), daemon=True)
    reader.start()
    reader.join(TIMEOUT)
    if not box or not box[0]:
        fail(f"{what} printed no first line within {TIMEOUT} s (exit code {proc.poll()})")
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return box[0].strip()


# SIGTERM, then SIGKILL after 30 s: the shared helper of the bench scripts.
stop = bench_kafka.stop_process


def kcat_version():
    out = subprocess.run([KCAT, "-V"], capture_output=True, text=True).stdout
    m = re.search(r"Version (\S+) .*?librdkafka (\S+)", out)
    return f"kcat {m.group(1)} on librdkafka {m.group(2)}" if m else "kcat (version unknown)"


# --- end offsets, straight from the broker ---------------------------------------------------

def _string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class _Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def int(self, fmt):
        (v,) = struct.unpack_from(">" + fmt, self.data, self.at)
        self.at += struct.calcsize(">" + fmt)
        return v

    def string(self):
        n = self.int("h")
        v = self.data[self.at:self.at + n].decode()
        self.at += n
        return v


class Connection:
    """One broker connection speaking Metadata v0 and ListOffsets v1, one request at a time."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.correlation = 0

    def call(self, api_key, version, body):
        self.correlation += 1
        header = struct.pack(">hhi", api_key, version, self.correlation) + _string("throughput-bench")
        message = header + body
        self.sock.sendall(struct.pack(">i", len(message)) + message)
        (size,) = struct.unpack(">i", self._read(4))
        data = self._read(size)
        if struct.unpack_from(">i", data)[0] != self.correlation:
            fail("a broker answer did not match its request")
        return _Reader(data[4:])

    def _read(self, n):
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(left)
            if not chunk:
                fail("the broker closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def close(self):
        self.sock.close()


class Offsets:
    """End offsets of topics. Metadata v0 for a topic the mock does not know creates it (4
    partitions), which is how each round's topic is made before its clock starts."""

    def __init__(self, bootstrap):
        host, port = bootstrap.split(",")[0].rsplit(":", 1)
        self.bootstrap = Connection(host, int(port))
        self.brokers = {}  # node id -> Connection
        self.leaders = {}  # topic -> {leader node: [partitions]}

    def create(self, topic):
        deadline = time.monotonic() + 30
        while True:
            r = self.bootstrap.call(3, 0, struct.pack(">i", 1) + _string(topic))
            nodes = {}
            for _ in range(r.int("i")):
                node, host, port = r.int("i"), r.string(), r.int("i")
                nodes[node] = (host, port)
            leaders, ok = {}, True
            for _ in range(r.int("i")):
                error, _name = r.int("h"), r.string()
                ok = ok and error == 0
                for _ in range(r.int("i")):
                    perror, partition, leader = r.int("h"), r.int("i"), r.int("i")
                    for _ in range(2):  # replicas, isr
                        for _ in range(r.int("i")):
                            r.int("i")
                    ok = ok and perror == 0 and leader >= 0
                    leaders.setdefault(leader, []).append(partition)
            if ok and leaders:
                break
            if time.monotonic() > deadline:
                fail(f"topic {topic} has no leaders after 30 s")
            time.sleep(0.1)
        for node in leaders:
            if node not in self.brokers:
                self.brokers[node] = Connection(*nodes[node])
        self.leaders[topic] = leaders
        count = sum(len(p) for p in leaders.values())
        if count != PARTITIONS:
            fail(f"topic {topic} has {count} partitions, not {PARTITIONS}")

    def total(self, topic):
        total = 0
        for node, partitions in self.leaders[topic].items():
            body = struct.pack(">ii", -1, 1) + _string(topic) + struct.pack(">i", len(partitions))
            body += b"".join(struct.pack(">iq", p, -1) for p in partitions)  # -1: the end
            r = self.brokers[node].call(2, 1, body)
            for _ in range(r.int("i")):
                r.string()
                for _ in range(r.int("i")):
                    _partition, error, _ts, offset = r.int("i"), r.int("h"), r.int("q"), r.int("q")
                    if error:
                        fail(f"ListOffsets for {topic} failed with error {error}")
                    total += offset
        return total

    def close(self):
        for c in [self.bootstrap] + list(self.brokers.values()):
            c.close()


# --- the records -----------------------------------------------------------------------------

def generator_key(source_id, seq):
    return f"{source_id}-{seq % KEY_CARDINALITY}"


def generator_value(source_id, seq):
    # GeneratorConnector.value: the fields, then 'x' up to payload_bytes, the last two bytes `"}`.
    head = '{"seq":%d,"source_id":"%s","payload":"' % (seq, source_id)
    size = max(PAYLOAD_BYTES, len(head) + 2)
    return head + "x" * (size - len(head) - 2) + '"}'


def write_input(path, source_id, records):
    """kcat -P input: key TAB value per line (neither holds a tab or a newline)."""
    with open(path, "w") as f:
        for seq in range(records):
            f.write(f"{generator_key(source_id, seq)}\t{generator_value(source_id, seq)}\n")


def read_back(bootstrap, topic, count):
    """Every record of a topic as partition, key, value and headers, sorted: the order within a
    partition may differ, the records may not. Read until `count` records (`-c`): with the mock
    cluster, kcat's end-of-partition exit (`-e`) can come before the end."""
    out = subprocess.run([KCAT, "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-c", str(count), "-q",
                          "-f", "%p\t%k\t%s\t%h\n"], capture_output=True, timeout=TIMEOUT, check=True).stdout
    return sorted(out.splitlines())


# --- the bench -------------------------------------------------------------------------------

class Bench:
    def __init__(self, binary, compression, work):
        self.binary, self.compression, self.work = binary, compression, work
        self.config = os.path.join(work, "manager.yaml")
        with open(self.config, "w") as f:
            f.write(manager_config(compression))
        self.logs = open(os.path.join(work, "processes.log"), "ab")
        self.broker = start(binary, ["kafka-dev", "--log-level", LOG_LEVEL], self.logs)
        line = first_line(self.broker, "kafka-dev")
        if "bootstrap.servers=" not in line:
            fail(f"kafka-dev printed {line!r} instead of its bootstrap line")
        self.bootstrap = line.split("bootstrap.servers=")[1]
        self.offsets = Offsets(self.bootstrap)
        self.manager = None
        self.managers = 0

    def close(self):
        if self.manager is not None:
            stop(self.manager)
        self.offsets.close()
        stop(self.broker)
        self.logs.close()

    def start_manager(self):
        """A fresh manager, returned once it runs a new source as soon as its config record lands.

        /readyz alone is not enough: it answers ready before the consumer group has assigned the
        config topic's partitions, which the mock's coordinator does 3 s (first member) to 8 s
        (after a member left) later; a round timed from /readyz would time that rebalance. So a
        warm-up source of one record runs first (its record landing proves the partitions are
        assigned: one member gets all of them), is removed again, and the round starts once the
        manager reports no active stream.""" 
        self.managers += 1
        self.manager = start(self.binary, ["run", "--bootstrap-servers", self.bootstrap, "--http-port", "0",
                                           "--log-level", LOG_LEVEL, "--config", self.config], self.logs)
        line = first_line(self.manager, "the manager")
        if "http endpoints:" not in line:
            fail(f"the manager printed {line!r} instead of its http endpoints line")
        port = int(line.rsplit(":", 1)[1])
        began = time.monotonic()
        self.until(lambda: http_get(port, "/readyz")[0] == 200, began, "the manager was not ready")
        warm_id = topic = f"tb-warmup-{self.managers:04d}"
        self.offsets.create(topic)
        self.write_config(warm_id, source(topic, 1))
        self.until(lambda: self.offsets.total(topic) >= 1, began, "the warm-up source's record did not land")
        self.write_config(warm_id, None)
        removed = time.monotonic()
        # The gauge is refreshed about once a second: a reading taken over a second after the
        # tombstone was written reflects it.
        self.until(lambda: time.monotonic() - removed > 1.2 and active_streams(port) == 0, began,
                   "the warm-up source was not removed")
        return port

    def until(self, condition, began, what):
        while not condition():
            if self.manager.poll() is not None:
                fail(f"{what}: the manager exited with {self.manager.returncode}")
            if time.monotonic() - began > TIMEOUT:
                fail(f"{what} within {TIMEOUT} s")
            time.sleep(0.05)

    def stop_manager(self):
        stop(self.manager)
        self.manager = None

    def write_config(self, key, value):
        """One config-topic record; value None is a tombstone."""
        args = [KCAT, "-P", "-b", self.bootstrap, "-t", "stream-config", "-K", "\\t", "-X", "partitioner=murmur2_random"]
        if value is None:
            args.append("-Z")  # the empty value goes out as NULL
        line = f"{key}\t{'' if value is None else json.dumps(value)}\n"
        subprocess.run(args, input=line.encode(), check=True, stderr=self.logs, timeout=60)

    def wait_for(self, topic, records, began, what):
        """Polls the topic's end offsets until they sum to `records`; returns when they did."""
        while True:
            total = self.offsets.total(topic)
            now = time.monotonic()
            if total >= records:
                if total > records:
                    fail(f"{what}: {topic} holds {total} records, {records} were sent")
                return now
            if self.manager.poll() is not None:
                fail(f"{what}: the manager exited with {self.manager.returncode}")
            if now - began > TIMEOUT:
                fail(f"{what}: {topic} held {total} of {records} records after {TIMEOUT} s")
            time.sleep(POLL)

    def operator_round(self, source_id, topic, records):
        self.offsets.create(topic)
        self.start_manager()
        try:
            began = time.monotonic()
            self.write_config(source_id, source(topic, records))
            done = self.wait_for(topic, records, began, f"operator round {source_id}")
            # Off the clock: the next manager must not find this source in the config topic.
            self.write_config(source_id, None)
        finally:
            self.stop_manager()
        return done - began

    def kcat_round(self, source_id, topic, records):
        self.offsets.create(topic)
        path = os.path.join(self.work, "records.txt")
        write_input(path, source_id, records)
        args = [KCAT, "-P", "-b", self.bootstrap, "-t", topic, "-K", "\\t",
                "-H", f"source_id={source_id}", "-H", "source_type=generator"]
        for k, v in kcat_producer_properties(self.compression).items():
            args += ["-X", f"{k}={v}"]
        with open(path, "rb") as stdin:  # one record per line (a file argument would be one record)
            began = time.monotonic()
            proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL, stderr=self.logs)
            landed = exited = None
            try:
                while landed is None or exited is None:
                    now = time.monotonic()
                    if exited is None and proc.poll() is not None:
                        if proc.returncode != 0:
                            fail(f"kcat -P exited with {proc.returncode}")
                        exited = now
                    if landed is None:
                        total = self.offsets.total(topic)
                        if total > records:
                            fail(f"kcat round {source_id}: {topic} holds {total} records, {records} were sent")
                        if total == records:
                            landed = now
                    if now - began > TIMEOUT:
                        fail(f"kcat round {source_id}: not done after {TIMEOUT} s")
                    time.sleep(POLL)
            finally:
                stop(proc)
        os.remove(path)
        return exited - began, landed - began

    def burst(self, source_id, topic, records):
        """A fresh manager ingests `records`; its RSS is sampled every 50 ms meanwhile."""
        self.offsets.create(topic)
        self.start_manager()
        pid = self.manager.pid
        samples, stopping = [], threading.Event()

        def sample():
            while not stopping.is_set():
                rss = proc_status(pid, "VmRSS")
                if rss is not None:
                    samples.append(rss)
                stopping.wait(0.05)
        try:
            idle = proc_status(pid, "VmRSS")
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            began = time.monotonic()
            self.write_config(source_id, source(topic, records))
            done = self.wait_for(topic, records, began, "burst")
            stopping.set()
            sampler.join()
            hwm = proc_status(pid, "VmHWM")
            self.write_config(source_id, None)
        finally:
            stopping.set()
            self.stop_manager()
        return {"seconds": done - began, "idle_kb": idle, "peak_kb": max(samples) if samples else None,
                "hwm_kb": hwm, "samples": len(samples)}


def http_get(port, path):
    """(status, body) of a manager endpoint; (None, "") while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except (urllib.error.URLError, OSError):
        return None, ""


def active_streams(port):
    status, text = http_get(port, "/metrics")
    m = re.search(r"^stream_manager_active_streams(?:\{[^}]*\})? ([0-9.e+]+)", text, re.M) if status == 200 else None
    return float(m.group(1)) if m else None


def proc_status(pid, field):
    """A /proc/<pid>/status field in kB, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def mib(kb):
    return kb / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--records", type=int, default=200_000, help="records per throughput round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each, alternating")
    parser.add_argument("--burst-records", type=int, default=1_000_000, help="records of the peak-RSS burst (0: none)")
    parser.add_argument("--compression", default="gzip", choices=["none", "gzip", "snappy", "lz4", "zstd"],
                        help="kafka.compression_type of the operator and kcat's compression.codec "
                             "(default: gzip, the operator's default)")
    a = parser.parse_args()
    if a.records < 1 or a.rounds < 1 or a.burst_records < 0:
        parser.error("--records and --rounds must be at least 1, --burst-records at least 0")
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not an executable; build it first (swift build -c release)")

    work = tempfile.mkdtemp(prefix="throughput-bench-")
    bench = Bench(binary, a.compression, work)
    ok = False
    try:
        print(f"broker: kafka-dev at {bench.bootstrap} (librdkafka mock cluster, 1 broker, its own process); "
              f"{kcat_version()}; binary {binary}; {os.cpu_count()} cores shared by all three")
        print(f"throughput: {a.records} records x {a.rounds} round(s) each, alternating; {PAYLOAD_BYTES}-byte values, "
              f"{KEY_CARDINALITY} keys, headers source_id and source_type, {PARTITIONS} partitions; producer on both "
              f"sides: compression {a.compression}, linger.ms {LINGER_MS}, batch.num.messages {BATCH_SIZE}, "
              f"idempotent, acks all, murmur2_random")
        sys.stdout.flush()
        # Off the clock, first: the comparison is only fair if kcat sends what the operator sends.
        # A pair of small rounds is read back whole (kafka-dev keeps only the last few MB of each
        # partition, so the records of a full round are no longer all there to compare).
        verify = min(a.records, 20_000)
        bench.operator_round("tbverify", "tb-verify-operator", verify)
        bench.kcat_round("tbverify", "tb-verify-kcat", verify)
        ours = read_back(bench.bootstrap, "tb-verify-operator", verify)
        theirs = read_back(bench.bootstrap, "tb-verify-kcat", verify)
        if ours != theirs:
            diff = next((i for i, (x, y) in enumerate(zip(ours, theirs)) if x != y), min(len(ours), len(theirs)))
            fail(f"the kcat records differ from the operator's ({len(ours)} vs {len(theirs)} records); "
                 f"first difference:\n  operator: {ours[diff] if diff < len(ours) else None!r}\n"
                 f"  kcat:     {theirs[diff] if diff < len(theirs) else None!r}")
        print(f"  read back: {len(ours)} records of a verification round are identical in both topics "
              f"(partition, key, value, headers)")
        op_rates, kcat_rates, kcat_exit_rates = [], [], []
        for r in range(a.rounds):
            source_id = f"tb{r:04d}"
            op_topic, kcat_topic = f"tb-operator-{r:04d}", f"tb-kcat-{r:04d}"
            op_s = bench.operator_round(source_id, op_topic, a.records)
            exit_s, landed_s = bench.kcat_round(source_id, kcat_topic, a.records)
            op_rates.append(a.records / op_s)
            kcat_rates.append(a.records / landed_s)
            kcat_exit_rates.append(a.records / exit_s)
            print(f"  round {r + 1}: operator {op_rates[-1]:>10,.0f} records/s ({op_s:.2f} s); "
                  f"kcat -P {kcat_rates[-1]:>10,.0f} records/s by end offset ({landed_s:.2f} s), "
                  f"{kcat_exit_rates[-1]:>10,.0f} by its exit ({exit_s:.2f} s)")
            sys.stdout.flush()
        op_med, kcat_med, kcat_exit_med = (statistics.median(v) for v in (op_rates, kcat_rates, kcat_exit_rates))
        pair_ratio = statistics.median(o / k for o, k in zip(op_rates, kcat_rates))
        print(f"median: operator {op_med:,.0f} records/s; kcat -P {kcat_med:,.0f} records/s by end offset, "
              f"{kcat_exit_med:,.0f} by its exit")
        print(f"ratio operator/kcat: {op_med / kcat_med:.3f} (medians, by end offset), "
              f"{op_med / kcat_exit_med:.3f} (kcat by its exit), {pair_ratio:.3f} (median of the per-round ratios)")
        sys.stdout.flush()

        if a.burst_records == 0:
            ok = True
            return
        b = bench.burst("tb-burst", "tb-burst", a.burst_records)
        limit = QUEUE_MAX_BYTES / (1 << 20)
        peak = max(x for x in (b["peak_kb"], b["hwm_kb"]) if x is not None)
        print(f"peak RSS: a burst of {a.burst_records} records through one manager in {b['seconds']:.2f} s "
              f"({a.burst_records / b['seconds']:,.0f} records/s)")
        print(f"  VmRSS before the burst (ready, warmed up) {mib(b['idle_kb']):.1f} MiB, sampled peak {mib(b['peak_kb']):.1f} MiB "
              f"({b['samples']} samples, every 50 ms), VmHWM {mib(b['hwm_kb']):.1f} MiB")
        print(f"  queue_max_bytes {QUEUE_MAX_BYTES} ({limit:.0f} MiB, set in the config), queue_max_size 100000; "
              f"target: peak <= queue_max_bytes + 100 MB = {limit + 100:.0f} MiB: "
              f"{'met' if mib(peak) <= limit + 100 else 'NOT met'} ({mib(peak):.1f} MiB)")
        ok = True
    finally:
        bench.close()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"throughput_bench: the processes' stderr is in {os.path.join(work, 'processes.log')}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()

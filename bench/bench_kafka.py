"""Shared pieces of the Python benchmarks that run the operator against a broker of their own.

- `use_confluent_kafka()`: makes sure confluent-kafka 2.16.1 can be imported, installing it into
  .cache/bench-venv (from the wheel scripts/tansu.sh keeps, else from PyPI) and re-running the
  script there when the current Python lacks it.
- `Broker.start(kind, binary)`: `kafka-dev` (librdkafka's mock cluster, its own process) or Tansu
  (scripts/tansu.sh), with the environment every Kafka client talking to it must run with.
- `StatusFollower`: the status topic as it is written, in a thread: the newest record per key,
  every record with its timestamp, and hooks that see each record as it is read.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TANSU_SH = os.path.join(ROOT, "scripts", "tansu.sh")
VENV = os.path.join(ROOT, ".cache", "bench-venv")
WHEELS = os.path.join(ROOT, ".cache", "tansu", "wheels")
CK_VERSION = "2.16.1"

# The measuring clients wait at most this long in an idle fetch. Neither broker answers a fetch
# as soon as a record arrives (both hold it until fetch.wait.max.ms), so this bounds what the
# observer adds to every latency it measures.
OBSERVER_FETCH_WAIT_MS = 10


def use_confluent_kafka():
    """Imports confluent_kafka at the pinned version, or re-runs this script in the bench venv."""
    try:
        import confluent_kafka
        if confluent_kafka.__version__ == CK_VERSION:
            return
    except ImportError:
        pass
    if os.environ.get("BENCH_IN_VENV"):
        raise SystemExit(f"confluent-kafka {CK_VERSION} is not importable even in {VENV}")
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python) and subprocess.run([sys.executable, "-m", "venv", VENV]).returncode != 0:
        # No venv module (Debian without python3-venv): the user site of this Python instead.
        subprocess.run([TANSU_SH, "install"], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--user", "--quiet", "--find-links", WHEELS,
                        f"confluent-kafka=={CK_VERSION}"], check=True)
        python = sys.executable
    check = subprocess.run([python, "-c", f"import confluent_kafka as c; assert c.__version__ == '{CK_VERSION}'"],
                           capture_output=True)
    if check.returncode != 0:
        # tansu.sh downloads the wheel anyway (its librdkafka is what the operator loads for Tansu).
        subprocess.run([TANSU_SH, "install"], check=True)
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        offline = subprocess.run(pip + ["--no-index", "--find-links", WHEELS, f"confluent-kafka=={CK_VERSION}"])
        if offline.returncode != 0:
            subprocess.run(pip + [f"confluent-kafka=={CK_VERSION}"], check=True)
    env = dict(os.environ, BENCH_IN_VENV="1")
    os.execve(python, [python] + sys.argv, env)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def librdkafka_version(env):
    """The version string of the librdkafka.so.1 a process started with `env` loads."""
    code = ("import ctypes; l = ctypes.CDLL('librdkafka.so.1'); l.rd_kafka_version_str.restype = ctypes.c_char_p; "
            "print(l.rd_kafka_version_str().decode())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def without_ld_path():
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    return env


class Broker:
    """One broker for one benchmark run. `env` is the environment for every client of it."""

    def __init__(self, kind, bootstrap, env, broker_desc, stop):
        self.kind = kind
        self.bootstrap = bootstrap
        self.env = env
        self.broker_desc = broker_desc
        self._stop = stop
        self.client_lib = librdkafka_version(env)

    @staticmethod
    def start(kind, binary, client_librdkafka="2.16"):
        lib_dir = subprocess.run([TANSU_SH, "env"], check=True, capture_output=True, text=True).stdout.strip()
        lib_dir = lib_dir.split("=", 1)[1]
        if kind == "embedded":
            # kafka-dev itself runs on the system librdkafka: its mock cluster is the one the
            # project develops against (`make kafka-dev`).
            proc = subprocess.Popen([binary, "kafka-dev", "--log-level", "error"], stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                    env=without_ld_path())
            line = proc.stdout.readline().strip()
            if "bootstrap.servers=" not in line:
                proc.kill()
                raise SystemExit(f"kafka-dev did not print its address (got {line!r})")
            bootstrap = line.split("bootstrap.servers=")[1]

            def stop():
                if proc.poll() is None:
                    proc.terminate()
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
            if client_librdkafka == "system":
                env = without_ld_path()
            else:
                env = dict(os.environ, LD_LIBRARY_PATH=lib_dir)
            desc = f"kafka-dev (librdkafka {librdkafka_version(without_ld_path())} mock cluster)"
            return Broker(kind, bootstrap, env, desc, stop)
        if kind == "tansu":
            if client_librdkafka == "system":
                raise SystemExit("Tansu needs librdkafka 2.16 (Debian's 2.0.2 cannot read its ApiVersions reply)")
            port = free_port()
            out = subprocess.run([TANSU_SH, "start", str(port)], check=True, capture_output=True, text=True).stdout
            line = [l for l in out.splitlines() if l.startswith("LD_LIBRARY_PATH=")][-1]
            env = dict(os.environ, LD_LIBRARY_PATH=line.split("=", 1)[1])

            def stop():
                subprocess.run([TANSU_SH, "stop", str(port)], capture_output=True)
            tansu = os.path.join(ROOT, ".cache", "tansu", "bin", "tansu")
            version = subprocess.run([tansu, "--version"], capture_output=True, text=True).stdout.strip() or "tansu"
            return Broker(kind, f"127.0.0.1:{port}", env, f"{version} (memory storage)", stop)
        raise SystemExit(f"unknown broker {kind!r}")

    def stop(self):
        self._stop()

    def client_config(self, **extra):
        # log_level 4: warnings and errors, not the informational "Disconnected" of every close.
        conf = {"bootstrap.servers": self.bootstrap, "log_level": 4}
        conf.update(extra)
        return conf

    def create_topics(self, topics):
        """Creates {name: partitions} on Tansu. The mock cluster does not implement CreateTopics
        (a request waits out its timeout) and creates unknown topics on first use, with 4
        partitions."""
        if self.kind == "embedded":
            return
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient(self.client_config())
        futures = admin.create_topics([NewTopic(t, p, 1) for t, p in topics.items()], operation_timeout=10)
        for topic, f in futures.items():
            try:
                f.result(15)
            except Exception as e:
                if "TOPIC_ALREADY_EXISTS" not in str(e):
                    raise SystemExit(f"creating {topic} on Tansu failed: {e}")

    def describe(self):
        return f"{self.broker_desc}; clients (operator, kcat, confluent-kafka) on librdkafka {self.client_lib}"


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(-(-len(s) * p // 1)) - 1))  # nearest rank
    return s[k]


class StatusFollower:
    """Reads the status topic from its start in a thread. Every record is kept as
    (timestamp_ms, read_at, key, value-or-None); hooks run for each record, under the lock."""

    def __init__(self, broker, topic="stream-status"):
        from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
        self.consumer = Consumer(broker.client_config(**{
            "group.id": f"bench-status-{os.getpid()}-{time.monotonic_ns()}", "enable.auto.commit": False,
            "fetch.wait.max.ms": OBSERVER_FETCH_WAIT_MS, "enable.partition.eof": False}))
        meta = self.consumer.list_topics(topic, timeout=10).topics[topic]
        if meta.error is not None:
            raise SystemExit(f"status topic {topic}: {meta.error}")
        self.partitions = [TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(meta.partitions)]
        self.consumer.assign(self.partitions)
        self.topic = topic
        self.broker = broker
        self.lock = threading.Condition()
        self.latest = {}
        self.records = []
        self.hooks = []
        self.read = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            # poll returns as soon as a record is there; consume(n, timeout) would wait out its
            # whole timeout unless n records came, so it only drains what is already fetched.
            first = self.consumer.poll(0.05)
            if first is None:
                continue
            msgs = [first] + self.consumer.consume(num_messages=1000, timeout=0)
            now = time.time()
            with self.lock:
                for m in msgs:
                    if m.error() is not None:
                        continue
                    key = (m.key() or b"").decode()
                    raw = m.value()
                    value = json.loads(raw) if raw else None
                    ts = m.timestamp()[1]
                    self.latest[key] = value
                    self.records.append((ts, now, key, value))
                    self.read += 1
                    for hook in list(self.hooks):
                        hook(ts, now, key, value)
                self.lock.notify_all()

    def caught_up(self, timeout=60):
        """Waits until everything in the topic when called has been read."""
        from confluent_kafka import Consumer, TopicPartition
        # A client of its own: asked through the consumer the thread polls, the first query
        # took minutes against both brokers.
        probe = Consumer(self.broker.client_config(**{"group.id": "bench-probe"}))
        try:
            target = sum(probe.get_watermark_offsets(TopicPartition(self.topic, tp.partition), timeout=10, cached=False)[1]
                         for tp in self.partitions)
        finally:
            probe.close()
        self.wait(lambda: self.read >= target, timeout, f"status topic read to its end ({target} records)")

    def wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit(f"timed out after {timeout} s waiting for: {what}")
                self.lock.wait(min(left, 0.2))

    def sources(self):
        return {k[len("source:"):]: v for k, v in self.latest.items() if k.startswith("source:") and v is not None}

    def close(self):
        self._stop = True
        self.thread.join(timeout=5)
        self.consumer.close()


class GroupWatcher:
    """Asks the broker about a consumer group every `period` seconds (DescribeGroups) in a thread
    and keeps each change of (state, members and their partitions) with the time it was seen.
    `error` is set when the broker cannot describe groups (the mock cluster); Tansu answers with
    the group's state but no members."""

    def __init__(self, broker, group, period=0.1):
        from confluent_kafka.admin import AdminClient
        self.admin = AdminClient(broker.client_config())
        self.group = group
        self.period = period
        self.changes = []  # (seen_at, state, {member client id: set of partitions})
        self.error = None
        self._stop = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        last = None
        while not self._stop:
            asked = time.time()
            try:
                d = self.admin.describe_consumer_groups([self.group], request_timeout=5)[self.group].result(timeout=6)
                members = {m.client_id: {tp.partition for tp in (m.assignment.topic_partitions if m.assignment else [])}
                           for m in d.members}
                snapshot = (str(d.state).rsplit(".", 1)[-1], members)
                if snapshot != last:
                    with self.lock:
                        self.changes.append((asked, snapshot[0], members))
                    last = snapshot
            except Exception as e:
                with self.lock:
                    self.error = str(e)
            time.sleep(max(0.0, self.period - (time.time() - asked)))

    def since(self, began):
        """The changes seen after `began`, with the last one before it first."""
        with self.lock:
            before = [c for c in self.changes if c[0] < began]
            after = [c for c in self.changes if c[0] >= began]
        return before[-1:] + after

    def close(self):
        self._stop = True
        self.thread.join(timeout=10)


def stop_process(proc, timeout=30):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

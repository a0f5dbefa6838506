#!/usr/bin/env python3
"""Checks that every metric the Grafana dashboard queries is one a running operator exports.

A dashboard that names a metric nobody exports shows "No data" without any error, so a renamed
metric or a typo in a query would go unnoticed. This script collects the PromQL of every panel
(rows' nested panels included), templating query and annotation, starts the operator on an
embedded cluster with a config written so that every metric family gets created (swift-prometheus
prints a family only once it exists: drops, budgets and API errors need those events), and polls
/metrics until each name the dashboard uses appears or the time is up.

Usage: scripts/check-grafana-metrics.py --binary .build/debug/stream-manager [--dashboard PATH]
Exit code 0 when every name is exported, 1 otherwise. Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DASHBOARD = os.path.join(ROOT, "helm", "stream-manager", "dashboards", "stream-manager.json")
METRIC = re.compile(r"\bstream_manager_[a-z0-9_]+")
ENDPOINTS = re.compile(r"http endpoints: (http://127\.0\.0\.1:\d+)")

# Each setting is there to make a metric family exist, which swift-prometheus prints only once it
# has been created:
# - flood outruns a 20-record queue under drop_newest: stream_manager_queue_dropped_total;
# - throttling with a consumer group and a target lag of 0 puts every batch in the `delay` state:
#   the throttled-batch counter and delay histogram see real values (min_send_rate keeps each
#   wait around a millisecond, so shutdown is not slowed);
# - unreachable fetches from a closed local port, inside a budget: API errors and every
#   stream_manager_budget_* family (the gauges are refreshed each status interval);
# - restart_after_failures 0 keeps the failing stream (and its series) in place.
CONFIG = """\
kafka:
  batch_size: 50
queue_max_size: 20
queue_overflow_strategy: drop_newest
throttling:
  enabled: true
  consumer_group: grafana-check-no-consumer
  target_consumer_lag: 0
  critical_consumer_lag: 1000000000
  min_send_rate: 100000
manager:
  status_interval_seconds: 1
  restart_after_failures: 0
budgets:
  grafana_check:
    requests: 1000
    interval_seconds: 1
sources:
  flood:
    source_type: generator
    topic: grafana-check-flood
    ingestion: {{mode: real_time, polling_interval_seconds: 0.1, max_records_per_poll: 500}}
    rate_limit_per_minute: 0
    connector: {{rate_per_second: 2000, total_records: 0, payload_bytes: 16, key_cardinality: 4}}
  unreachable:
    source_type: http_json
    topic: grafana-check-unreachable
    budget: grafana_check
    ingestion: {{mode: real_time, polling_interval_seconds: 0.2}}
    rate_limit_per_minute: 0
    timeout_seconds: 2
    max_retries: 0
    cache_ttl_seconds: 0
    connector: {{url: "http://127.0.0.1:{port}/feed"}}
"""


def expressions(dashboard):
    """(where, PromQL) of every query in the dashboard."""
    found = []

    def panels(items, path):
        for p in items or []:
            title = f"{path}/{p.get('title') or p.get('id')}"
            for t in p.get("targets") or []:
                if isinstance(t.get("expr"), str) and t["expr"].strip():
                    found.append((f"panel {title} [{t.get('refId', '?')}]", t["expr"]))
            panels(p.get("panels"), title)  # a collapsed row keeps its panels inside it

    panels(dashboard.get("panels"), "")
    for v in (dashboard.get("templating") or {}).get("list") or []:
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if isinstance(q, str) and q.strip():
            found.append((f"variable ${v.get('name')}", q))
    for a in (dashboard.get("annotations") or {}).get("list") or []:
        if isinstance(a.get("expr"), str) and a["expr"].strip():
            found.append((f"annotation {a.get('name')}", a["expr"]))
    return found


def exported(text):
    """The series names Prometheus would store from this exposition, and each family's TYPE."""
    names, types = set(), {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            if len(parts) >= 4:
                types[parts[2]] = parts[3]
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{\s]", line, maxsplit=1)[0])
    # A histogram or summary is stored only under its suffixed names, so the bare family name
    # is not queryable: the suffixed ones are added from TYPE (in case a family has no sample
    # yet), never the other way round.
    for family, kind in types.items():
        if kind == "histogram":
            names |= {family + "_bucket", family + "_sum", family + "_count"}
        elif kind == "summary":
            names |= {family + "_sum", family + "_count"}
    return names, types


def hint(name, types):
    if types.get(name) in ("histogram", "summary"):
        return f" (a {types[name]}: query {name}_bucket, _sum or _count)"
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and base in types:
            return f" ({base} is a {types[base]})"
    return ""


def closed_port():
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read().decode("utf-8", "replace")


def stop(proc):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def scrape(binary, needed, timeout, work):
    """(exported names, TYPEs, log tail): polls until `needed` are all exported or time is up."""
    config = os.path.join(work, "grafana-check.yaml")
    with open(config, "w") as f:
        f.write(CONFIG.format(port=closed_port()))
    log_path = os.path.join(work, "operator.log")
    names, types = set(), {}
    with open(log_path, "w") as log:
        # The temp dir as working directory: the operator writes nothing into the repository.
        proc = subprocess.Popen([binary, "run", "--bootstrap-servers", "embedded", "--http-port", "0",
                                 "--config", config], cwd=work, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + timeout
            base = None
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(1)
                if base is None:
                    with open(log_path, errors="replace") as f:
                        m = ENDPOINTS.search(f.read())
                    base = m and m.group(1)
                    if base is None:
                        continue
                try:
                    names, types = exported(fetch(base + "/metrics"))
                except OSError:
                    continue
                if needed <= names:
                    break
        finally:
            stop(proc)
    with open(log_path, errors="replace") as f:
        tail = f.read().splitlines()[-15:]
    if proc.returncode not in (0, -signal.SIGTERM) or not names:
        print(f"operator exit code {proc.returncode}; last lines of its log:", *tail, sep="\n  ")
    return names, types


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="the stream-manager executable")
    ap.add_argument("--dashboard", default=DEFAULT_DASHBOARD, help="the dashboard JSON (default: the chart's)")
    ap.add_argument("--timeout", type=float, default=40, help="seconds to wait for every metric (default 40)")
    args = ap.parse_args()

    with open(args.dashboard) as f:
        dashboard = json.load(f)
    exprs = expressions(dashboard)
    if not exprs:
        print(f"FAIL {args.dashboard}: no PromQL expressions found")
        return 1
    used = {}  # metric name -> where it is used
    for where, expr in exprs:
        for name in METRIC.findall(expr):
            used.setdefault(name, []).append(where)
    if not used:
        print(f"FAIL {args.dashboard}: {len(exprs)} expressions, none names a stream_manager_ metric")
        return 1

    # The operator runs in a temp dir, so a relative path must be resolved here.
    binary = shutil.which(args.binary) if os.sep not in args.binary else os.path.abspath(args.binary)
    if not binary or not os.access(binary, os.X_OK):
        print(f"FAIL {args.binary}: not an executable")
        return 1
    with tempfile.TemporaryDirectory(prefix="grafana-check-") as work:
        names, types = scrape(binary, set(used), args.timeout, work)
    missing = sorted(set(used) - names)
    if missing:
        print(f"FAIL {len(missing)} of {len(used)} metric names in {len(exprs)} expressions are not exported "
              f"by the operator (within {args.timeout:g} s):")
        for name in missing:
            print(f"  {name}{hint(name, types)}: {'; '.join(used[name])}")
        return 1
    print(f"ok   {len(used)} metric names in {len(exprs)} expressions, all exported")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The fleet dashboard in a real browser (headless Chromium through selenium).

Starts its own `stream-manager kafka-dev` and one operator (`run --http-port 0`, basic auth on,
status every second), publishes a few slow generator sources with `apply -f`, and checks what a
person looking at the page would see: the sources and their states, a config change arriving
without a reload, a rejected record with its line and column, the filters, the detail view, basic
auth, and the connection-lost indicator when the operator goes away. Screenshots of the main view
and the detail view go to $UI_SCREENSHOT_DIR (default .build/ui-screenshots/).

    PYTHONPATH=.cache/ui-tools Tests/ui/dashboard_test.py [--binary .build/debug/stream-manager]

Python standard library + selenium only. The page is found through the DOM hooks the dashboard
promises (ids, classes, data attributes), never through its layout. Exit status 0 = every check passed.
The helpers (processes, HTTP, browser, waiting) are reused by dashboard_scale_test.py.
"""
import argparse
import base64
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import JavascriptException, NoSuchElementException, StaleElementReferenceException, \
    WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
USER = "ops"
INSTANCE = "ui-test-1"
# The rates are low on purpose: the test watches the page, not throughput, and a 2-core machine
# also runs the broker, the operator and the browser.
SOURCES = {
    "ui_alpha": {"topic": "ui-ticks", "rate": 2},
    "ui_beta": {"topic": "ui-ticks", "rate": 1},
    "ui_gamma": {"topic": "ui-sensors", "rate": 1},
}
BROKEN_ID = "ui_broken"
# Not parseable as JSON nor as YAML (an unclosed flow sequence). Note that `"topic": }` alone would
# be valid YAML (a null topic, which the config allows) and the source would simply run.
BROKEN_VALUE = '{"source_type": "generator", "topic": [}'


class CheckFailed(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# processes


class Process:
    """A child process whose stdout lines are read by a thread (so a line can be waited for with a
    deadline) and whose stderr goes to a log file kept for the failure report."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.lines = queue.Queue()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log,
                                     env=env, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_line(self, prefix, timeout):
        """The text after `prefix` of the first stdout line that starts with it."""
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if line.startswith(prefix):
                return line[len(prefix):].strip()
        raise CheckFailed(f"{self.name} did not print {prefix!r} within {timeout} s (exit code {self.proc.poll()}); "
                          f"stdout: {seen}; stderr:\n{self.log_tail()}")

    def log_tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def pid(self):
        return self.proc.pid

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_kafka_dev(binary, work):
    kafka = Process("kafka-dev", [binary, "kafka-dev", "--log-level", "error"], os.path.join(work, "kafka-dev.log"))
    bootstrap = kafka.wait_line("embedded Kafka cluster: bootstrap.servers=", 30)
    return kafka, bootstrap


def start_operator(binary, bootstrap, config_path, work, env=None, instance=INSTANCE, name="operator"):
    argv = [binary, "run", "--bootstrap-servers", bootstrap, "--http-port", "0", "--http-host", "127.0.0.1",
            "--config", config_path, "--instance-id", instance, "--log-level", "warning"]
    op = Process(name, argv, os.path.join(work, f"{name}.log"), env=env)
    base = op.wait_line("http endpoints: ", 60).rstrip("/") + "/"
    return op, base


def apply_file(binary, bootstrap, path, wait=False, timeout=60):
    argv = [binary, "apply", "-f", path, "--bootstrap-servers", bootstrap, "--log-level", "error"]
    if wait:
        argv += ["--wait", "--timeout", str(timeout)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 30)
    if r.returncode != 0:
        raise CheckFailed(f"apply -f {path} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r.stdout


def kcat_produce(bootstrap, lines, topic="stream-config"):
    """Writes `key|value` lines to a topic the way `apply` partitions them (murmur2_random)."""
    r = subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", topic, "-K", "|", "-X", "partitioner=murmur2_random"],
                       input="".join(line + "\n" for line in lines), capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise CheckFailed(f"kcat -P exited {r.returncode}: {r.stderr}")


# ---------------------------------------------------------------------------------------------
# HTTP

# No proxy for the operator on 127.0.0.1, whatever the environment says.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def http_get(url, auth=None, timeout=30):
    """(status, body bytes, headers); HTTP errors are answers here, not exceptions."""
    req = urllib.request.Request(url)
    if auth is not None:
        req.add_header("Authorization", basic(*auth))
    try:
        with _opener.open(req, timeout=timeout) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def get_json(url, auth=None):
    status, body, _ = http_get(url, auth)
    if status != 200:
        raise CheckFailed(f"GET {url} answered {status}: {body[:300]!r}")
    return json.loads(body)


# ---------------------------------------------------------------------------------------------
# browser


def start_browser(width=1280, height=900):
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not chromium or not driver_path:
        raise SystemExit("chromium and chromedriver are needed (scripts/ui-tests.sh installs them)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--no-proxy-server", "--disable-gpu", "--disable-extensions", "--no-first-run"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(driver_path))
    # The window size includes the (invisible) browser frame: grow the window by the difference so
    # the page itself gets width x height, as the screenshots do.
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def set_auth_header(driver, user, password):
    """Every request of the tab, the EventSource's included, carries this Authorization header."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": basic(user, password)}})


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def wait_for(what, fn, timeout, interval=0.05, context=None):
    """Polls fn until it returns something truthy; the failure says what was awaited and, from
    `context()`, what was there instead."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except (StaleElementReferenceException, NoSuchElementException, JavascriptException) as e:
            last_error = e
        if time.monotonic() >= deadline:
            extra = ""
            if context is not None:
                try:
                    extra = "\n    got: " + str(context())
                except Exception as e:  # the context is best effort
                    extra = f"\n    (context unavailable: {e})"
            if last_error is not None:
                extra += f"\n    last error: {str(last_error).splitlines()[0]}"
            raise CheckFailed(f"timed out after {timeout} s waiting for {what}{extra}")
        time.sleep(interval)


# The page's rows as plain data (the table is virtual: rows come and go as it re-renders, so element
# references go stale; one script call reads a consistent picture). innerText = what is shown.
ROWS_JS = """
return Array.from(document.querySelectorAll('tr.source-row')).map(tr => ({
  id: tr.dataset.sourceId, state: tr.dataset.state, text: tr.innerText,
  cells: Object.fromEntries(Array.from(tr.querySelectorAll('td[data-col]')).map(td => [td.dataset.col, td.innerText])),
  titles: Object.fromEntries(Array.from(tr.querySelectorAll('td[data-col]')).map(td => [td.dataset.col, td.title || ''])),
}));
"""

COUNTS_JS = """
const out = {};
document.querySelectorAll('#counts [data-state-count]').forEach(e => { out[e.dataset.stateCount] = e.textContent.trim(); });
const total = document.getElementById('count-total');
out.total = total ? total.textContent.trim() : null;
const shown = document.getElementById('shown-count');
out.shown = shown ? shown.textContent.trim() : null;
return out;
"""


def rows(driver):
    return {r["id"]: r for r in js(driver, ROWS_JS)}


def counts(driver):
    return js(driver, COUNTS_JS)


def wait_ready(driver, timeout=30):
    wait_for("body[data-ready=true]", lambda: js(driver, "return document.body && document.body.dataset.ready") == "true",
             timeout, context=lambda: js(driver, "return document.body ? document.body.outerHTML.slice(0, 400) : null"))


def connection_state(driver):
    return js(driver, "const c = document.getElementById('connection'); "
                      "return c ? [c.dataset.state, c.innerText.trim()] : null")


def type_filter(driver, text):
    box = driver.find_element(By.ID, "filter-text")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    if text:
        box.send_keys(text)


def select_state(driver, state):
    Select(driver.find_element(By.ID, "filter-state")).select_by_value(state)


def screenshot(driver, name):
    out = os.environ.get("UI_SCREENSHOT_DIR") or os.path.join(ROOT, ".build", "ui-screenshots")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name)
    if not driver.save_screenshot(path):
        raise CheckFailed(f"could not write {path}")
    return path


def console_errors(driver):
    try:
        return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    except WebDriverException:
        return []


# ---------------------------------------------------------------------------------------------
# the run


class Run:
    """Runs checks in order; each one prints one PASS/FAIL line. Later checks still run after a
    failure (most do not depend on the earlier ones), and the summary counts both."""

    def __init__(self):
        self.results = []

    def check(self, name, fn):
        began = time.monotonic()
        try:
            note = fn()
            self.results.append((name, True))
            print(f"PASS {name} ({time.monotonic() - began:.1f} s){': ' + note if note else ''}", flush=True)
        except CheckFailed as e:
            self.results.append((name, False))
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # a crash in a check is a failure of that check, with its trace
            self.results.append((name, False))
            print(f"FAIL {name}: {type(e).__name__}: {e}\n{traceback.format_exc()}", flush=True)

    def failed(self):
        return [n for n, ok in self.results if not ok]

    def summary(self, label):
        failed = self.failed()
        print(f"{label}: {len(self.results) - len(failed)} passed, {len(failed)} failed", flush=True)
        return 1 if failed else 0


def sources_yaml(rates):
    lines = ["sources:"]
    for sid, spec in SOURCES.items():
        lines.append(f"  {sid}:\n    source_type: generator\n    topic: {spec['topic']}\n    rate_limit_per_minute: 0\n"
                     f"    ingestion: {{mode: real_time, polling_interval_seconds: 1}}\n"
                     f"    connector: {{rate_per_second: {rates.get(sid, spec['rate'])}, payload_bytes: 64}}")
    return "\n".join(lines) + "\n"


class DashboardTest:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.password = "ui-" + base64.b32encode(os.urandom(10)).decode().lower()
        self.kafka = self.op = self.driver = None
        self.bootstrap = self.base = None
        self.state = {}  # what one check leaves for a later one (the changed source's hash)

    # -- set-up ---------------------------------------------------------------------------------

    def start(self):
        self.kafka, self.bootstrap = start_kafka_dev(self.binary, self.work)
        config = os.path.join(self.work, "operator.yaml")
        with open(config, "w") as f:
            f.write("manager:\n  status_interval_seconds: 1\n"
                    "  http_auth: {username: ops, password: \"${UI_TEST_PASSWORD}\"}\n")
        env = dict(os.environ, UI_TEST_PASSWORD=self.password)
        self.op, self.base = start_operator(self.binary, self.bootstrap, config, self.work, env=env)
        self.sources_file = os.path.join(self.work, "sources.yaml")
        with open(self.sources_file, "w") as f:
            f.write(sources_yaml({}))
        apply_file(self.binary, self.bootstrap, self.sources_file, wait=True)
        self.driver = start_browser()
        set_auth_header(self.driver, USER, self.password)
        self.driver.get(self.base)
        wait_ready(self.driver)

    def stop(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
        for p in (self.op, self.kafka):
            if p is not None:
                p.stop(timeout=20)

    def auth(self):
        return (USER, self.password)

    def fleet(self):
        return get_json(self.base + "api/fleet", self.auth())

    def api_source(self, sid):
        return next((s for s in self.fleet()["sources"] if s["source_id"] == sid), None)

    # -- checks ---------------------------------------------------------------------------------

    def check_sources_listed(self):
        d = self.driver
        ids = set(SOURCES)
        fleet = self.fleet()
        api_ids = {s["source_id"] for s in fleet["sources"]}
        if api_ids != ids:
            raise CheckFailed(f"/api/fleet lists {sorted(api_ids)}, expected {sorted(ids)}")

        def all_running():
            r = rows(d)
            return set(r) == ids and all(r[i]["state"] == "RUNNING" and "RUNNING" in r[i]["cells"].get("state", "")
                                         for i in ids)
        wait_for(f"rows {sorted(ids)} shown RUNNING", all_running, 15, context=lambda: list(rows(d).values()))
        # Generators produce every second: the processed count must become a positive number.
        wait_for("a positive records_processed in every row",
                 lambda: all(re.fullmatch(r"[1-9][\d,]*", r["cells"].get("records_processed", "").strip())
                             for r in rows(d).values()), 15,
                 context=lambda: {i: r["cells"].get("records_processed") for i, r in rows(d).items()})
        n = str(len(ids))
        want = {"RUNNING": n, "total": n, "shown": f"{n} of {n} sources"}
        want.update({s: "0" for s in ("PENDING", "STARTING", "RECONFIGURING", "DEGRADED", "FAILED", "STOPPED",
                                      "REJECTED")})
        wait_for(f"counts {want}", lambda: counts(d) == want, 10, context=lambda: counts(d))
        mgr_js = ("const r = document.querySelector(`tr.manager-row[data-instance-id='${arguments[0]}']`); "
                  "return r ? {cls: r.className, text: r.innerText} : null")
        mgr = wait_for(f"manager row {INSTANCE}", lambda: js(d, mgr_js, INSTANCE), 10,
                       context=lambda: js(d, "return document.getElementById('managers').innerText"))
        if "stale" in mgr["cls"].split():
            raise CheckFailed(f"manager row is marked stale: {mgr}")
        if "stale" in mgr["text"]:
            raise CheckFailed(f"manager row says stale: {mgr['text']!r}")
        api_mgr = [m for m in fleet["managers"] if m["instance_id"] == INSTANCE]
        if not api_mgr or api_mgr[0]["stale"]:
            raise CheckFailed(f"/api/fleet managers: {fleet['managers']}")
        return f"{n} rows RUNNING, manager row {mgr['text']!r}"

    def check_live_config_change(self):
        d = self.driver
        sid = "ui_alpha"
        before = self.api_source(sid)
        js(d, "window.__marker = 1")
        changed = os.path.join(self.work, "sources-changed.yaml")
        with open(changed, "w") as f:
            f.write(sources_yaml({sid: 3}))
        plan = apply_file(self.binary, self.bootstrap, changed)
        if sid not in plan:
            raise CheckFailed(f"apply did not change {sid}: {plan!r}")
        # The status record appearing = /api/fleet (the server's fold of the status topic) has the new hash.
        new = wait_for(f"/api/fleet to show a new config hash for {sid}",
                       lambda: (lambda s: s if s and s["config_hash"] and s["config_hash"] != before["config_hash"]
                                else None)(self.api_source(sid)), 20, interval=0.05,
                       context=lambda: self.api_source(sid))
        seen_at = time.monotonic()
        short = new["config_hash"][:12]
        row = wait_for(f"row {sid} to show hash {short} within 2 s of /api/fleet", lambda: (
            lambda r: r if r and short in r["cells"].get("config", "") else None)(rows(d).get(sid)), 2.0,
            interval=0.02, context=lambda: rows(d).get(sid))
        lag = time.monotonic() - seen_at
        if js(d, "return window.__marker") != 1:
            raise CheckFailed("the page was reloaded (window.__marker is gone)")
        if new["config_version"] and new["config_version"] not in row["cells"]["config"]:
            raise CheckFailed(f"config cell {row['cells']['config']!r} lacks the version {new['config_version']}")
        self.state["changed"] = (sid, new["config_hash"], before["config_hash"])
        return f"row showed {short} {lag * 1000:.0f} ms after /api/fleet did, no reload"

    def check_rejected(self):
        d = self.driver
        kcat_produce(self.bootstrap, [f"{BROKEN_ID}|{BROKEN_VALUE}"])
        api = wait_for(f"/api/fleet to show {BROKEN_ID} REJECTED",
                       lambda: (lambda s: s if s and s["state"] == "REJECTED" else None)(self.api_source(BROKEN_ID)),
                       20, interval=0.1, context=lambda: self.api_source(BROKEN_ID))
        error = (api.get("rejected") or {}).get("error") or ""
        where = re.search(r"line (\d+), column (\d+)", error)
        if not where:
            raise CheckFailed(f"the API's rejection has no line/column: {api}")

        def shown():
            r = rows(d).get(BROKEN_ID)
            if not r or r["state"] != "REJECTED" or "REJECTED" not in r["cells"].get("state", ""):
                return None
            text = r["text"]
            return r if f"line {where.group(1)}" in text and f"column {where.group(2)}" in text else None
        row = wait_for(f"row {BROKEN_ID} REJECTED showing '{where.group(0)}'", shown, 5,
                       context=lambda: rows(d).get(BROKEN_ID))
        want = str(len(SOURCES) + 1)
        wait_for("REJECTED count 1", lambda: counts(d).get("REJECTED") == "1" and counts(d).get("total") == want, 5,
                 context=lambda: counts(d))
        return f"row: {row['cells'].get('last_error', '')[:90]!r}"

    def check_filters(self):
        d = self.driver
        total = len(SOURCES) + 1
        all_ids = set(SOURCES) | {BROKEN_ID}

        def expect(what, ids):
            n = len(ids)
            wait_for(f"{what}: rows {sorted(ids)} and '{n} of {total} sources'",
                     lambda: set(rows(d)) == set(ids) and counts(d)["shown"] == f"{n} of {total} sources", 5,
                     context=lambda: (sorted(rows(d)), counts(d)["shown"]))

        try:
            type_filter(d, "GAMMA")  # case-insensitive
            expect("text filter 'GAMMA'", {"ui_gamma"})
            type_filter(d, "column")  # matches the rejected record's error, not an id
            expect("text filter 'column'", {BROKEN_ID})
            type_filter(d, "")
            expect("cleared text filter", all_ids)
            select_state(d, "REJECTED")
            expect("state filter REJECTED", {BROKEN_ID})
            select_state(d, "RUNNING")
            expect("state filter RUNNING", set(SOURCES))
            type_filter(d, "beta")
            expect("state RUNNING + text 'beta'", {"ui_beta"})
        finally:
            type_filter(d, "")
            select_state(d, "")
        expect("both filters cleared", all_ids)
        path = screenshot(d, "dashboard-main.png")
        return f"screenshot {os.path.relpath(path, ROOT)}"

    def check_detail(self):
        d = self.driver
        sid, new_hash, old_hash = self.state.get("changed") or ("ui_alpha", None, None)
        api = get_json(self.base + "api/sources/" + sid, self.auth())
        link = f"tr.source-row[data-source-id='{sid}'] a.source-link"
        wait_for(f"a link in row {sid}", lambda: d.find_element(By.CSS_SELECTOR, link).is_displayed(), 5)
        wait_for(f"clicking {link}", lambda: d.find_element(By.CSS_SELECTOR, link).click() or True, 5)
        wait_for("#detail visible", lambda: d.find_element(By.ID, "detail").is_displayed(), 5)
        if js(d, "return location.hash") != f"#source={sid}":
            raise CheckFailed(f"location.hash is {js(d, 'return location.hash')!r}")
        text = lambda i: js(d, "const e = document.getElementById(arguments[0]); return e ? e.innerText.trim() : null", i)
        wait_for(f"#detail-title {sid!r}", lambda: text("detail-title") == sid, 5, context=lambda: text("detail-title"))

        def status_json():
            try:
                s = json.loads(text("detail-status") or "")
            except ValueError:
                return None
            return s if s.get("source_id") == sid and (new_hash is None or s.get("config_hash") == new_hash) else None
        wait_for("#detail-status: the status record as JSON", status_json, 5,
                 context=lambda: (text("detail-status") or "")[:300])
        n_tr = wait_for("a tr.transition in #detail-transitions",
                        lambda: js(d, "return document.querySelectorAll('#detail-transitions tr.transition').length"), 5)

        def config_json():
            raw = text("detail-config") or ""
            try:
                pairs = json.loads(raw, object_pairs_hook=lambda p: p)
            except ValueError:
                return None
            return raw, pairs
        raw, pairs = wait_for("#detail-config as JSON", config_json, 5, context=lambda: text("detail-config"))
        if json.loads(raw) != api["config"]:
            raise CheckFailed(f"#detail-config {raw!r} differs from the API's config {api['config']}")

        def unsorted(p, path="$"):  # canonical JSON: keys sorted at every level
            if isinstance(p, list) and p and all(isinstance(x, tuple) for x in p):
                keys = [k for k, _ in p]
                if keys != sorted(keys):
                    return f"{path}: {keys}"
                return next((u for k, v in p if (u := unsorted(v, f"{path}.{k}"))), None)
            if isinstance(p, list):
                return next((u for i, v in enumerate(p) if (u := unsorted(v, f"{path}[{i}]"))), None)
            return None
        if (bad := unsorted(pairs)) is not None:
            raise CheckFailed(f"#detail-config is not canonical (keys not sorted at {bad})")
        cursor = text("detail-cursor") or ""
        if api["cursor"] is None:
            if "none" not in cursor.lower():
                raise CheckFailed(f"#detail-cursor is {cursor!r}, the API has no cursor")
        else:
            try:
                shown = json.loads(cursor)
            except ValueError:
                raise CheckFailed(f"#detail-cursor is not JSON: {cursor[:200]!r}; API: {api['cursor']}")
            if shown.get("config_hash") != api["cursor"]["config_hash"] or "cursor" not in shown:
                raise CheckFailed(f"#detail-cursor {shown} does not match the API's {api['cursor']}")
        versions = api.get("versions") or []
        hashes = {v["config_hash"] for v in versions}
        if new_hash and not {new_hash, old_hash} <= hashes:
            raise CheckFailed(f"the API's versions lack the applied configs: {[v['config_version'] for v in versions]}")
        rows_text = wait_for(f"{len(versions)} tr.version rows in #detail-versions", lambda: (
            lambda t: t if len(t) == len(versions) and len(t) >= 2 else None)(
            js(d, "return Array.from(document.querySelectorAll('#detail-versions tr.version')).map(r => r.innerText)")),
            5, context=lambda: text("detail-versions"))
        joined = "\n".join(rows_text)
        missing = [v["config_version"] for v in versions if v["config_version"] not in joined]
        if missing:
            raise CheckFailed(f"version rows do not show {missing}: {rows_text}")
        if "rate_per_second" not in joined:
            raise CheckFailed(f"no version row says what changed (connector.rate_per_second): {rows_text}")
        path = screenshot(d, "dashboard-detail.png")
        d.find_element(By.ID, "detail-close").click()
        wait_for("#detail hidden after #detail-close", lambda: not d.find_element(By.ID, "detail").is_displayed(), 5)
        return f"{n_tr} transitions, {len(versions)} versions, screenshot {os.path.relpath(path, ROOT)}"

    def check_basic_auth(self):
        base = self.base
        checks = [("api/fleet", None, 401), ("api/fleet", (USER, "wrong"), 401), ("api/fleet", self.auth(), 200),
                  ("", None, 401), ("dashboard.js", None, 401), ("dashboard.css", None, 401), ("events", None, 401),
                  ("status", None, 401), ("healthz", None, 200), ("readyz", None, 200), ("metrics", None, 200)]
        for path, auth, want in checks:
            status, body, headers = http_get(base + path, auth, timeout=10) if path != "events" else \
                _status_only(base + path, auth)
            if status != want:
                raise CheckFailed(f"GET /{path} with {'no' if auth is None else auth[1]!r} credentials answered "
                                  f"{status}, expected {want}: {body[:200]!r}")
            if want == 401 and "basic" not in (headers.get("WWW-Authenticate") or "").lower():
                raise CheckFailed(f"GET /{path} 401 without a Basic WWW-Authenticate header: {dict(headers)}")
        d = self.driver
        set_auth_header(d, USER, "not-the-password")
        try:
            d.get(base)
            nav = js(d, "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null")
            if nav != 401:
                raise CheckFailed(f"the page loaded with a wrong password answered {nav}, expected 401")
            time.sleep(0.5)  # give a script that should not be there the time to render something
            rendered = js(d, "return {ready: document.body ? document.body.dataset.ready : null, "
                             "rows: document.querySelectorAll('tr.source-row').length, "
                             "sources: !!document.getElementById('sources'), text: document.body ? "
                             "document.body.innerText.slice(0, 120) : ''}")
            if rendered["ready"] == "true" or rendered["rows"] or rendered["sources"]:
                raise CheckFailed(f"the dashboard rendered with a wrong password: {rendered}")
        finally:
            set_auth_header(d, USER, self.password)
        d.get(base)
        wait_ready(d)
        return f"wrong password: 401, page body {rendered['text']!r}"

    def check_connection_lost(self):
        d = self.driver
        wait_for("#connection live", lambda: (connection_state(d) or [None])[0] == "live", 10,
                 context=lambda: connection_state(d))
        began = time.monotonic()
        self.op.proc.send_signal(signal.SIGTERM)
        state = wait_for("#connection[data-state=lost] within 5 s of SIGTERM",
                         lambda: (lambda c: c if c and c[0] == "lost" else None)(connection_state(d)), 5,
                         interval=0.1, context=lambda: connection_state(d))
        took = time.monotonic() - began
        if "lost" not in state[1].lower():
            raise CheckFailed(f"#connection says {state[1]!r} (data-state lost)")
        try:
            self.op.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise CheckFailed("the operator did not exit within 30 s of SIGTERM")
        return f"lost after {took:.1f} s: {state[1]!r}"


def _status_only(url, auth):
    """/events never ends: only its status line and headers are read."""
    req = urllib.request.Request(url)
    if auth is not None:
        req.add_header("Authorization", basic(*auth))
    try:
        r = _opener.open(req, timeout=10)
        status, headers = r.status, r.headers
        r.close()
        return status, b"", headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def binary_argument(doc):
    """The stream-manager binary from --binary (default $STREAM_MANAGER, else the debug build)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--binary", default=os.environ.get("STREAM_MANAGER", ".build/debug/stream-manager"))
    binary = os.path.abspath(parser.parse_args().binary)
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} not found: build it (swift build --product stream-manager) or pass --binary")
    return binary


def finish(run, test, name, began, work):
    """After the checks of a test (`test` has driver, op, kafka and stop()): on failure the browser's
    console errors and the processes' logs, then everything stopped, the summary, and the work
    directory removed when all passed. Returns the exit code."""
    if run.failed():
        if test.driver is not None:
            errors = console_errors(test.driver)
            if errors:
                print("browser console errors:\n  " + "\n  ".join(errors[-15:]))
        for p in (test.op, test.kafka):
            if p is not None:
                print(f"--- {p.name} stderr (tail), {p.log_path}:\n{p.log_tail()}")
    test.stop()
    code = run.summary(f"{name} ({time.monotonic() - began:.0f} s)")
    if code == 0:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs kept in {work}")
    return code


def main():
    binary = binary_argument(__doc__)
    work = tempfile.mkdtemp(prefix="ui-dashboard-")
    began = time.monotonic()
    t = DashboardTest(binary, work)
    run = Run()
    try:
        try:
            t.start()
        except Exception as e:
            run.results.append(("set-up", False))
            print(f"FAIL set-up: {e}", flush=True)
        else:
            run.check("a. sources listed RUNNING with counts, manager row not stale", t.check_sources_listed)
            run.check("b. config change shows the new hash within 2 s, no reload", t.check_live_config_change)
            run.check("c. rejected record shows REJECTED with line and column", t.check_rejected)
            run.check("d. text and state filters narrow the rows and #shown-count", t.check_filters)
            run.check("e. detail view: status, transitions, config, cursor, versions", t.check_detail)
            run.check("f. basic auth: 401 without or with wrong credentials, probes open", t.check_basic_auth)
            run.check("g. connection lost shown within 5 s of stopping the operator", t.check_connection_lost)
    except BaseException:
        t.stop()
        raise
    return finish(run, t, "dashboard_test", began, work)


if __name__ == "__main__":
    sys.exit(main())

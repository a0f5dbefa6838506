#!/usr/bin/env python3
"""The fleet dashboard with 10,000 sources in headless Chromium, beside a static table of the same rows.

Set-up as in the reconcile benchmark: `stream-manager kafka-dev` (its own process), 10,000 idle
generator sources (`src-00000` ... `src-09999`, one poll an hour) written straight to the config
topic with kcat, one operator (status every 5 s, no basic auth), and the time until /api/fleet lists
all 10,000. Then, with the fleet settled:

1. /api/fleet: its size and the time to fetch it whole (urllib, median of 5).
2. Page loads: N fresh tabs of one Chromium (selenium, headless, 1280x900), each loading `/` and
   waiting for `body[data-ready=true]`. Per load: the page's own `dashboardTimings.firstRenderMs`
   (performance.now() when the first snapshot's rows are in the DOM, i.e. from navigation start),
   the first contentful paint, the JS heap used after render (CDP Performance.getMetrics
   JSHeapUsedSize; and again after a forced GC) and the DOM node count. Median and max are printed.
3. A filter keystroke: in the page, performance.now() around setting `#filter-text` and dispatching
   an `input` event, until the first animation frame in which `#shown-count` shows the expected
   count (a run of values that narrow 10,000 -> 10 -> 1 and widen back; median and max, and the
   widening to 10,000 on its own).
4. The operator's VmRSS (/proc/<pid>/status) before the first page load and after the last one
   (its SSE streams included).
5. Baseline in the same browser: a static HTML page with a plain table of the same 10,000 rows and
   the same 11 columns (generated from the /api/fleet snapshot, served by http.server), loaded the
   same way: first contentful paint and the load event (the whole table parsed and laid out).

What this does NOT measure: a page under live updates (the sources are idle: update events carry
only the status records that fall due every 5 s), a slow network or an ingress (everything is on
127.0.0.1), a real GPU (headless Chromium rasterises in software), the cost of other browsers, or the
operator's CPU while the page is open. The static baseline has no script, no virtual scrolling and
no counts: it is what "just render the rows" costs, not an equivalent page.

    make bench        # or: bench/dashboard_bench.py [--binary .build/release/stream-manager] [--loads 5]

selenium comes from .cache/ui-tools (scripts/ui-tests.sh installs it there), Chromium and
chromedriver from Debian's packages.
"""
import argparse
import html
import http.server
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".cache", "ui-tools"))
try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:
    raise SystemExit("dashboard_bench: selenium is missing: run scripts/ui-tests.sh once (it installs it into "
                     ".cache/ui-tools), or pip install selenium")

SOURCES = 10_000
IDLE = ('{"source_type":"generator","topic":"idle","rate_limit_per_minute":0,'
        '"ingestion":{"mode":"real_time","polling_interval_seconds":3600},"connector":{"rate_per_second":0.001}}')
LIST_TIMEOUT = 600  # seconds until /api/fleet must list every source (a debug build is slow)
COLUMNS = ["source_id", "state", "instance_id", "records_processed", "records_per_second", "records_dropped",
           "records_failed", "last_error", "config", "last_progress_at", "updated_at"]
# Filter values and how many of the 10,000 ids each one matches (only ids contain "src-").
KEYSTROKES = [("src-0999", 10), ("src-09995", 1), ("src-0999", 10), ("", SOURCES), ("src-05", 1000), ("", SOURCES)]

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fail(message):
    raise SystemExit(f"dashboard_bench: {message}")


def mib(kb):
    return kb / 1024


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def stats(xs):
    return f"median {statistics.median(xs):.0f} ms, max {max(xs):.0f} ms"


# --- processes -------------------------------------------------------------------------------

class Proc:
    def __init__(self, argv, log):
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)

    def first_line(self, prefix, timeout=60):
        """The text after `prefix` on the first stdout line that has it; stdout is drained after it."""
        box = []

        def read():
            for line in self.p.stdout:
                if line.startswith(prefix):
                    box.append(line[len(prefix):].strip())
                    break
            for _ in self.p.stdout:
                pass
        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not box and time.monotonic() < deadline and self.p.poll() is None:
            time.sleep(0.02)
        if not box:
            fail(f"{self.p.args[1]} printed no {prefix!r} line (exit code {self.p.poll()})")
        return box[0]

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def fetch(url):
    began = time.monotonic()
    with _opener.open(url, timeout=120) as r:
        body = r.read()
    return body, time.monotonic() - began


# --- the browser -----------------------------------------------------------------------------

def start_browser(width=1280, height=900):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        fail("chromium and chromedriver are needed (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--no-proxy-server", "--disable-gpu", "--disable-extensions", "--no-first-run"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts, service=Service(driver_path))
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    return driver


def fresh_tab(driver):
    """A new tab replaces the current one (no state carried over but the browser's cache)."""
    old = driver.current_window_handle
    driver.switch_to.new_window("tab")
    new = driver.current_window_handle
    driver.switch_to.window(old)
    driver.close()
    driver.switch_to.window(new)
    driver.execute_cdp_cmd("Performance.enable", {})


def wait(driver, script, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return
        time.sleep(0.02)
    fail(f"timed out after {timeout} s waiting for {what}")


def heap_mib(driver):
    metrics = {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return metrics["JSHeapUsedSize"] / 2**20


FCP_JS = "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null"
FCP_SEEN_JS = "return !!performance.getEntriesByName('first-contentful-paint')[0]"
NODES_JS = "return document.getElementsByTagName('*').length"


def load_dashboard(driver, url):
    fresh_tab(driver)
    driver.get(url)
    wait(driver, "return document.body && document.body.dataset.ready === 'true'", 120, "body[data-ready=true]")
    # The first contentful paint is recorded after the frame is painted: wait for it.
    wait(driver, FCP_SEEN_JS, 10, "the first contentful paint")
    first = driver.execute_script("return window.dashboardTimings.firstRenderMs")
    heap = heap_mib(driver)
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    return {"first_render": first, "fcp": driver.execute_script(FCP_JS), "heap": heap, "heap_gc": heap_mib(driver),
            "nodes": driver.execute_script(NODES_JS),
            "rows": driver.execute_script("return document.querySelectorAll('tr.source-row').length")}


KEYSTROKE_JS = """
const [value, expected, done] = arguments;
const input = document.getElementById('filter-text');
const shown = document.getElementById('shown-count');
const t0 = performance.now();
input.value = value;
input.dispatchEvent(new Event('input', {bubbles: true}));
let frames = 0;
function frame() {
  frames++;
  const now = performance.now();
  if (shown.textContent.trim() === expected) { done({ms: now - t0, frames: frames}); return; }
  if (now - t0 > 10000) { done({ms: null, frames: frames, shown: shown.textContent}); return; }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
"""


def keystrokes(driver, rounds):
    all_ms, widen_ms = [], []
    for _ in range(rounds):
        for value, n in KEYSTROKES:
            r = driver.execute_async_script(KEYSTROKE_JS, value, f"{n} of {SOURCES} sources")
            if r["ms"] is None:
                fail(f"#shown-count did not show {n} of {SOURCES} within 10 s of typing {value!r}: {r}")
            all_ms.append(r["ms"])
            if n == SOURCES:
                widen_ms.append(r["ms"])
    return all_ms, widen_ms


def load_static(driver, url):
    fresh_tab(driver)
    driver.get(url)  # returns after the load event
    wait(driver, FCP_SEEN_JS, 10, "the first contentful paint")
    nav = driver.execute_script("const n = performance.getEntriesByType('navigation')[0]; "
                                "return [n.domContentLoadedEventEnd, n.loadEventEnd]")
    return {"fcp": driver.execute_script(FCP_JS), "dcl": nav[0], "load": nav[1], "heap": heap_mib(driver),
            "nodes": driver.execute_script(NODES_JS)}


def static_table(fleet):
    """The same rows as plain HTML: one <tr> per source, the dashboard's 11 columns, no script."""
    out = ["<!doctype html><html><head><meta charset='utf-8'><title>10,000 sources (static)</title>",
           "<style>body{font:13px system-ui,sans-serif;margin:16px}table{border-collapse:collapse}"
           "td,th{padding:4px 8px;border-bottom:1px solid #ddd;white-space:nowrap}</style></head><body>",
           f"<h1>{len(fleet['sources'])} sources</h1><table><thead><tr>",
           "".join(f"<th>{c}</th>" for c in COLUMNS), "</tr></thead><tbody>"]
    for s in fleet["sources"]:
        cells = []
        for c in COLUMNS:
            v = f"{(s.get('config_hash') or '')[:12]} {s.get('config_version') or ''}" if c == "config" else s.get(c)
            cells.append(f"<td>{html.escape('—' if v is None else str(v))}</td>")
        out.append(f"<tr><td><a href='#source={html.escape(s['source_id'])}'>" + cells[0][4:] + "".join(cells[1:])
                   + "</tr>")
    out.append("</tbody></table></body></html>")
    return "\n".join(out).encode()


def serve(body):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the run ---------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=".build/release/stream-manager")
    parser.add_argument("--loads", type=int, default=5, help="page loads of each page, a fresh tab each")
    parser.add_argument("--keystroke-rounds", type=int, default=3, help=f"rounds of {len(KEYSTROKES)} filter values")
    a = parser.parse_args()
    if a.loads < 1 or a.keystroke_rounds < 1:
        parser.error("--loads and --keystroke-rounds must be at least 1")
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        fail(f"{binary} is not an executable; build it first (swift build -c release --product stream-manager)")

    work = tempfile.mkdtemp(prefix="dashboard-bench-")
    log = open(os.path.join(work, "processes.log"), "w")
    kafka = op = driver = server = None
    ok = False
    try:
        kafka = Proc([binary, "kafka-dev", "--log-level", "error"], log)
        bootstrap = kafka.first_line("embedded Kafka cluster: bootstrap.servers=")
        print(f"broker: kafka-dev at {bootstrap} (librdkafka mock cluster, its own process); binary {binary}; "
              f"{os.cpu_count()} cores shared by broker, operator and browser")
        sys.stdout.flush()
        records = "".join(f"src-{i:05d}|{IDLE}\n" for i in range(SOURCES))
        subprocess.run(["kcat", "-b", bootstrap, "-P", "-t", "stream-config", "-K", "|", "-X",
                        "partitioner=murmur2_random"], input=records, text=True, check=True, timeout=120)
        config = os.path.join(work, "operator.yaml")
        with open(config, "w") as f:
            f.write("manager:\n  status_interval_seconds: 5\n")
        began = time.monotonic()
        op = Proc([binary, "run", "--bootstrap-servers", bootstrap, "--http-port", "0", "--http-host", "127.0.0.1",
                   "--config", config, "--instance-id", "bench", "--log-level", "error"], log)
        base = op.first_line("http endpoints: ").rstrip("/") + "/"
        fleet = None
        while time.monotonic() - began < LIST_TIMEOUT:
            body, _ = fetch(base + "api/fleet")
            fleet = json.loads(body)
            if len(fleet["sources"]) == SOURCES and all(s["state"] == "RUNNING" for s in fleet["sources"]):
                break
            if op.p.poll() is not None:
                fail(f"the operator exited ({op.p.returncode})")
            time.sleep(1)
        else:
            fail(f"/api/fleet did not list {SOURCES} RUNNING sources within {LIST_TIMEOUT} s")
        print(f"operator: all {SOURCES} sources RUNNING in /api/fleet {time.monotonic() - began:.1f} s after start")
        time.sleep(6)  # one more status round: the fleet is settled, not mid-burst
        sizes, fetch_s = [], []
        for _ in range(5):
            body, took = fetch(base + "api/fleet")
            sizes.append(len(body))
            fetch_s.append(took * 1000)
        fleet = json.loads(body)
        print(f"/api/fleet: {statistics.median(sizes) / 1e6:.2f} MB ({statistics.median(sizes) / SOURCES:.0f} bytes "
              f"per source), fetched whole in {stats(fetch_s)} (5 fetches)")
        rss_before = rss_kb(op.p.pid)

        driver = start_browser()
        loads = [load_dashboard(driver, base) for _ in range(a.loads)]
        firsts = [x["first_render"] for x in loads]
        print(f"dashboard, {a.loads} loads (fresh tab each): first render (rows in the DOM) {stats(firsts)}; "
              f"first contentful paint {stats([x['fcp'] for x in loads])}")
        print(f"  after render: JS heap used median {statistics.median(x['heap'] for x in loads):.1f} MiB "
              f"({statistics.median(x['heap_gc'] for x in loads):.1f} MiB after a forced GC), DOM nodes "
              f"{statistics.median(x['nodes'] for x in loads):.0f}, source rows in the DOM "
              f"{statistics.median(x['rows'] for x in loads):.0f}")
        all_ms, widen_ms = keystrokes(driver, a.keystroke_rounds)
        print(f"filter keystroke -> #shown-count updated (next animation frame it shows): {stats(all_ms)} over "
              f"{len(all_ms)} keystrokes; widening back to {SOURCES}: {stats(widen_ms)}")
        rss_after = rss_kb(op.p.pid)
        print(f"operator VmRSS: {mib(rss_before):.1f} MiB before the first page load, {mib(rss_after):.1f} MiB after "
              f"the last (one page still open)")

        page = static_table(fleet)
        server = serve(page)
        static_url = f"http://127.0.0.1:{server.server_address[1]}/"
        statics = [load_static(driver, static_url) for _ in range(a.loads)]
        print(f"baseline, static table of the same {SOURCES} rows ({len(page) / 1e6:.2f} MB of HTML, http.server), "
              f"{a.loads} loads: first contentful paint {stats([x['fcp'] for x in statics])}; load event "
              f"{stats([x['load'] for x in statics])}; JS heap {statistics.median(x['heap'] for x in statics):.1f} MiB, "
              f"DOM nodes {statistics.median(x['nodes'] for x in statics):.0f}")
        ok = True
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        if server is not None:
            server.shutdown()
        if op is not None:
            op.stop(signal.SIGKILL)  # a graceful drain of 10,000 streams measures nothing here
        if kafka is not None:
            kafka.stop()
        log.close()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"dashboard_bench: the processes' stderr is in {os.path.join(work, 'processes.log')}",
                  file=sys.stderr)


if __name__ == "__main__":
    main()

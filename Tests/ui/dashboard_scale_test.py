#!/usr/bin/env python3
"""The fleet dashboard with 10,000 sources, in a real browser (headless Chromium through selenium).

Set-up as in the reconcile benchmark: `stream-manager kafka-dev`, 10,000 idle generator sources
(`src-00000` ... `src-09999`, one poll an hour; `src-05000` disabled) written straight to the config topic with kcat,
then one operator (status every 5 s). Once /api/fleet lists all 10,000 (given up after 240 s), the
page must render them, say so in its counts, keep fewer than 300 rows in the DOM (the table is
virtual), filter by text and by state, and show the last source when scrolled to the bottom.

Prints how long the operator took to list the sources, the page's time to first render and its JS
heap: for information only; nothing here asserts a timing.

    PYTHONPATH=.cache/ui-tools Tests/ui/dashboard_scale_test.py [--binary .build/debug/stream-manager]
"""
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import dashboard_test as ui  # the helpers of the dashboard test beside this file
from selenium.webdriver.common.by import By

from dashboard_test import CheckFailed, counts, js, rows, select_state, type_filter, wait_for

SOURCES = 10_000
IDLE = ('{"source_type":"generator","topic":"idle","rate_limit_per_minute":0,'
        '"ingestion":{"mode":"real_time","polling_interval_seconds":3600},"connector":{"rate_per_second":0.001}}')
# One of them is disabled (STOPPED), so the state filter has something to narrow to.
DISABLED = "src-05000"
DISABLED_VALUE = IDLE[:-1] + ',"enabled":false}'
LIST_TIMEOUT = 240  # seconds until /api/fleet must list every source
MAX_ROWS = 300


def source_id(i):
    return f"src-{i:05d}"


class ScaleTest:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.kafka = self.op = self.driver = None
        self.notes = []

    def start(self):
        self.kafka, self.bootstrap = ui.start_kafka_dev(self.binary, self.work)
        # The `idle` topic needs no creating: kafka-dev makes an unknown topic on first use.
        ui.kcat_produce(self.bootstrap, [f"{source_id(i)}|{DISABLED_VALUE if source_id(i) == DISABLED else IDLE}"
                                         for i in range(SOURCES)])
        config = os.path.join(self.work, "operator.yaml")
        with open(config, "w") as f:
            f.write("manager:\n  status_interval_seconds: 5\n")
        began = time.monotonic()
        self.op, self.base = ui.start_operator(self.binary, self.bootstrap, config, self.work)
        listed = 0
        fleet = None
        while time.monotonic() - began < LIST_TIMEOUT:
            status, body, _ = ui.http_get(self.base + "api/fleet", timeout=60)
            if status == 200:
                fleet = json.loads(body)
                listed = len(fleet["sources"])
                if listed == SOURCES:
                    break
            if self.op.proc.poll() is not None:
                raise CheckFailed(f"the operator exited ({self.op.proc.returncode}):\n{self.op.log_tail()}")
            time.sleep(2)
        took = time.monotonic() - began
        if listed != SOURCES:
            raise CheckFailed(f"/api/fleet listed {listed} of {SOURCES} sources {LIST_TIMEOUT} s after the "
                              f"operator started")
        states = {}
        for s in fleet["sources"]:
            states[s["state"]] = states.get(s["state"], 0) + 1
        self.fleet_bytes = len(body)
        print(f"operator: /api/fleet listed {SOURCES} sources {took:.1f} s after start ({states}); "
              f"/api/fleet is {len(body) / 1e6:.1f} MB", flush=True)
        self.driver = ui.start_browser()
        self.driver.execute_cdp_cmd("Performance.enable", {})
        loaded = time.monotonic()
        self.driver.get(self.base)
        ui.wait_ready(self.driver, timeout=120)
        timings = js(self.driver, "return window.dashboardTimings || null")
        metrics = {m["name"]: m["value"] for m in self.driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
        first = (timings or {}).get("firstRenderMs")
        first_text = f"{first:.0f} ms" if isinstance(first, (int, float)) else f"missing (window.dashboardTimings = {timings})"
        print(f"page: first render {first_text} after navigation start (ready seen by the test "
              f"{time.monotonic() - loaded:.1f} s after get()), JS heap used {metrics.get('JSHeapUsedSize', 0) / 2**20:.1f} MiB, "
              f"DOM nodes {metrics.get('Nodes', 0):.0f}", flush=True)
        if not isinstance(first, (int, float)):
            raise CheckFailed(f"window.dashboardTimings.firstRenderMs is missing: {timings}")

    def stop(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
        # SIGKILL: a graceful stop of 10,000 streams would only add time, and kafka-dev, which holds
        # everything the operator wrote, goes away right after it.
        if self.op is not None:
            self.op.stop(signal.SIGKILL)
        if self.kafka is not None:
            self.kafka.stop(timeout=20)

    def shown_text(self, n):
        return f"{n} of {SOURCES} sources"

    def check_counts(self):
        d = self.driver

        def ok():
            c = counts(d)
            per_state = sum(int(v) for k, v in c.items() if k not in ("total", "shown"))
            return c if c["total"] == str(SOURCES) and c["shown"] == self.shown_text(SOURCES) and per_state == SOURCES \
                else None
        c = wait_for(f"#count-total {SOURCES}, '#shown-count {self.shown_text(SOURCES)}', states adding up", ok, 15,
                     context=lambda: counts(d))
        return ", ".join(f"{k} {v}" for k, v in c.items() if k not in ("total", "shown") and v != "0")

    def check_virtual_rows(self):
        n = js(self.driver, "return document.querySelectorAll('tr.source-row').length")
        if not 0 < n < MAX_ROWS:
            raise CheckFailed(f"{n} tr.source-row in the DOM, expected 1..{MAX_ROWS - 1}")
        return f"{n} rows in the DOM"

    def check_text_filter(self):
        d = self.driver
        want = {source_id(i) for i in range(SOURCES - 10, SOURCES)}
        try:
            type_filter(d, "src-0999")
            wait_for(f"rows {min(want)}..{max(want)} and '{self.shown_text(10)}'",
                     lambda: set(rows(d)) == want and counts(d)["shown"] == self.shown_text(10), 15,
                     context=lambda: (sorted(rows(d))[:12], counts(d)["shown"]))
        finally:
            type_filter(d, "")
        wait_for(f"'{self.shown_text(SOURCES)}' after clearing", lambda: counts(d)["shown"] == self.shown_text(SOURCES),
                 15, context=lambda: counts(d)["shown"])
        return "src-0999 -> 10 rows"

    def check_state_filter(self):
        d = self.driver
        try:
            select_state(d, "STOPPED")
            wait_for(f"state filter STOPPED: only {DISABLED}, '{self.shown_text(1)}'",
                     lambda: set(rows(d)) == {DISABLED} and counts(d)["shown"] == self.shown_text(1), 15,
                     context=lambda: (counts(d)["shown"], sorted(rows(d))[:5]))
            select_state(d, "RUNNING")

            def running_shown():  # the chip's count and the shown count agree, and every row is RUNNING
                c = counts(d)
                r = rows(d)
                return c["shown"] == self.shown_text(c["RUNNING"]) and r and DISABLED not in r and \
                    all(x["state"] == "RUNNING" for x in r.values())
            wait_for("state filter RUNNING: only RUNNING rows, '#shown-count' = the RUNNING count", running_shown, 15,
                     context=lambda: (counts(d), {x["state"] for x in rows(d).values()}))
            running = counts(d)["RUNNING"]
        finally:
            select_state(d, "")
        wait_for(f"'{self.shown_text(SOURCES)}' with all states", lambda: counts(d)["shown"] == self.shown_text(SOURCES),
                 15, context=lambda: counts(d)["shown"])
        return f"STOPPED -> {DISABLED}, RUNNING -> {running}"

    def first_row(self):
        return js(self.driver, "const r = document.querySelector('tr.source-row'); return r && r.dataset.sourceId")

    def check_sort(self):
        d = self.driver
        js(d, "document.getElementById('sources').scrollTop = 0")
        header = d.find_element(By.CSS_SELECTOR, "th[data-sort='source_id']")
        # The page starts sorted by id ascending; a click on the id header reverses it, another restores it.
        wait_for(f"first row {source_id(0)} (ascending)", lambda: self.first_row() == source_id(0), 10,
                 context=lambda: (self.first_row(), header.get_attribute("aria-sort")))
        header.click()
        wait_for(f"first row {source_id(SOURCES - 1)} after a click on the id header",
                 lambda: self.first_row() == source_id(SOURCES - 1) and header.get_attribute("aria-sort") == "descending", 10,
                 context=lambda: (self.first_row(), header.get_attribute("aria-sort")))
        header.click()
        wait_for(f"first row {source_id(0)} after a second click", lambda: self.first_row() == source_id(0), 10,
                 context=lambda: (self.first_row(), header.get_attribute("aria-sort")))
        state = d.find_element(By.CSS_SELECTOR, "th[data-sort='state']")
        state.click()
        state.click()
        # States sort by severity with STOPPED last: reversed, the one STOPPED source comes first.
        wait_for(f"{DISABLED} (STOPPED) first when sorted by state, reversed", lambda: self.first_row() == DISABLED, 10,
                 context=lambda: (self.first_row(), state.get_attribute("aria-sort")))
        header.click()
        return "id ascending/descending, state"

    def check_scroll_to_bottom(self):
        d = self.driver
        last = source_id(SOURCES - 1)
        js(d, "const s = document.getElementById('sources'); s.scrollTop = s.scrollHeight;")
        wait_for(f"row {last} after scrolling #sources to the bottom", lambda: last in rows(d), 10,
                 context=lambda: (js(d, "const s = document.getElementById('sources'); "
                                        "return [s.scrollTop, s.scrollHeight, s.clientHeight]"), sorted(rows(d))[-3:]))
        visible = js(d, """
            const r = document.querySelector(`tr.source-row[data-source-id='${arguments[0]}']`).getBoundingClientRect();
            const s = document.getElementById('sources').getBoundingClientRect();
            return r.bottom > s.top && r.top < s.bottom;""", last)
        if not visible:
            raise CheckFailed(f"row {last} is in the DOM but outside the visible part of #sources")
        n = len(rows(d))
        if n >= MAX_ROWS:
            raise CheckFailed(f"{n} rows in the DOM after scrolling")
        ui.screenshot(d, "dashboard-scale-bottom.png")
        return f"{last} visible, {n} rows in the DOM"


def main():
    binary = ui.binary_argument(__doc__)
    work = tempfile.mkdtemp(prefix="ui-dashboard-scale-")
    began = time.monotonic()
    t = ScaleTest(binary, work)
    run = ui.Run()
    try:
        try:
            t.start()
        except Exception as e:
            run.results.append(("set-up", False))
            print(f"FAIL set-up: {e}", flush=True)
        else:
            run.check(f"counts say {SOURCES} and '#shown-count' {SOURCES} of {SOURCES}", t.check_counts)
            run.check(f"fewer than {MAX_ROWS} tr.source-row in the DOM", t.check_virtual_rows)
            run.check("text filter src-0999 -> src-09990..src-09999", t.check_text_filter)
            run.check("state filter narrows to one state", t.check_state_filter)
            run.check("sorting by id reverses on a second click; by state", t.check_sort)
            run.check("scrolling to the bottom shows src-09999", t.check_scroll_to_bottom)
    except BaseException:
        t.stop()
        raise
    return ui.finish(run, t, "dashboard_scale_test", began, work)


if __name__ == "__main__":
    sys.exit(main())

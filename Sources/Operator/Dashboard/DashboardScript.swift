/// The fleet dashboard's script, served at `GET /dashboard.js`: plain JavaScript, no dependencies.
enum DashboardScript {
    // Record fields are user-controlled (ids, errors, configs): they only ever reach the DOM
    // through textContent and attributes, never through innerHTML.
    static let javascript: String = #"""
"use strict";
(() => {
  const STATES = ["RUNNING", "DEGRADED", "FAILED", "REJECTED", "PENDING", "STARTING", "RECONFIGURING", "STOPPED"];
  // Sorting by state puts the sources needing attention first.
  const STATE_RANK = {REJECTED: 0, FAILED: 1, DEGRADED: 2, RECONFIGURING: 3, STARTING: 4, PENDING: 5, RUNNING: 6, STOPPED: 7};
  const ERROR_STATES = new Set(["DEGRADED", "FAILED", "REJECTED"]);
  const ROW_HEIGHT = 30;      // must match the CSS row height: the scroll maths assumes it
  const ROW_BUFFER = 8;       // rows rendered above and below the viewport so fast scrolling shows no gap
  const SILENCE_MS = 35000;   // the server pings every 15 s; two missed pings and a broken socket mean trouble
  const POLL_MS = 10000;      // snapshot polling while the event stream is down (e.g. a proxy buffering it)
  const DASH = "—";

  const intFormat = new Intl.NumberFormat("en-US", {maximumFractionDigits: 0});
  const rateFormat = new Intl.NumberFormat("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1});

  const $ = (id) => document.getElementById(id);
  const ui = {
    instance: $("instance-id"), topic: $("status-topic"),
    connection: $("connection"), connectionText: $("connection-text"), lostBanner: $("lost-banner"),
    counts: $("counts"), filterText: $("filter-text"), filterState: $("filter-state"), shownCount: $("shown-count"),
    scroller: $("sources"), rows: $("source-rows"), sourcesHead: document.querySelector("#sources thead"),
    managers: document.querySelector("#managers tbody"), managersSummary: $("managers-summary"),
    detail: $("detail"), detailTitle: $("detail-title"), detailState: $("detail-state"), detailMessage: $("detail-message"),
    detailFacts: $("detail-facts"), detailStatus: $("detail-status"), detailTransitions: document.querySelector("#detail-transitions tbody"),
    detailConfig: $("detail-config"), detailCursor: $("detail-cursor"), detailVersions: $("detail-versions"),
    detailBody: document.querySelector("#detail .detail-body"),
  };

  const model = {
    sources: new Map(),
    managers: new Map(),
    seq: null,
    instanceId: null,     // the replica serving the page: its manager row is marked
    clockOffset: 0,       // server clock minus client clock, so ages match the server's view
    sortKey: "source_id", sortDir: 1,
    filterText: "", filterState: "",
    view: [],
    viewDirty: true, countsDirty: true, managersDirty: true,
  };
  window.dashboardTimings = {firstRenderMs: null};

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function str(value) { return value === undefined || value === null ? null : String(value); }
  function num(value) { return typeof value === "number" && Number.isFinite(value) ? value : null; }
  function parseTime(value) {
    if (typeof value !== "string") return null;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  function serverNow() { return Date.now() + model.clockOffset; }
  function noteServerTime(now) {
    const ms = parseTime(now);
    if (ms !== null) model.clockOffset = ms - Date.now();
  }
  function ageText(ms) {
    if (ms === null) return DASH;
    const s = Math.max(0, Math.floor((serverNow() - ms) / 1000));
    if (s < 60) return s + "s ago";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "m ago";
    const h = Math.floor(m / 60);
    if (h < 48) return h + "h ago";
    return Math.floor(h / 24) + "d ago";
  }
  // The raw timestamp is the server's truth; the local rendering saves a time-zone conversion.
  function timeTitle(raw, ms) {
    return ms === null ? "" : raw + "  (" + new Date(ms).toLocaleString() + ")";
  }
  function setAge(node, raw) {
    const ms = parseTime(raw);
    if (ms === null) { node.textContent = DASH; node.classList.add("na"); return; }
    node.dataset.ts = String(ms);
    node.title = timeTitle(raw, ms);
    node.textContent = ageText(ms);
  }
  function formatInt(value) { const n = num(value); return n === null ? null : intFormat.format(n); }
  function shortHash(hash) { return typeof hash === "string" ? hash.slice(0, 12) : null; }
  function pretty(value) { return JSON.stringify(value, null, 2); }
  function stateBadge(state) {
    const s = str(state) || "UNKNOWN";
    return el("span", "state state-" + s, s);
  }

  function makeEntry(rec) {
    const rejected = rec.rejected && typeof rec.rejected === "object" ? rec.rejected : null;
    const rejectedError = rejected ? str(rejected.error) : null;
    const error = rejectedError !== null ? rejectedError : str(rec.last_error);
    const searchable = [rec.source_id, rec.state, rec.reason, rec.instance_id, rec.topic, rec.last_error, rejectedError, rec.config_hash];
    return {
      id: String(rec.source_id), rec, rejected, error,
      haystack: searchable.filter((v) => v !== undefined && v !== null).join("\n").toLowerCase(),
      progressMs: parseTime(rec.last_progress_at), updatedMs: parseTime(rec.updated_at),
    };
  }
  function putSource(rec) {
    if (!rec || rec.source_id === undefined || rec.source_id === null) return;
    const entry = makeEntry(rec);
    model.sources.set(entry.id, entry);
  }

  const SORT_KEYS = {
    source_id: (e) => e.id,
    state: (e) => (e.rec.state in STATE_RANK ? STATE_RANK[e.rec.state] : 99),
    instance_id: (e) => str(e.rec.instance_id),
    records_processed: (e) => num(e.rec.records_processed),
    records_per_second: (e) => num(e.rec.records_per_second),
    records_dropped: (e) => num(e.rec.records_dropped),
    records_failed: (e) => num(e.rec.records_failed),
    last_error: (e) => e.error,
    config_hash: (e) => str(e.rec.config_hash),
    last_progress_at: (e) => e.progressMs,
    updated_at: (e) => e.updatedMs,
  };

  function rebuildView() {
    const text = model.filterText.trim().toLowerCase();
    const state = model.filterState;
    const key = SORT_KEYS[model.sortKey] || SORT_KEYS.source_id;
    const dir = model.sortDir;
    const keyed = [];
    for (const entry of model.sources.values()) {
      if (state && entry.rec.state !== state) continue;
      if (text && !entry.haystack.includes(text)) continue;
      keyed.push({k: key(entry), e: entry});
    }
    // Missing values go last in both directions; ties fall back to the id so rows never jump.
    keyed.sort((a, b) => {
      const ka = a.k, kb = b.k;
      if (ka !== kb) {
        if (ka === null) return 1;
        if (kb === null) return -1;
        if (ka < kb) return -dir;
        if (ka > kb) return dir;
      }
      return a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0;
    });
    model.view = keyed.map((x) => x.e);
    ui.shownCount.textContent = model.view.length + " of " + model.sources.size + " sources";
  }

  const chips = new Map();
  let totalChip = null;
  function buildCounts() {
    const make = (state, label) => {
      const chip = el("button", "chip");
      chip.type = "button";
      chip.dataset.filterState = state;
      if (state) chip.classList.add("chip-" + state);
      chip.append(el("span", "chip-label", label));
      const n = el("span", "chip-n", "0");
      if (state) n.dataset.stateCount = state; else n.id = "count-total";
      chip.append(n);
      chip.addEventListener("click", () => setStateFilter(state && model.filterState !== state ? state : ""));
      ui.counts.append(chip);
      return chip;
    };
    totalChip = make("", "Total");
    for (const s of STATES) {
      chips.set(s, make(s, s.toLowerCase()));
      ui.filterState.append(new Option(s, s));
    }
  }
  function renderCounts() {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const entry of model.sources.values()) {
      if (entry.rec.state in counts) counts[entry.rec.state] += 1;
    }
    for (const [s, chip] of chips) {
      chip.lastChild.textContent = String(counts[s]);
      chip.classList.toggle("zero", counts[s] === 0);
    }
    totalChip.lastChild.textContent = String(model.sources.size);
  }
  function markActiveChip() {
    totalChip.classList.toggle("active", model.filterState === "");
    for (const [s, chip] of chips) chip.classList.toggle("active", model.filterState === s);
  }

  const topSpacer = el("tr", "spacer");
  const bottomSpacer = el("tr", "spacer");
  const columnCount = document.querySelectorAll("#sources thead th").length;
  for (const spacer of [topSpacer, bottomSpacer]) {
    spacer.setAttribute("aria-hidden", "true");
    const cell = el("td");
    cell.colSpan = columnCount;
    spacer.append(cell);
  }
  const emptyRow = el("tr", "empty-row");
  const emptyCell = el("td");
  emptyCell.colSpan = columnCount;
  emptyRow.append(emptyCell);

  let rendered = new Map();  // source_id -> {rec, tr}: rows are rebuilt only when their record changed

  function cell(tr, col, className) {
    const td = el("td", className);
    td.dataset.col = col;
    tr.append(td);
    return td;
  }
  function numberCell(tr, col, value, formatted) {
    const td = cell(tr, col, "num");
    const text = formatted !== undefined ? formatted : formatInt(value);
    if (text === null) { td.textContent = DASH; td.classList.add("na"); } else td.textContent = text;
    return td;
  }

  function buildRow(entry) {
    const r = entry.rec;
    const state = str(r.state) || "UNKNOWN";
    const tr = el("tr", "source-row");
    tr.dataset.sourceId = entry.id;
    tr.dataset.state = state;

    const idCell = cell(tr, "source_id");
    const link = el("a", "source-link", entry.id);
    link.href = "#source=" + encodeURIComponent(entry.id);
    idCell.title = entry.id;
    idCell.append(link);

    const stateCell = cell(tr, "state");
    stateCell.append(stateBadge(state));
    const reasonParts = [];
    if (r.reason !== undefined && r.reason !== null) reasonParts.push(String(r.reason));
    if (ERROR_STATES.has(state) && entry.error !== null) reasonParts.push(entry.error);
    let stateTitle = state;
    if (reasonParts.length) {
      const reason = reasonParts.join(" — ");
      stateCell.append(el("span", "reason", reason));
      stateTitle += ": " + reason;
    }
    if (entry.rejected && state !== "REJECTED") {
      const marker = el("span", "edit-rejected", "edit rejected");
      const why = str(entry.rejected.error) || "the latest edit was rejected";
      marker.title = "The latest edit was rejected; the previous config keeps running.\n" + why;
      stateCell.append(marker);
      stateTitle += "\nedit rejected: " + why;
    }
    stateCell.title = stateTitle;

    const instance = str(r.instance_id);
    const instanceCell = cell(tr, "instance_id");
    instanceCell.textContent = instance === null ? DASH : instance;
    if (instance !== null) instanceCell.title = instance;

    numberCell(tr, "records_processed", r.records_processed);
    const rate = num(r.records_per_second);
    numberCell(tr, "records_per_second", rate, rate === null ? null : rateFormat.format(rate));
    numberCell(tr, "records_dropped", r.records_dropped);
    const failed = numberCell(tr, "records_failed", r.records_failed);
    if (num(r.records_failed) > 0) failed.classList.add("warn");

    const errorCell = cell(tr, "last_error", entry.error !== null ? "error-text" : "na");
    errorCell.textContent = entry.error !== null ? entry.error : DASH;
    if (entry.error !== null) errorCell.title = entry.error;

    const configCell = cell(tr, "config");
    const hash = shortHash(r.config_hash);
    const version = str(r.config_version);
    if (hash === null && version === null) {
      configCell.textContent = DASH;
      configCell.classList.add("na");
    } else {
      if (hash !== null) configCell.append(el("code", "hash", hash));
      if (version !== null) configCell.append(el("span", "version", version));
      configCell.title = [str(r.config_hash), version].filter((v) => v !== null).join("\n");
    }

    setAge(cell(tr, "last_progress_at", "age"), r.last_progress_at);
    setAge(cell(tr, "updated_at", "age"), r.updated_at);
    return tr;
  }

  function renderRows() {
    const view = model.view;
    const total = view.length;
    if (total === 0) {
      emptyCell.textContent = model.sources.size === 0 ? "No sources reported yet." : "No source matches the filter.";
      if (ui.rows.firstChild !== emptyRow || ui.rows.childNodes.length !== 1) ui.rows.replaceChildren(emptyRow);
      rendered = new Map();
      return;
    }
    const headHeight = ui.sourcesHead.offsetHeight;
    const viewport = ui.scroller.clientHeight || window.innerHeight;
    const top = Math.max(0, ui.scroller.scrollTop - headHeight);
    const start = Math.max(0, Math.min(total, Math.floor(top / ROW_HEIGHT)) - ROW_BUFFER);
    const end = Math.min(total, Math.ceil((top + viewport) / ROW_HEIGHT) + ROW_BUFFER);

    const next = new Map();
    const rows = [];
    for (let i = start; i < end; i++) {
      const entry = view[i];
      let row = rendered.get(entry.id);
      if (!row || row.rec !== entry.rec) row = {rec: entry.rec, tr: buildRow(entry)};
      next.set(entry.id, row);
      rows.push(row.tr);
    }
    rendered = next;

    topSpacer.style.height = start * ROW_HEIGHT + "px";
    topSpacer.hidden = start === 0;
    bottomSpacer.style.height = (total - end) * ROW_HEIGHT + "px";
    bottomSpacer.hidden = end === total;

    // Leave the DOM alone when the same rows are already there (scroll within the buffer, a tick).
    const current = ui.rows.children;
    let same = current.length === rows.length + 2 && current[0] === topSpacer && current[current.length - 1] === bottomSpacer;
    for (let i = 0; same && i < rows.length; i++) same = current[i + 1] === rows[i];
    if (!same) ui.rows.replaceChildren(topSpacer, ...rows, bottomSpacer);
  }

  function staleThresholdMs(manager) {
    const interval = num(manager.status_interval_seconds);
    return interval === null ? 90000 : Math.max(3 * interval, 30) * 1000;
  }
  function isStale(manager) {
    const beat = parseTime(manager.updated_at);
    if (beat === null) return manager.stale === true;
    return serverNow() - beat > staleThresholdMs(manager);
  }
  function renderManagers() {
    const rows = [];
    const ids = [...model.managers.keys()].sort();
    for (const id of ids) {
      const m = model.managers.get(id);
      const tr = el("tr", "manager-row");
      tr.dataset.instanceId = id;
      if (id === model.instanceId) tr.classList.add("self");

      const idCell = cell(tr, "instance_id");
      idCell.textContent = id;
      idCell.title = id === model.instanceId ? id + " (serving this page)" : id;

      const version = cell(tr, "version");
      version.textContent = str(m.version) || DASH;

      cell(tr, "config_source").textContent = str(m.config_source) || DASH;
      cell(tr, "delivery_mode").textContent = str(m.delivery_mode) || DASH;

      const partitions = cell(tr, "assigned_partitions");
      const list = Array.isArray(m.assigned_partitions) ? m.assigned_partitions.join(", ") : "";
      partitions.textContent = list || DASH;
      if (list) partitions.title = list;

      const streams = cell(tr, "active_streams", "num");
      streams.textContent = formatInt(m.active_streams) || DASH;
      if (num(m.source_count) !== null) streams.title = m.active_streams + " active of " + m.source_count + " sources";

      const beat = cell(tr, "heartbeat_age");
      const age = el("span", "age");
      setAge(age, m.updated_at);
      const badge = el("span", "badge stale-badge", "stale");
      badge.title = "No heartbeat for more than " + staleThresholdMs(m) / 1000 + " s";
      beat.append(age, badge);

      const notes = cell(tr, "notes");
      const parts = [];
      if (m.config_error !== undefined && m.config_error !== null) parts.push("config error: " + m.config_error);
      if (Array.isArray(m.warnings)) for (const w of m.warnings) parts.push(String(w));
      if (parts.length) {
        notes.textContent = parts.join("; ");
        notes.title = parts.join("\n");
        if (m.config_error) notes.classList.add("error-text");
      } else {
        notes.textContent = DASH;
        notes.classList.add("na");
      }
      rows.push(tr);
    }
    if (!rows.length) {
      const tr = el("tr", "empty-row");
      const td = el("td", null, "No manager heartbeat yet.");
      td.colSpan = 8;
      tr.append(td);
      rows.push(tr);
    }
    ui.managers.replaceChildren(...rows);
    refreshStaleness();
  }
  // The server's `stale` is only true at snapshot time; a manager that stops beating sends nothing.
  function refreshStaleness() {
    let stale = 0;
    for (const tr of ui.managers.querySelectorAll("tr.manager-row")) {
      const m = model.managers.get(tr.dataset.instanceId);
      const isOld = !!m && isStale(m);
      if (isOld) stale += 1;
      tr.classList.toggle("stale", isOld);
      tr.querySelector(".stale-badge").hidden = !isOld;
    }
    const total = model.managers.size;
    ui.managersSummary.textContent = total + (total === 1 ? " replica" : " replicas") + (stale ? ", " + stale + " stale" : "");
  }

  let frameRequested = false;
  function scheduleRender() {
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(render);
  }
  function render() {
    frameRequested = false;
    const started = performance.now();
    if (model.viewDirty) { rebuildView(); model.viewDirty = false; }
    if (model.countsDirty) { renderCounts(); model.countsDirty = false; }
    if (model.managersDirty) { renderManagers(); model.managersDirty = false; }
    renderRows();
    window.dashboardTimings.lastRenderMs = performance.now() - started;
  }
  function refreshAges() {
    for (const node of document.querySelectorAll("[data-ts]")) {
      const text = ageText(Number(node.dataset.ts));
      if (node.textContent !== text) node.textContent = text;
    }
  }

  function setStateFilter(state) {
    model.filterState = state;
    ui.filterState.value = state;
    markActiveChip();
    viewChanged();
  }
  function viewChanged() {
    model.viewDirty = true;
    ui.scroller.scrollTop = 0;
    scheduleRender();
  }
  function setSort(key) {
    if (model.sortKey === key) model.sortDir = -model.sortDir;
    else { model.sortKey = key; model.sortDir = 1; }
    for (const th of document.querySelectorAll("#sources th[data-sort]")) {
      const active = th.dataset.sort === model.sortKey;
      th.setAttribute("aria-sort", active ? (model.sortDir === 1 ? "ascending" : "descending") : "none");
    }
    viewChanged();
  }
  ui.filterText.addEventListener("input", () => { model.filterText = ui.filterText.value; viewChanged(); });
  ui.filterState.addEventListener("change", () => setStateFilter(ui.filterState.value));
  for (const th of document.querySelectorAll("#sources th[data-sort]")) {
    th.addEventListener("click", () => setSort(th.dataset.sort));
    th.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); setSort(th.dataset.sort); }
    });
  }
  ui.scroller.addEventListener("scroll", scheduleRender, {passive: true});
  window.addEventListener("resize", scheduleRender);

  let firstRenderDone = false;
  function applySnapshot(data) {
    noteServerTime(data.now);
    model.seq = data.seq;
    if (data.instance_id !== undefined) {
      model.instanceId = str(data.instance_id);
      ui.instance.textContent = model.instanceId || DASH;
    }
    if (data.status_topic !== undefined) ui.topic.textContent = str(data.status_topic) || DASH;
    model.sources = new Map();
    for (const rec of data.sources || []) putSource(rec);
    model.managers = new Map();
    for (const m of data.managers || []) if (m && m.instance_id != null) model.managers.set(String(m.instance_id), m);
    model.viewDirty = model.countsDirty = model.managersDirty = true;
    if (!firstRenderDone) {
      // The first paint happens right away rather than on the next frame, so that the timing
      // measures the data and not the frame scheduler.
      render();
      firstRenderDone = true;
      window.dashboardTimings.firstRenderMs = performance.now();
      document.body.dataset.ready = "true";
    } else {
      scheduleRender();
    }
    if (detail.id !== null) loadDetail();
  }
  function applyUpdate(data) {
    noteServerTime(data.now);
    if (data.seq !== undefined) model.seq = data.seq;
    let touchesDetail = false;
    for (const rec of data.sources || []) {
      putSource(rec);
      if (detail.id !== null && String(rec.source_id) === detail.id) touchesDetail = true;
    }
    for (const id of data.removed_sources || []) {
      model.sources.delete(String(id));
      if (String(id) === detail.id) touchesDetail = true;
    }
    for (const m of data.managers || []) if (m && m.instance_id != null) model.managers.set(String(m.instance_id), m);
    for (const id of data.removed_managers || []) model.managers.delete(String(id));
    if ((data.sources && data.sources.length) || (data.removed_sources && data.removed_sources.length)) {
      model.viewDirty = model.countsDirty = true;
    }
    if ((data.managers && data.managers.length) || (data.removed_managers && data.removed_managers.length)) {
      model.managersDirty = true;
    }
    scheduleRender();
    if (touchesDetail) loadDetail();
  }

  const CONNECTION_TEXT = {connecting: "connecting…", live: "live", lost: "connection lost, reconnecting…"};
  let connection = "connecting";
  let source = null;
  let lastEventAt = Date.now();
  let retryDelay = 1000;
  let retryTimer = null;

  function setConnection(state) {
    if (connection === state) return;
    connection = state;
    ui.connection.dataset.state = state;
    ui.connectionText.textContent = CONNECTION_TEXT[state];
    ui.lostBanner.hidden = state !== "lost";
  }
  function parse(ev) {
    try { return JSON.parse(ev.data); } catch (err) { console.warn("dashboard: unreadable event", err); return null; }
  }
  function connect() {
    clearTimeout(retryTimer);
    if (source) source.close();
    const es = new EventSource("events");
    source = es;
    es.addEventListener("snapshot", (ev) => {
      if (es !== source) return;
      if (!firstRenderDone) window.dashboardTimings.snapshotReceivedMs = performance.now();
      const data = parse(ev);
      if (!data) return;
      lastEventAt = Date.now();
      retryDelay = 1000;
      applySnapshot(data);
      setConnection("live");
    });
    es.addEventListener("update", (ev) => {
      if (es !== source) return;
      const data = parse(ev);
      if (!data) return;
      lastEventAt = Date.now();
      applyUpdate(data);
    });
    es.onerror = () => {
      if (es !== source) return;
      setConnection("lost");
      // The browser retries network errors itself, but gives up for good on an HTTP error
      // (a 401, a 502 from a proxy during a rollout): then it is up to us.
      if (es.readyState === EventSource.CLOSED) {
        retryTimer = setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      }
    };
  }
  // Keeps the figures fresh when the event stream cannot get through (a buffering proxy, say);
  // the connection indicator keeps saying so.
  async function pollWhileDown() {
    if (connection !== "live") {
      try {
        const res = await fetch("api/fleet", {cache: "no-store", headers: {Accept: "application/json"}});
        if (res.ok) {
          const data = await res.json();
          if (connection !== "live") applySnapshot(data);
        }
      } catch (_) { /* the indicator already says the connection is down */ }
    }
    setTimeout(pollWhileDown, POLL_MS);
  }

  const detail = {id: null, loading: false, again: false};

  function idFromHash() {
    const hash = location.hash;
    if (!hash.startsWith("#source=")) return null;
    try { return decodeURIComponent(hash.slice("#source=".length)) || null; } catch (_) { return null; }
  }
  function onHashChange() {
    const id = idFromHash();
    if (id === null) {
      if (detail.id !== null) {
        detail.id = null;
        ui.detail.hidden = true;
        document.title = "StreamManager fleet";
        const link = document.querySelector("#sources a.source-link:focus");
        if (link) link.blur();
      }
      return;
    }
    if (id !== detail.id) {
      detail.id = id;
      ui.detailTitle.textContent = id;
      ui.detailTitle.title = id;
      document.title = id + " · StreamManager fleet";
      clearDetail("Loading…");
      ui.detail.hidden = false;
      ui.detailBody.scrollTop = 0;
      $("detail-close").focus({preventScroll: true});
    }
    loadDetail();
  }
  function closeDetail() {
    if (location.hash) location.hash = "";
  }
  function clearDetail(message) {
    ui.detailState.replaceChildren();
    ui.detailFacts.replaceChildren();
    ui.detailStatus.textContent = message;
    ui.detailTransitions.replaceChildren();
    ui.detailConfig.textContent = "";
    ui.detailCursor.textContent = "";
    ui.detailVersions.replaceChildren();
    ui.detailMessage.hidden = true;
  }
  // One request at a time; changes that arrive meanwhile ask for one more afterwards.
  async function loadDetail() {
    if (detail.loading) { detail.again = true; return; }
    detail.loading = true;
    const id = detail.id;
    try {
      const res = await fetch("api/sources/" + encodeURIComponent(id), {cache: "no-store", headers: {Accept: "application/json"}});
      let body = null;
      try { body = await res.json(); } catch (_) { body = null; }
      if (detail.id !== id) return;
      if (!res.ok || !body) {
        clearDetail("");
        ui.detailStatus.textContent = "none";
        showDetailMessage(res.status === 404 ? "Unknown source: " + ((body && body.error) || id)
          : "Could not load the source (HTTP " + res.status + ")" + (body && body.error ? ": " + body.error : ""));
      } else {
        renderDetail(body);
      }
    } catch (err) {
      if (detail.id === id) showDetailMessage("Could not load the source: " + err.message);
    } finally {
      detail.loading = false;
      if (detail.again) {
        detail.again = false;
        if (detail.id !== null) loadDetail();
      }
    }
  }
  function showDetailMessage(text) {
    ui.detailMessage.textContent = text;
    ui.detailMessage.hidden = false;
  }
  function fact(label, value, node) {
    const wrap = el("div", "fact");
    wrap.append(el("dt", null, label));
    const dd = el("dd");
    if (node) dd.append(node); else dd.textContent = value === null || value === undefined || value === "" ? DASH : String(value);
    wrap.append(dd);
    ui.detailFacts.append(wrap);
  }
  function renderDetail(body) {
    ui.detailMessage.hidden = true;
    const status = body.status && typeof body.status === "object" ? body.status : null;
    ui.detailState.replaceChildren(...(status ? [stateBadge(status.state)] : []));

    ui.detailFacts.replaceChildren();
    if (status) {
      fact("Instance", str(status.instance_id));
      fact("Topic", str(status.topic));
      fact("Mode", str(status.mode));
      fact("Generation", str(status.generation));
      fact("Processed", formatInt(status.records_processed));
      const rate = num(status.records_per_second);
      fact("Records/s", rate === null ? null : rateFormat.format(rate));
      fact("Restarts", formatInt(status.restarts));
      const progress = el("span");
      setAge(progress, status.last_progress_at);
      fact("Last progress", null, progress);
      if (status.reason !== undefined && status.reason !== null) fact("Reason", str(status.reason));
    }
    ui.detailStatus.textContent = status ? pretty(status) : "No status record yet.";

    const transitions = Array.isArray(body.transitions) ? body.transitions.slice().reverse() : [];
    const trows = transitions.map((t) => {
      const tr = el("tr", "transition");
      const at = el("td", "age");
      setAge(at, t.at);
      const state = el("td");
      state.append(stateBadge(t.state));
      const hash = el("td", null, shortHash(t.config_hash) || DASH);
      if (t.config_hash) hash.title = String(t.config_hash);
      tr.append(at, state, el("td", null, str(t.reason) || DASH), el("td", null, str(t.instance_id) || DASH), hash,
        el("td", "wrap" + (t.error ? " error-text" : ""), str(t.error) || DASH));
      return tr;
    });
    if (!trows.length) {
      const tr = el("tr", "empty-row");
      const td = el("td", null, "No transition seen since this replica started.");
      td.colSpan = 6;
      tr.append(td);
      trows.push(tr);
    }
    ui.detailTransitions.replaceChildren(...trows);

    if (body.config !== undefined && body.config !== null) {
      ui.detailConfig.textContent = pretty(body.config);
      ui.detailConfig.classList.remove("note");
    } else {
      ui.detailConfig.textContent = str(body.config_error) || "No config.";
      ui.detailConfig.classList.add("note");
    }
    if (body.cursor !== undefined && body.cursor !== null) {
      ui.detailCursor.textContent = pretty(body.cursor);
      ui.detailCursor.classList.remove("note");
    } else {
      ui.detailCursor.textContent = "none committed";
      ui.detailCursor.classList.add("note");
    }
    renderVersions(body);
  }
  function renderVersions(body) {
    if (!Array.isArray(body.versions) || body.versions.length === 0) {
      const note = Array.isArray(body.versions) ? "No config version of this source in the config topic." : str(body.versions_note);
      ui.detailVersions.replaceChildren(el("p", "note", note || "No config versions."));
      return;
    }
    const frame = el("div", "table-frame");
    const table = el("table", "grid compact versions");
    const head = el("thead");
    const hr = el("tr");
    for (const label of ["Version", "Applied", "Applied by", "Hash", "Change"]) hr.append(el("th", null, label));
    head.append(hr);
    const tbody = el("tbody");
    const current = body.status && body.status.config_version;
    for (const v of body.versions) {
      const tr = el("tr", "version");
      if (current && v.config_version === current) tr.classList.add("current");
      const version = el("td", "mono", str(v.config_version) || DASH);
      if (current && v.config_version === current) version.title = "the version this source runs";
      const when = el("td", "age");
      setAge(when, v.timestamp);
      const hash = el("td", "mono", shortHash(v.config_hash) || DASH);
      if (v.config_hash) hash.title = String(v.config_hash);
      const change = el("td", "wrap");
      change.textContent = str(v.change) || DASH;
      if (v.error) change.append(el("div", "error-text", v.error));
      tr.append(version, when, el("td", null, str(v.applied_by) || DASH), hash, change);
      tbody.append(tr);
    }
    table.append(head, tbody);
    frame.append(table);
    ui.detailVersions.replaceChildren(frame);
  }
  $("detail-close").addEventListener("click", (ev) => { ev.preventDefault(); closeDetail(); });
  document.querySelector("#detail .detail-backdrop").addEventListener("click", closeDetail);
  window.addEventListener("hashchange", onHashChange);
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      if (detail.id !== null) { closeDetail(); return; }
      if (document.activeElement === ui.filterText && ui.filterText.value) {
        ui.filterText.value = "";
        model.filterText = "";
        viewChanged();
      }
      return;
    }
    const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement;
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      ui.filterText.focus();
      ui.filterText.select();
    }
  });

  setInterval(() => {
    refreshAges();
    refreshStaleness();
    // Only a socket the browser no longer calls open is suspicious: pings never reach the script.
    if (connection === "live" && source && source.readyState !== EventSource.OPEN && Date.now() - lastEventAt > SILENCE_MS) {
      setConnection("lost");
    }
  }, 1000);

  buildCounts();
  markActiveChip();
  model.filterText = ui.filterText.value;  // a reload may restore the inputs
  if (ui.filterState.value) model.filterState = ui.filterState.value;
  connect();
  setTimeout(pollWhileDown, 4000);
  onHashChange();
})();
"""#
}

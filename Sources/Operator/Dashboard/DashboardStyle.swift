/// The fleet dashboard's style sheet, served at `GET /dashboard.css`.
enum DashboardStyle {
    // System fonts only: the page loads nothing from outside the operator.
    static let css: String = #"""
:root {
  --bg: #f5f7fa;
  --panel: #ffffff;
  --border: #d9dee5;
  --border-soft: #edf0f3;
  --text: #1f2328;
  --muted: #66707b;
  --faint: #9aa3ad;
  --accent: #0969da;
  --head-bg: #f8f9fb;
  --hover: #f3f6fa;
  --row-height: 30px;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;

  --running-fg: #1a7f37; --running-bg: #dcf5e3; --running-line: #2da44e;
  --degraded-fg: #8a5a00; --degraded-bg: #fff1c2; --degraded-line: #d4a72c;
  --failed-fg: #b42318; --failed-bg: #ffe4e1; --failed-line: #e5534b;
  --rejected-fg: #6b21a8; --rejected-bg: #f1e4ff; --rejected-line: #8b5cf6;
  --stopped-fg: #57606a; --stopped-bg: #eaeef2; --stopped-line: #8c959f;
  --busy-fg: #0757b8; --busy-bg: #dcecff; --busy-line: #4493f8;
}

* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  display: flex;
  flex-direction: column;
  overflow: hidden;
  background: var(--bg);
  color: var(--text);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  -webkit-font-smoothing: antialiased;
}
/* Panels with their own display (the detail overlay is a flex box) must still hide. */
[hidden] { display: none !important; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); font-weight: 400; }
.na { color: var(--faint); }
.mono, code { font-family: var(--mono); font-size: 12px; }
.error-text { color: var(--failed-fg); }
.warn { color: var(--degraded-fg); font-weight: 600; }

.topbar {
  display: flex;
  align-items: center;
  gap: 20px;
  padding: 10px 20px;
  background: var(--panel);
  border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: baseline; gap: 18px; min-width: 0; }
.topbar h1 { margin: 0; font-size: 17px; font-weight: 650; letter-spacing: -0.01em; white-space: nowrap; }
.served { display: flex; gap: 14px; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.served strong { color: var(--text); font-weight: 600; font-family: var(--mono); font-size: 12px; }
#connection {
  margin-left: auto;
  display: inline-flex;
  align-items: center;
  gap: 7px;
  padding: 3px 11px;
  border: 1px solid transparent;
  border-radius: 999px;
  font-weight: 600;
  font-size: 12px;
  white-space: nowrap;
}
#connection .dot { width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
#connection[data-state="connecting"] { color: var(--busy-fg); background: var(--busy-bg); border-color: #b6d6fb; }
#connection[data-state="live"] { color: var(--running-fg); background: var(--running-bg); border-color: #b3e6c1; }
#connection[data-state="live"] .dot { animation: pulse 2s ease-in-out infinite; }
#connection[data-state="lost"] { color: var(--failed-fg); background: var(--failed-bg); border-color: #f8c1bb; }
@keyframes pulse { 50% { opacity: 0.35; } }
#lost-banner {
  padding: 7px 20px;
  background: #b42318;
  color: #fff;
  font-weight: 600;
}

main {
  flex: 1;
  min-height: 0;
  display: flex;
  flex-direction: column;
  gap: 12px;
  padding: 12px 20px 16px;
}
.card {
  background: var(--panel);
  border: 1px solid var(--border);
  border-radius: 8px;
  box-shadow: 0 1px 2px rgba(31, 35, 40, 0.04);
  overflow: hidden;
}
.card h2, .toolbar h2 { margin: 0; font-size: 13px; font-weight: 650; }
.card-head {
  display: flex;
  align-items: baseline;
  gap: 10px;
  padding: 8px 12px;
  border-bottom: 1px solid var(--border);
}

#counts { display: flex; gap: 8px; }
.chip {
  --line: var(--accent);
  flex: 1 1 auto;
  min-width: 0;
  display: flex;
  flex-direction: column;
  gap: 1px;
  padding: 6px 12px 7px 10px;
  background: var(--panel);
  border: 1px solid var(--border);
  border-left: 4px solid var(--line);
  border-radius: 7px;
  color: var(--text);
  font: inherit;
  cursor: pointer;
  text-align: left;
}
.chip:hover { background: var(--hover); }
.chip:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.chip-label {
  overflow: hidden;
  color: var(--muted);
  font-size: 10.5px;
  font-weight: 650;
  letter-spacing: 0.05em;
  text-overflow: ellipsis;
  text-transform: uppercase;
  white-space: nowrap;
}
.chip-n { font-size: 20px; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; }
.chip.zero { opacity: 0.55; }
.chip.zero .chip-n { color: var(--faint); }
.chip.active { background: var(--chip-bg, #eef4ff); box-shadow: inset 0 0 0 1px var(--line); opacity: 1; }
.chip:not(.chip-RUNNING):not(.chip-STOPPED):not(.zero) .chip-n { color: var(--line); }
.chip[data-filter-state=""] { --line: #1f2328; --chip-bg: #eef1f4; }
.chip-RUNNING { --line: var(--running-line); --chip-bg: var(--running-bg); }
.chip-DEGRADED { --line: var(--degraded-line); --chip-bg: var(--degraded-bg); }
.chip-FAILED { --line: var(--failed-line); --chip-bg: var(--failed-bg); }
.chip-REJECTED { --line: var(--rejected-line); --chip-bg: var(--rejected-bg); }
.chip-STOPPED { --line: var(--stopped-line); --chip-bg: var(--stopped-bg); }
.chip-PENDING, .chip-STARTING, .chip-RECONFIGURING { --line: var(--busy-line); --chip-bg: var(--busy-bg); }
.chip-DEGRADED:not(.zero) .chip-n { color: var(--degraded-fg) !important; }

table.grid {
  width: 100%;
  border-collapse: separate;
  border-spacing: 0;
  table-layout: fixed;
}
.grid th {
  position: sticky;
  top: 0;
  z-index: 1;
  height: 32px;
  padding: 0 8px;
  background: var(--head-bg);
  border-bottom: 1px solid var(--border);
  color: var(--muted);
  font-size: 12px;
  font-weight: 600;
  text-align: left;
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}
.grid td {
  height: var(--row-height);
  padding: 0 8px;
  border-bottom: 1px solid var(--border-soft);
  white-space: nowrap;
  /* Not `hidden`: a focused link would scroll its cell sideways and stay cut off. */
  overflow: clip;
  text-overflow: ellipsis;
  vertical-align: middle;
}
.grid .num { text-align: right; font-variant-numeric: tabular-nums; }
.grid td.age { color: var(--muted); font-variant-numeric: tabular-nums; }
.grid tr.empty-row td { height: 56px; text-align: center; color: var(--muted); }

th[data-sort] { cursor: pointer; user-select: none; }
th[data-sort]:hover { color: var(--text); background: #eef1f5; }
th[data-sort]:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
th[aria-sort="ascending"], th[aria-sort="descending"] { color: var(--text); }
th[aria-sort="ascending"]::after { content: " ▲"; font-size: 9px; color: var(--accent); }
th[aria-sort="descending"]::after { content: " ▼"; font-size: 9px; color: var(--accent); }

.managers-card { flex: none; }
.managers-scroll { max-height: 168px; overflow: auto; }
#managers tr:last-child td { border-bottom: 0; }
#managers td[data-col="instance_id"] { font-family: var(--mono); font-size: 12px; font-weight: 600; }
#managers tr.self td[data-col="instance_id"]::after {
  content: "this page";
  margin-left: 8px;
  padding: 1px 6px;
  border-radius: 9px;
  background: var(--busy-bg);
  color: var(--busy-fg);
  font: 600 10px/1.4 system-ui, sans-serif;
}
#managers tr.stale td { background: #fffaf0; }
#managers tr.stale td[data-col="heartbeat_age"] .age { color: var(--degraded-fg); font-weight: 600; }
.badge {
  display: inline-block;
  margin-left: 8px;
  padding: 0 7px;
  border-radius: 9px;
  font-size: 10px;
  font-weight: 700;
  line-height: 16px;
  text-transform: uppercase;
  letter-spacing: 0.04em;
}
.stale-badge { background: var(--degraded-bg); color: var(--degraded-fg); border: 1px solid #eed384; }
col.m-instance { width: 16%; }
col.m-version { width: 8%; }
col.m-config { width: 10%; }
col.m-delivery { width: 8%; }
col.m-partitions { width: 16%; }
col.m-streams { width: 7%; }
col.m-heartbeat { width: 14%; }

.sources-card { flex: 1; min-height: 240px; display: flex; flex-direction: column; }
.toolbar {
  display: flex;
  align-items: center;
  gap: 10px;
  padding: 8px 12px;
  border-bottom: 1px solid var(--border);
}
#filter-text {
  flex: 0 1 420px;
  min-width: 180px;
  height: 30px;
  padding: 0 10px;
  border: 1px solid var(--border);
  border-radius: 6px;
  font: inherit;
  background: #fff;
}
#filter-state {
  height: 30px;
  padding: 0 8px;
  border: 1px solid var(--border);
  border-radius: 6px;
  font: inherit;
  background: #fff;
}
#filter-text:focus, #filter-state:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px rgba(9, 105, 218, 0.15); }
#shown-count { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
#sources { flex: 1; min-height: 0; overflow: auto; overscroll-behavior: contain; }
#sources:focus { outline: none; }
.sources-table { min-width: 1160px; }
col.c-source { width: 17.5%; }
col.c-state { width: 158px; }
col.c-instance { width: 74px; }
col.c-processed { width: 92px; }
col.c-rate { width: 74px; }
col.c-dropped { width: 76px; }
col.c-failed { width: 60px; }
col.c-config { width: 180px; }
col.c-progress { width: 76px; }
col.c-updated { width: 74px; }
tr.spacer td { height: auto; padding: 0; border: 0; }
tr.source-row:hover td { background: var(--hover); }
tr.source-row td:first-child { box-shadow: inset 3px 0 0 transparent; }
tr.source-row[data-state="DEGRADED"] td:first-child { box-shadow: inset 3px 0 0 var(--degraded-line); }
tr.source-row[data-state="FAILED"] td:first-child { box-shadow: inset 3px 0 0 var(--failed-line); }
tr.source-row[data-state="REJECTED"] td:first-child { box-shadow: inset 3px 0 0 var(--rejected-line); }
.source-link { font-weight: 550; }
td[data-col="instance_id"] { font-family: var(--mono); font-size: 12px; }
td[data-col="config"] .hash { color: var(--text); }
td[data-col="config"] .version { margin-left: 6px; color: var(--muted); font-size: 12px; }
td[data-col="last_error"].error-text { font-size: 12px; }

.state {
  display: inline-block;
  padding: 0 7px;
  border-radius: 9px;
  background: var(--stopped-bg);
  color: var(--stopped-fg);
  font-size: 10.5px;
  font-weight: 700;
  line-height: 17px;
  letter-spacing: 0.03em;
  vertical-align: 1px;
}
.state-RUNNING { background: var(--running-bg); color: var(--running-fg); }
.state-DEGRADED { background: var(--degraded-bg); color: var(--degraded-fg); }
.state-FAILED { background: var(--failed-bg); color: var(--failed-fg); }
.state-REJECTED { background: var(--rejected-bg); color: var(--rejected-fg); }
.state-STOPPED { background: var(--stopped-bg); color: var(--stopped-fg); }
.state-PENDING, .state-STARTING, .state-RECONFIGURING { background: var(--busy-bg); color: var(--busy-fg); }
.reason { margin-left: 7px; color: var(--muted); font-size: 12px; }
tr[data-state="FAILED"] .reason { color: var(--failed-fg); }
tr[data-state="REJECTED"] .reason { color: var(--rejected-fg); }
tr[data-state="DEGRADED"] .reason { color: var(--degraded-fg); }
.edit-rejected {
  margin-left: 7px;
  padding: 0 5px;
  border: 1px solid #d7bff7;
  border-radius: 4px;
  background: #faf5ff;
  color: var(--rejected-fg);
  font-size: 11px;
  font-weight: 600;
}

#detail { position: fixed; inset: 0; z-index: 10; display: flex; justify-content: flex-end; }
.detail-backdrop { position: absolute; inset: 0; background: rgba(31, 35, 40, 0.32); }
.detail-panel {
  position: relative;
  display: flex;
  flex-direction: column;
  width: min(940px, 94vw);
  height: 100%;
  background: var(--panel);
  box-shadow: -12px 0 32px rgba(31, 35, 40, 0.18);
  animation: slide-in 0.16s ease-out;
}
@keyframes slide-in { from { transform: translateX(24px); opacity: 0.6; } }
.detail-head {
  display: flex;
  align-items: center;
  gap: 14px;
  padding: 14px 24px;
  border-bottom: 1px solid var(--border);
}
.detail-heading { min-width: 0; }
.detail-kicker { color: var(--muted); font-size: 11px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; }
#detail-title {
  margin: 0;
  font-size: 18px;
  font-weight: 650;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}
#detail-close {
  margin-left: auto;
  padding: 5px 12px;
  border: 1px solid var(--border);
  border-radius: 6px;
  color: var(--text);
  font-weight: 550;
  white-space: nowrap;
}
#detail-close:hover { background: var(--hover); text-decoration: none; }
.detail-body { flex: 1; overflow: auto; padding: 6px 24px 28px; }
.detail-body h3 {
  margin: 20px 0 8px;
  color: var(--muted);
  font-size: 11px;
  font-weight: 700;
  text-transform: uppercase;
  letter-spacing: 0.05em;
}
.detail-body h3 .muted { margin-left: 6px; text-transform: none; letter-spacing: 0; font-weight: 400; }
#detail-message {
  margin: 14px 0 0;
  padding: 10px 12px;
  border: 1px solid #f8c1bb;
  border-radius: 6px;
  background: var(--failed-bg);
  color: var(--failed-fg);
}
#detail-facts {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
  gap: 10px 18px;
  margin: 16px 0 0;
}
#detail-facts:empty { display: none; }
.fact dt { color: var(--muted); font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; }
.fact dd { margin: 2px 0 0; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
pre {
  margin: 0;
  max-height: 340px;
  overflow: auto;
  padding: 10px 12px;
  border: 1px solid var(--border);
  border-radius: 6px;
  background: #f7f8fa;
  font: 12px/1.5 var(--mono);
  white-space: pre;
  tab-size: 2;
}
pre.note, p.note { color: var(--muted); font-family: inherit; font-size: 13px; white-space: pre-wrap; }
p.note { margin: 0; }
.table-frame { max-height: 300px; overflow: auto; border: 1px solid var(--border); border-radius: 6px; }
.grid.compact td { height: 28px; }
.grid.compact tr:last-child td { border-bottom: 0; }
.grid.compact td.wrap { white-space: normal; overflow-wrap: anywhere; padding-top: 5px; padding-bottom: 5px; }
#detail-transitions th:nth-child(1) { width: 86px; }
#detail-transitions th:nth-child(2) { width: 150px; }
#detail-transitions th:nth-child(3) { width: 120px; }
#detail-transitions th:nth-child(4) { width: 80px; }
#detail-transitions th:nth-child(5) { width: 116px; }
table.versions th:nth-child(1) { width: 130px; }
table.versions th:nth-child(2) { width: 86px; }
table.versions th:nth-child(3) { width: 150px; }
table.versions th:nth-child(4) { width: 116px; }
tr.version.current td:first-child { box-shadow: inset 3px 0 0 var(--running-line); font-weight: 600; }

@media (max-width: 900px) {
  .served { display: none; }
  main { padding: 10px; }
  .chip { min-width: 0; }
}
"""#
}

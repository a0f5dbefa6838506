/// The fleet dashboard's HTML document, served at `GET /`; `DashboardScript` fills it from `/events`.
enum DashboardPage {
    // Every URL in the page is relative so that it also works under an ingress path prefix.
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>StreamManager fleet</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard.css">
<script src="dashboard.js" defer></script>
</head>
<body data-ready="false">
<header class="topbar">
  <div class="brand">
    <h1>StreamManager fleet</h1>
    <div class="served">
      <span class="served-item">replica <strong id="instance-id">–</strong></span>
      <span class="served-item">status topic <strong id="status-topic">–</strong></span>
    </div>
  </div>
  <div id="connection" data-state="connecting" role="status" aria-live="polite">
    <span class="dot" aria-hidden="true"></span><span id="connection-text">connecting…</span>
  </div>
</header>
<div id="lost-banner" role="alert" hidden>
  Connection to the operator lost, reconnecting… The figures below may be out of date.
</div>
<main>
  <nav id="counts" aria-label="Sources per state"></nav>

  <section class="card managers-card" aria-labelledby="managers-heading">
    <div class="card-head">
      <h2 id="managers-heading">Managers</h2>
      <span id="managers-summary" class="muted"></span>
    </div>
    <div class="managers-scroll">
      <table id="managers" class="grid">
        <colgroup>
          <col class="m-instance"><col class="m-version"><col class="m-config"><col class="m-delivery">
          <col class="m-partitions"><col class="m-streams"><col class="m-heartbeat"><col class="m-notes">
        </colgroup>
        <thead>
          <tr>
            <th>Instance</th><th>Version</th><th>Config source</th><th>Delivery</th>
            <th>Partitions</th><th class="num">Streams</th><th>Heartbeat</th><th>Notes</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </div>
  </section>

  <section class="card sources-card" aria-labelledby="sources-heading">
    <div class="toolbar">
      <h2 id="sources-heading">Sources</h2>
      <input id="filter-text" type="search" autocomplete="off" spellcheck="false"
             placeholder="Filter: id, state, reason, instance, topic, error, hash   ( / )" aria-label="Filter sources">
      <select id="filter-state" aria-label="Filter by state"><option value="">All states</option></select>
      <span id="shown-count" aria-live="polite">0 of 0 sources</span>
    </div>
    <div id="sources" tabindex="-1">
      <table class="grid sources-table">
        <colgroup>
          <col class="c-source"><col class="c-state"><col class="c-instance"><col class="c-processed">
          <col class="c-rate"><col class="c-dropped"><col class="c-failed"><col class="c-error">
          <col class="c-config"><col class="c-progress"><col class="c-updated">
        </colgroup>
        <thead>
          <tr>
            <th data-sort="source_id" tabindex="0" aria-sort="ascending">Source</th>
            <th data-sort="state" tabindex="0" aria-sort="none" title="Sorted by severity">State</th>
            <th data-sort="instance_id" tabindex="0" aria-sort="none">Instance</th>
            <th data-sort="records_processed" tabindex="0" aria-sort="none" class="num">Processed</th>
            <th data-sort="records_per_second" tabindex="0" aria-sort="none" class="num">Rec/s</th>
            <th data-sort="records_dropped" tabindex="0" aria-sort="none" class="num">Dropped</th>
            <th data-sort="records_failed" tabindex="0" aria-sort="none" class="num">Failed</th>
            <th data-sort="last_error" tabindex="0" aria-sort="none">Last error</th>
            <th data-sort="config_hash" tabindex="0" aria-sort="none">Config</th>
            <th data-sort="last_progress_at" tabindex="0" aria-sort="none" title="Last progress">Progress</th>
            <th data-sort="updated_at" tabindex="0" aria-sort="none" title="Last status record">Updated</th>
          </tr>
        </thead>
        <tbody id="source-rows"></tbody>
      </table>
    </div>
  </section>
</main>

<div id="detail" hidden>
  <div class="detail-backdrop" aria-hidden="true"></div>
  <aside class="detail-panel" role="dialog" aria-modal="true" aria-labelledby="detail-title">
    <div class="detail-head">
      <div class="detail-heading">
        <span class="detail-kicker">Source</span>
        <h2 id="detail-title"></h2>
      </div>
      <span id="detail-state"></span>
      <a id="detail-close" href="#" title="Close (Esc)">Close ✕</a>
    </div>
    <div class="detail-body">
      <p id="detail-message" hidden></p>
      <dl id="detail-facts"></dl>
      <h3>Status record</h3>
      <pre id="detail-status"></pre>
      <h3>Transitions <span class="muted">newest first, since this replica started</span></h3>
      <div class="table-frame">
        <table id="detail-transitions" class="grid compact">
          <thead><tr><th>At</th><th>State</th><th>Reason</th><th>Instance</th><th>Config</th><th>Error</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <h3>Config</h3>
      <pre id="detail-config"></pre>
      <h3>Committed cursor</h3>
      <pre id="detail-cursor"></pre>
      <h3>Config versions</h3>
      <div id="detail-versions"></div>
    </div>
  </aside>
</div>
</body>
</html>
"""#
}

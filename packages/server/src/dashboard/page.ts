/**
 * The dashboard page served at `GET /`: one self-contained HTML file (no build step), live over
 * server-sent events from `GET /{ws}/status/stream`. It shows each service's instances with their
 * figures and a sparkline of recent latencies; instances that leave stay a few seconds, marked
 * `left`, and new ones are highlighted.
 */
export const DASHBOARD_HTML = String.raw`
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mycel hub</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2327; background: #f6f7f7; }
  body { margin: 0 auto; padding: 1.5rem; max-width: 72rem; }
  header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
  h1 { font-size: 1.3rem; margin: 0; }
  #hub, #conn { color: #50575e; font-size: 0.9rem; }
  #conn.live { color: #008a20; } #conn.down { color: #d63638; }
  form { margin-left: auto; font-size: 0.9rem; }
  section { background: #fff; border: 1px solid #dcdcde; border-radius: 6px; margin: 1rem 0; padding: 0.5rem 1rem 1rem; }
  h2 { font-size: 1.05rem; margin: 0.5rem 0; }
  table { border-collapse: collapse; width: 100%; font-size: 0.85rem; font-variant-numeric: tabular-nums; }
  th, td { text-align: right; padding: 0.25rem 0.5rem; border-bottom: 1px solid #f0f0f1; white-space: nowrap; }
  th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
  th { color: #50575e; font-weight: 600; }
  tr.left td { color: #a7aaad; text-decoration: line-through; }
  tr.new td { background: #edfaef; }
  .state { font-weight: 600; } .state-up { color: #008a20; } .state-left { color: #d63638; }
  svg.spark { width: 120px; height: 22px; vertical-align: middle; }
  svg.spark polyline { fill: none; stroke: #2271b1; stroke-width: 1.5; }
  #empty { color: #50575e; }
  footer { color: #787c82; font-size: 0.8rem; }
</style>
</head>
<body>
<header>
  <h1>Mycel hub</h1>
  <span id="hub"></span>
  <span id="conn">connecting…</span>
  <form id="pick">workspace <input id="ws" size="12"> <button>show</button></form>
</header>
<main id="services"><p id="empty">no services yet</p></main>
<footer>Success rate, latency percentiles and share are over the hub's recent window (<span id="window">?</span>s).
  States: <span id="states"></span>. Figures: <code>GET /<span class="wsname"></span>/status</code>, live over
  <code>/<span class="wsname"></span>/status/stream</code> (server-sent events).</footer>
<script>
'use strict';
const params = new URLSearchParams(location.search);
const workspace = params.get('workspace') || 'public';
document.getElementById('ws').value = workspace;
for (const el of document.querySelectorAll('.wsname')) el.textContent = workspace;
document.getElementById('pick').addEventListener('submit', (e) => {
  e.preventDefault();
  location.search = '?workspace=' + encodeURIComponent(document.getElementById('ws').value.trim() || 'public');
});

/** Instances seen before, by id: a row that disappears stays a while, marked "left". */
const seen = new Map();
const LEFT_KEEP_MS = 10000;
const NEW_MARK_MS = 3000;

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}
function ms(v) { return v === null || v === undefined ? '–' : (v >= 100 ? v.toFixed(0) : v.toFixed(2)) + ' ms'; }
function pct(v) { return v === null || v === undefined ? '–' : (v * 100).toFixed(1) + '%'; }
function spark(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 120 22');
  if (values.length > 1) {
    const max = Math.max(...values) || 1;
    const step = 120 / (values.length - 1);
    const line = document.createElementNS(ns, 'polyline');
    line.setAttribute('points', values.map((v, i) => (i * step).toFixed(1) + ',' + (21 - (v / max) * 20).toFixed(1)).join(' '));
    svg.appendChild(line);
  }
  svg.dataset.points = String(values.length);
  return svg;
}

function render(status) {
  const now = Date.now();
  document.getElementById('hub').textContent = status.hub.id + ' ' + status.hub.version + ', up ' + Math.round(status.hub.uptime_s) + ' s';
  document.getElementById('window').textContent = String(status.window_s);
  document.getElementById('states').textContent = status.states.join(', ');
  const current = new Set();
  for (const service of status.services) for (const inst of service.instances) {
    current.add(inst.id);
    const known = seen.get(inst.id);
    seen.set(inst.id, { service: service.id, inst, since: known && !known.leftAt ? known.since : now, leftAt: undefined });
  }
  for (const [id, entry] of seen) {
    if (current.has(id)) continue;
    entry.leftAt ??= now;
    if (now - entry.leftAt > LEFT_KEEP_MS) seen.delete(id);
  }
  const byService = new Map();
  for (const [id, entry] of seen) {
    if (!byService.has(entry.service)) byService.set(entry.service, []);
    byService.get(entry.service).push([id, entry]);
  }
  const main = document.getElementById('services');
  main.replaceChildren();
  if (byService.size === 0) {
    const p = document.createElement('p');
    p.id = 'empty';
    p.textContent = 'no services in workspace "' + workspace + '"';
    main.appendChild(p);
    return;
  }
  for (const [serviceId, entries] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const section = document.createElement('section');
    section.dataset.service = serviceId;
    const h2 = document.createElement('h2');
    h2.textContent = serviceId;
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const h of ['instance', 'state', 'in flight', 'calls', 'errors', 'success', 'p50', 'p95', 'p99', 'share', 'recent latency']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const [id, entry] of entries.sort(([a], [b]) => a.localeCompare(b))) {
      const i = entry.inst;
      const state = entry.leftAt ? 'left' : i.state;
      const tr = body.insertRow();
      tr.dataset.instance = id;
      tr.dataset.state = state;
      if (entry.leftAt) tr.className = 'left';
      else if (now - entry.since < NEW_MARK_MS) tr.className = 'new';
      tr.append(cell(i.client_id), cell(state, 'state state-' + state), cell(String(i.in_flight)), cell(String(i.calls)),
        cell(String(i.errors)), cell(pct(i.success_rate)), cell(ms(i.p50_ms)), cell(ms(i.p95_ms)), cell(ms(i.p99_ms)),
        cell(i.share === null ? '–' : (i.share * 100).toFixed(0) + '%'));
      const sparkCell = document.createElement('td');
      sparkCell.appendChild(spark(i.latencies_ms));
      tr.appendChild(sparkCell);
    }
    section.append(h2, table);
    main.appendChild(section);
  }
}

const conn = document.getElementById('conn');
const source = new EventSource('/' + encodeURIComponent(workspace) + '/status/stream');
source.addEventListener('status', (event) => {
  conn.textContent = 'live';
  conn.className = 'live';
  render(JSON.parse(event.data));
});
source.addEventListener('error', () => {
  conn.textContent = 'disconnected, retrying…';
  conn.className = 'down';
});
</script>
</body>
</html>
`;

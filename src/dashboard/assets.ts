// The dashboard's style sheet and script, served as files so the Content-Security-Policy can forbid
// inline script and style. Plain CSS and browser JavaScript: nothing for the reader to build.

export const DASHBOARD_CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ec;
  --accent: #005eb8; --good: #1e7b45; --warn: #a35a00; --bad: #b42318;
  --good-bg: #e7f5ec; --warn-bg: #fff4e0; --bad-bg: #fdeceb; --info-bg: #e8f1fb;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #1d2330; color: #fff; }
.top a { color: #cfd8e6; padding: 4px 10px; border-radius: 4px; }
.top a[aria-current="page"] { background: #35405a; color: #fff; }
.brand { font-weight: 600; font-size: 15px; }
.brand .muted { color: #9aa4b8; font-weight: 400; }
nav { display: flex; gap: 4px; }
.session { margin-left: auto; display: flex; gap: 12px; align-items: center; }
.session form { margin: 0; }
.session .muted { color: #9aa4b8; }
main { padding: 16px 24px 40px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0; }
h1.mono { font-size: 18px; overflow-wrap: anywhere; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 10px; }
h2 .muted { text-transform: none; letter-spacing: 0; }
.page-head { display: flex; align-items: center; gap: 12px; margin: 4px 0 14px; flex-wrap: wrap; }
.live-status { margin-left: auto; font-size: 12px; }
.live-status.stale .muted::after { content: " · reconnecting"; color: var(--warn); }
.problems { margin: 4px 0 0; padding: 6px 10px 6px 24px; background: var(--bad-bg); color: var(--bad); border-radius: 4px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.grid-2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.grid-2 > .card { margin-bottom: 0; min-width: 0; }
.grid-2 { margin-bottom: 16px; }
.tiles { display: grid; grid-template-columns: repeat(5, minmax(0, 1fr)); gap: 12px; margin-bottom: 16px; }
@media (max-width: 1100px) { .tiles { grid-template-columns: repeat(3, minmax(0, 1fr)); } }
@media (max-width: 700px) { .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.tile { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 8px; padding: 10px 12px; min-height: 84px; }
.tile.good { border-left-color: var(--good); }
.tile.warn { border-left-color: var(--warn); background: var(--warn-bg); }
.tile.bad { border-left-color: var(--bad); background: var(--bad-bg); }
.tile-label { font-size: 12px; color: var(--muted); }
.tile-value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile-note { font-size: 12px; color: var(--muted); }
.trends { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; }
.trend { margin: 0; }
.trend figcaption { font-size: 12px; margin-bottom: 4px; display: flex; justify-content: space-between; gap: 8px; }
.spark { display: block; width: 100%; height: 48px; }
.spark-line { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.spark-area { fill: var(--info-bg); stroke: none; }
.bar-track { fill: var(--bg); }
.bar-fill { fill: var(--accent); }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
tbody tr:last-child td { border-bottom: none; }
tr.current td { background: var(--info-bg); }
.num { text-align: right; }
.nowrap { white-space: nowrap; }
.wrap { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
.mono, pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.warn-text { color: var(--warn); font-weight: 600; }
.dir { color: var(--muted); }
.interaction .code { white-space: nowrap; }
.interaction .iname { color: var(--muted); font-size: 12px; margin-left: 4px; }
.queue-note { color: var(--muted); font-size: 12px; }
table.states td, table.states th { padding: 6px 4px; }
table.states th.num { padding-left: 2px; }
pre { background: #f7f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 10px; overflow: auto; max-height: 480px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11px; font-weight: 600; letter-spacing: .02em; background: var(--line); color: var(--ink); white-space: nowrap; }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.state-completed, .state-delivered, .state-acked { background: var(--good-bg); color: var(--good); }
.state-sent, .state-sending, .state-accepted, .state-received { background: var(--info-bg); color: var(--accent); }
.state-retrying { background: var(--warn-bg); color: var(--warn); }
.state-nacked, .state-rejected, .state-failed, .state-unanswered { background: var(--bad-bg); color: var(--bad); }
button { font: inherit; padding: 4px 12px; border-radius: 5px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button.link { background: none; border: none; color: #cfd8e6; padding: 0; }
.flash { padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; background: var(--good-bg); color: var(--good); }
.flash.error { background: var(--bad-bg); color: var(--bad); }
.notice { padding: 8px 12px; border-radius: 6px; background: var(--info-bg); margin: 0 0 16px; }
.problem { padding: 8px 12px; border-radius: 6px; background: var(--bad-bg); color: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.actions { margin-top: 10px; display: flex; gap: 8px; align-items: center; }
form.search { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; }
form.search label, .login label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
input, select { font: inherit; color: var(--ink); padding: 5px 8px; border: 1px solid #c9ced8; border-radius: 5px; background: #fff; }
.login { max-width: 440px; margin: 60px auto; }
.login h1 { margin-bottom: 8px; }
.login input { width: 100%; }
.pager { margin: 12px 0 0; }
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  // Live overview: the server renders each section; this only swaps them in.
  var indicator = document.querySelector('[data-live-indicator]');
  if (indicator && window.EventSource) {
    var source = new EventSource('/dashboard/events');
    source.addEventListener('overview', function (event) {
      var update = JSON.parse(event.data);
      Object.keys(update.sections).forEach(function (name) {
        var target = document.querySelector('[data-live="' + name + '"]');
        if (target) target.innerHTML = update.sections[name];
      });
      indicator.classList.remove('stale');
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    });
    source.addEventListener('error', function () { indicator.classList.add('stale'); });
    // The session ended (logout elsewhere, idle or absolute expiry): stop, and say so.
    source.addEventListener('signed-out', function () {
      source.close();
      indicator.classList.add('stale');
      flash('Your session has ended: reload the page to sign in again.', true);
    });
  }

  function flash(text, isError) {
    var box = document.querySelector('[data-flash]');
    if (!box) return;
    box.textContent = text;
    box.classList.toggle('error', Boolean(isError));
    box.hidden = false;
  }

  var csrf = document.querySelector('meta[name="csrf-token"]');

  // Replay and Discard: POST to the dashboard's own action routes with the session's CSRF token
  // (the session cookie is scoped to /dashboard; the API itself takes only a key).
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('button[data-action]');
    if (!button) return;
    var action = button.dataset.action;
    var id = button.dataset.id;
    if (action === 'discard' && !window.confirm('Discard ' + id + '? It will not be sent again.')) return;
    button.disabled = true;
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (csrf) headers['X-CSRF-Token'] = csrf.getAttribute('content');
    fetch('/dashboard/dead-letters/' + encodeURIComponent(id) + '/' + action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      body: '{}'
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = {};
        try { body = text ? JSON.parse(text) : {}; } catch (e) { body = {}; }
        if (response.ok) {
          flash((action === 'replay' ? 'Replayed ' : 'Discarded ') + id, false);
          var row = document.querySelector('[data-dead-letter="' + CSS.escape(id) + '"]');
          if (row) row.remove();
        } else {
          flash(action + ' failed (' + response.status + '): ' + (body.detail || body.title || text), true);
          button.disabled = false;
        }
      });
    }).catch(function (error) {
      flash(action + ' failed: ' + error.message, true);
      button.disabled = false;
    });
  });
})();
`;

/** A small favicon: the gateway as two arrows, drawn in the dashboard's colours. */
export const DASHBOARD_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d2330"/><path d="M7 11h15l-4-4M25 21H10l4 4" fill="none" stroke="#4da3ff" stroke-width="3" stroke-linecap="round" stroke-linejoin="round"/></svg>
`;

import { MESSAGE_STATES, type MessageState } from '../../lifecycle/index.js';
import { QUEUES } from '../../queue/index.js';
import { formatBytes, formatDuration, formatRate, formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import type { Overview } from '../overview.js';
import { maskNhsNumbers } from '../redact.js';
import { bar, sparkline } from '../sparkline.js';
import { interactionLabel, messageLink, stateBadge, type ViewContext } from './layout.js';

/** Queues nobody consumes by design: parked dead letters, and retries waiting out their interval. */
const WAITING_QUEUES = /^mhs\.(dead-letter|outbound\.retry|retry\.\d+)$/;

/** Certificate expiry closer than this is a warning on the overview. */
const CERTIFICATE_WARNING_SECONDS = 30 * 86_400;
/** An in-flight message older than this is a warning (a stuck queue, or Spine not answering). */
const STUCK_WARNING_SECONDS = 15 * 60;

/** Every state in lifecycle order: outbound, then inbound. */
const STATE_ORDER = MESSAGE_STATES;

/** Every live part of the overview, by the `data-live` name the page and the event stream share. */
export function overviewSections(overview: Overview, view: ViewContext): Record<string, SafeHtml> {
  return {
    status: status(overview, view),
    tiles: tiles(overview),
    trends: trends(overview),
    queues: queues(overview),
    states: states(overview, view),
    errors: errors(overview, view),
    'dead-letters': deadLetters(overview, view),
  };
}

export function overviewContent(overview: Overview, view: ViewContext): SafeHtml {
  const s = overviewSections(overview, view);
  const live = (name: string, content: SafeHtml) => html`<div data-live="${name}">${content}</div>`;
  return html`<div class="page-head"><h1>Overview</h1><div class="live-status" data-live-indicator>${live('status', s.status!)}</div></div>
<div data-flash class="flash" role="status" hidden></div>
${live('tiles', s.tiles!)}
<div class="grid-2">
<section class="card"><h2>Last 10 minutes</h2>${live('trends', s.trends!)}</section>
<section class="card"><h2>Queues</h2>${live('queues', s.queues!)}</section>
</div>
<section class="card"><h2>Messages by state</h2>${live('states', s.states!)}</section>
<section class="card"><h2>Dead letters <span class="muted">(FAILED or UNANSWERED, waiting for Replay or Discard)</span></h2>${live('dead-letters', s['dead-letters']!)}</section>
<section class="card"><h2>Recent errors</h2>${live('errors', s.errors!)}</section>`;
}

function status(overview: Overview, view: ViewContext): SafeHtml {
  const problems = overview.state.errors.map((p) => (view.showPatientData ? p : maskNhsNumbers(p)));
  return html`<span class="muted">updated ${formatTime(overview.at)}</span>${
    problems.length > 0 ? html`<ul class="problems">${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''
  }`;
}

function tile(label: string, value: SafeHtml | string, note: SafeHtml | string = '', level = ''): SafeHtml {
  return html`<div class="tile ${level}"><div class="tile-label">${label}</div><div class="tile-value">${value}</div><div class="tile-note">${note}</div></div>`;
}

function tiles(overview: Overview): SafeHtml {
  const { state, rates, totals } = overview;
  const oldest = state.oldestInFlight;
  const certificate = state.certificate;
  const certLevel = !certificate
    ? ''
    : certificate.expiresInSeconds <= 0
      ? 'bad'
      : certificate.expiresInSeconds < CERTIFICATE_WARNING_SECONDS
        ? 'warn'
        : 'good';
  return html`<div class="tiles">
${tile('Outbound / min', rates ? formatRate(rates.outboundPerMinute) : '–', totals ? `${totals.outbound} since start` : '')}
${tile('Inbound / min', rates ? formatRate(rates.inboundPerMinute) : '–', totals ? `${totals.inbound} since start` : '')}
${tile('In flight', String(overview.inFlight), `${overview.retrying} retrying`, overview.retrying > 0 ? 'warn' : '')}
${tile(
  'Oldest in flight',
  oldest ? formatDuration(oldest.ageSeconds) : 'none',
  oldest
    ? html`${stateBadge(oldest.status)} ${messageLink(oldest.messageId, `${oldest.messageId.slice(0, 8)}…`)}`
    : '',
  oldest && oldest.ageSeconds > STUCK_WARNING_SECONDS ? 'warn' : '',
)}
${tile('Retries', totals ? String(totals.retries) : '–', 'since start')}
${tile('Dead letters', `${overview.failed}${overview.deadLettersMore ? '+' : ''}`, totals ? `${totals.deadLetters} since start` : '', overview.failed > 0 ? 'bad' : 'good')}
${tile('Duplicates eliminated', totals ? String(totals.duplicatesEliminated) : '–', 'since start')}
${tile(
  'Certificate',
  certificate
    ? certificate.expiresInSeconds > 0
      ? formatDuration(certificate.expiresInSeconds)
      : 'EXPIRED'
    : '–',
  certificate ? `valid to ${certificate.validTo.slice(0, 10)}` : '',
  certLevel,
)}
${tile('RabbitMQ', state.rabbitmqConnected ? 'connected' : 'DOWN', '', state.rabbitmqConnected ? 'good' : 'bad')}
${tile('Store', state.storeBytes !== undefined ? formatBytes(state.storeBytes) : '–', 'on disk')}
</div>`;
}

function trends(overview: Overview): SafeHtml {
  const chart = (label: string, values: number[], note: string) =>
    html`<figure class="trend"><figcaption><span>${label} <span class="muted">${note}</span></span><span class="muted">now ${values.at(-1) ?? 0} · peak ${Math.max(0, ...values)}</span></figcaption>${sparkline(values, { label })}</figure>`;
  const { series } = overview;
  return html`<div class="trends">
${chart('Outbound accepted', series.outbound, 'per 10 s')}
${chart('Inbound received', series.inbound, 'per 10 s')}
${chart('Messages queued', series.queued, 'all mhs.* queues')}
${chart('In flight', series.inFlight, 'outbound, not final')}
</div>`;
}

function queues(overview: Overview): SafeHtml {
  const rows = overview.state.queues;
  if (rows.length === 0) return html`<p class="muted">No queue depths: RabbitMQ is not connected.</p>`;
  const max = Math.max(...rows.map((q) => q.messages));
  return html`<table>
<thead><tr><th>Queue</th><th class="num">Messages</th><th></th><th class="num">Consumers</th></tr></thead>
<tbody>${rows.map(
    (q) =>
      html`<tr data-queue="${q.queue}"><td><span class="mono">${q.queue}</span>${q.queue === QUEUES.deadLetter ? html` <span class="queue-note" title="a copy of each failure, for monitoring; settling a dead letter leaves it">notifications</span>` : ''}</td><td class="num" data-depth>${q.messages}</td><td>${bar(q.messages, max)}</td><td class="num${q.consumers === 0 && !WAITING_QUEUES.test(q.queue) ? ' warn-text' : ''}">${q.consumers}</td></tr>`,
  )}</tbody>
</table>`;
}

function states(overview: Overview, view: ViewContext): SafeHtml {
  const counts = overview.state.counts;
  if (counts.length === 0) return html`<p class="muted">No messages stored yet.</p>`;
  // The store's lists give the order; a state they do not (yet) name still gets its column.
  const seen = new Set(counts.map((c) => c.status));
  const present = [
    ...STATE_ORDER.filter((state) => seen.has(state)),
    ...[...seen].filter((state) => !STATE_ORDER.includes(state)).sort(),
  ];
  const rows = [...new Set(counts.map((c) => `${c.direction} ${c.interactionId}`))].sort();
  const cell = (key: string, state: MessageState) => {
    const n = counts
      .filter((c) => `${c.direction} ${c.interactionId}` === key && c.status === state)
      .reduce((sum, c) => sum + c.count, 0);
    return html`<td class="num">${n > 0 ? n : html`<span class="muted">·</span>`}</td>`;
  };
  return html`<div class="scroll"><table class="states">
<thead><tr><th>Interaction</th>${present.map((state) => html`<th class="num" data-state="${state}">${stateBadge(state)}</th>`)}</tr></thead>
<tbody>${rows.map((key) => {
    const [direction, interaction] = key.split(' ') as [string, string];
    return html`<tr><td>${interactionLabel(interaction, view, { direction, link: true })}</td>${present.map((state) => cell(key, state))}</tr>`;
  })}</tbody>
</table></div>`;
}

function errors(overview: Overview, view: ViewContext): SafeHtml {
  if (overview.recentErrors.length === 0)
    return html`<p class="muted">No NACKed, rejected or failed messages.</p>`;
  return html`<table>
<thead><tr><th>When it failed</th><th>Message</th><th>Interaction</th><th>State</th><th>Codes</th><th>What Spine said</th></tr></thead>
<tbody>${overview.recentErrors.map(
    (e) =>
      html`<tr data-error="${e.messageId}"><td class="nowrap">${formatTime(e.at)}</td><td>${messageLink(e.messageId, `${e.messageId.slice(0, 8)}…`)}</td><td>${interactionLabel(e.interactionId, view)}</td><td>${stateBadge(e.status)}</td><td class="mono">${e.codes.join(', ')}</td><td class="wrap">${e.description}</td></tr>`,
  )}</tbody>
</table>`;
}

function deadLetters(overview: Overview, view: ViewContext): SafeHtml {
  if (overview.deadLetters.length === 0) {
    // The queue is a notification stream (docs/reliability.md): settling a dead letter leaves its
    // copy there, so an empty list beside a non-empty queue needs saying why.
    const parked = overview.state.queues.find((q) => q.queue === QUEUES.deadLetter)?.messages ?? 0;
    return html`<p class="muted" data-empty>No dead letters wait for an operator.${
      parked > 0
        ? html` <span data-parked="${parked}">${QUEUES.deadLetter} still holds ${parked} ${parked === 1 ? 'notification' : 'notifications'}: a copy of each failure is published there for monitoring, and Replay or Discard settles the message in the store without removing its copy. They are history, not work to do.</span>`
        : ''
    }</p>`;
  }
  return html`<table>
<thead><tr><th>Failed</th><th>Message</th><th>Interaction</th><th class="num">Attempts</th><th>Reason</th><th></th></tr></thead>
<tbody>${overview.deadLetters.map(
    (d) =>
      html`<tr data-dead-letter="${d.messageId}"><td class="nowrap">${formatTime(d.failedAt)}</td><td>${messageLink(d.messageId)}</td><td>${interactionLabel(d.interactionId, view)}</td><td class="num">${d.attempts}</td><td class="wrap">${d.reason}</td><td class="nowrap">${deadLetterButtons(d.messageId)}</td></tr>`,
  )}</tbody>
</table>`;
}

/** Replay and Discard, posted by the page's script to the dead-letter API. */
export function deadLetterButtons(messageId: string): SafeHtml {
  return html`<button type="button" data-action="replay" data-id="${messageId}">Replay</button> <button type="button" class="danger" data-action="discard" data-id="${messageId}">Discard</button>`;
}

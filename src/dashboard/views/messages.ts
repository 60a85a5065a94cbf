import { MESSAGE_STATES } from '../../lifecycle/index.js';
import type { StoredMessage } from '../../store/index.js';
import { formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { conversationLink, interactionLabel, messageLink, stateBadge, type ViewContext } from './layout.js';

// Times are typed, not picked: a browser's date-time picker shows the user's locale (12-hour in
// en-US, local zone hints) while every time here is UTC. `YYYY-MM-DD HH:MM[:SS]`, or a date alone.
const TIME_PATTERN = '\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}(:\\d{2})?)?Z?';

/** The search form's fields, as the query string carries them. */
export interface SearchForm {
  id?: string;
  interaction?: string;
  status?: string;
  direction?: string;
  from?: string;
  to?: string;
}

export function searchContent(
  form: SearchForm,
  results: StoredMessage[],
  view: ViewContext,
  options: { more?: string; problem?: string; interactions: string[] },
): SafeHtml {
  const states = MESSAGE_STATES;
  const option = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;
  const more = options.more;
  return html`<div class="page-head"><h1>Messages</h1></div>
<form class="card search" method="get" action="/dashboard/messages">
  <label>MessageId or ConversationId<input name="id" value="${form.id ?? ''}" placeholder="e.g. 0B7C5A4E-1D2F-…" size="40" autocomplete="off"></label>
  <label>Interaction<input name="interaction" value="${form.interaction ?? ''}" list="interactions" placeholder="PRSC_IN080000UK07"></label>
  <datalist id="interactions">${options.interactions.map((i) => html`<option value="${i}">${view.interactionName(i) ?? ''}</option>`)}</datalist>
  <label>State<select name="status">${option('', 'any', form.status)}${states.map((s) => option(s, s, form.status))}</select></label>
  <label>Direction<select name="direction">${option('', 'both', form.direction)}${option('outbound', 'outbound (to Spine)', form.direction)}${option('inbound', 'inbound (from Spine)', form.direction)}</select></label>
  <label>From (UTC)<input name="from" value="${form.from ?? ''}" placeholder="2026-11-22 10:00:00" pattern="${TIME_PATTERN}" title="UTC, 24-hour: YYYY-MM-DD HH:MM:SS" size="19" autocomplete="off"></label>
  <label>To (UTC)<input name="to" value="${form.to ?? ''}" placeholder="2026-11-22 11:00:00" pattern="${TIME_PATTERN}" title="UTC, 24-hour: YYYY-MM-DD HH:MM:SS" size="19" autocomplete="off"></label>
  <div class="actions"><button type="submit">Search</button> <a href="/dashboard/messages">Clear</a></div>
</form>
${options.problem ? html`<p class="problem" role="alert">${options.problem}</p>` : ''}
<section class="card">
${
  results.length === 0
    ? html`<p class="muted" data-results="0">No messages match.</p>`
    : html`<table data-results="${results.length}">
<thead><tr><th>Created</th><th>Message</th><th>Dir</th><th>Interaction</th><th>State</th><th class="num">Attempts</th><th>Conversation</th></tr></thead>
<tbody>${results.map(
        (m) =>
          html`<tr><td class="nowrap">${formatTime(m.createdAt)}</td><td class="nowrap">${messageLink(m.messageId)}</td><td class="dir" title="${m.direction}">${m.direction === 'outbound' ? '→' : '←'}</td><td>${interactionLabel(m.interactionId, view)}</td><td>${stateBadge(m.status)}</td><td class="num">${m.attempts}</td><td class="nowrap">${conversationLink(m.conversationId)}</td></tr>`,
      )}</tbody>
</table>`
}
${more ? html`<p class="pager"><a href="${more}">Older messages →</a></p>` : ''}
</section>`;
}

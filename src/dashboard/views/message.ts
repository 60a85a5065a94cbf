import { DEAD_LETTER_STATES, isFinal } from '../../lifecycle/index.js';
import type { HistoryEntry, StoredHttp, StoredMessage } from '../../store/index.js';
import { formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { spineCodes } from '../overview.js';
import { maskNhsNumbers, redactHl7, redactHttpBody, redactJson } from '../redact.js';
import {
  conversationLink,
  interactionLabel,
  messageLink,
  referralLink,
  stateBadge,
  type ViewContext,
} from './layout.js';
import { deadLetterButtons } from './overview.js';

/** Bodies are shown up to this many bytes: enough for any envelope, bounded for a 5 MB attachment. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface MessagePageModel {
  message: StoredMessage;
  history: HistoryEntry[];
  /** Messages of the same conversation, and the one this answers, oldest first. */
  chain: StoredMessage[];
}

export function messageContent(model: MessagePageModel, view: ViewContext): SafeHtml {
  const { message: m } = model;
  const { showPatientData } = view;
  const outbound = m.direction === 'outbound';
  const { codes } = spineCodes(m);
  return html`<div class="page-head"><h1 class="mono">${m.messageId}</h1>${stateBadge(m.status)}</div>
<div data-flash class="flash" role="status" hidden></div>
${showPatientData ? '' : html`<p class="notice">Patient data is redacted (dashboard.showPatientData is false): element names, ids and codes stay visible, NHS numbers are masked.</p>`}
<section class="card"><dl class="facts">
<dt>Direction</dt><dd>${outbound ? 'outbound (PAS → Spine)' : 'inbound (Spine → PAS)'}</dd>
<dt>Interaction</dt><dd>${interactionLabel(m.interactionId, view, { link: true })}</dd>
<dt>Conversation</dt><dd>${conversationLink(m.conversationId)}</dd>
${m.refToMessageId ? html`<dt>Answers</dt><dd>${messageLink(m.refToMessageId)}</dd>` : ''}
${referralFacts(ubrnsOf(m.data))}
<dt>Created</dt><dd>${formatTime(m.createdAt)}</dd>
<dt>Updated</dt><dd>${formatTime(m.updatedAt)}</dd>
<dt>Attempts</dt><dd>${m.attempts}</dd>
${m.nextAttemptAt && m.status === 'RETRYING' ? html`<dt>Next attempt</dt><dd>${formatTime(m.nextAttemptAt)}</dd>` : ''}
${m.nextAttemptAt && (m.status === 'SENT' || m.status === 'ACKED') ? html`<dt>Reply deadline</dt><dd>${formatTime(m.nextAttemptAt)}</dd>` : ''}
${m.replyDeliveredAt ? html`<dt>${deliveredToPas(m)}</dt><dd>${formatTime(m.replyDeliveredAt)}</dd>` : ''}
${codes.length > 0 ? html`<dt>Spine codes</dt><dd class="mono">${codes.join(', ')}</dd>` : ''}
</dl>
${(DEAD_LETTER_STATES as readonly string[]).includes(m.status) && !m.resolution ? html`<div class="actions">${deadLetterButtons(m.messageId)}</div>` : ''}
${m.resolution ? html`<p class="muted">Dead letter ${m.resolution}${m.resolvedAt ? ` ${formatTime(m.resolvedAt)}` : ''}${m.replayedAs ? html` as ${messageLink(m.replayedAs)}` : ''}.</p>` : ''}
</section>
<div class="grid-2">
<section class="card"><h2>History</h2>${history(model.history, showPatientData)}</section>
<section class="card"><h2>Correlation chain</h2>${chain(model.chain, m, view)}</section>
</div>
${errorList(m.error, showPatientData)}
${m.route !== undefined ? html`<section class="card"><h2>Route</h2><pre>${json(m.route)}</pre></section>` : ''}
${m.reply !== undefined ? html`<section class="card"><h2>${outbound ? 'Reply received' : 'Reply'}</h2><pre>${json(showPatientData ? m.reply : redactJson(m.reply))}</pre></section>` : ''}
${httpSection(outbound ? 'Envelope sent' : 'Envelope received', m.http, showPatientData)}
${httpSection(outbound ? 'Acknowledgment received' : 'Acknowledgment sent', m.ack, showPatientData)}
${m.hl7 ? html`<section class="card"><h2>HL7 payload</h2><pre>${bounded(showPatientData ? m.hl7 : redactHl7(m.hl7))}</pre></section>` : ''}
${m.data !== undefined ? html`<section class="card"><h2>${outbound ? 'Request from the PAS' : 'Request as the PAS received it'}</h2><pre>${json(showPatientData ? m.data : redactJson(m.data))}</pre></section>` : ''}`;
}

/** The UBRNs a message's JSON names (one for a booking or cancellation, several on a DNA list). */
export function ubrnsOf(data: unknown, found = new Set<string>()): string[] {
  if (Array.isArray(data)) for (const item of data) ubrnsOf(item, found);
  else if (data && typeof data === 'object')
    for (const [key, value] of Object.entries(data)) {
      if (key === 'ubrn' && typeof value === 'string' && /^[0-9]{12}$/.test(value)) found.add(value);
      else ubrnsOf(value, found);
    }
  return [...found];
}

function referralFacts(ubrns: string[]): SafeHtml {
  if (ubrns.length === 0) return html``;
  return html`<dt>${ubrns.length === 1 ? 'Referral' : 'Referrals'}</dt><dd>${ubrns.map((u, i) => html`${i > 0 ? ', ' : ''}${referralLink(u)}`)}</dd>`;
}

function history(entries: HistoryEntry[], showPatientData: boolean): SafeHtml {
  const detail = (text = '') => (showPatientData ? text : maskNhsNumbers(text));
  return html`<table><thead><tr><th>When</th><th>State</th><th>Detail</th></tr></thead><tbody>${entries.map(
    (e) =>
      html`<tr><td class="nowrap">${formatTime(e.at)}</td><td>${stateBadge(e.status)}</td><td class="wrap">${detail(e.detail)}</td></tr>`,
  )}</tbody></table>`;
}

/** What `replyDeliveredAt` records, in the words of what happened: a reply, or news of a failure. */
function deliveredToPas(m: StoredMessage): string {
  if (m.direction === 'inbound') return 'Delivered to PAS';
  if (m.status === 'COMPLETED') return 'Reply delivered to PAS';
  const final = isFinal(m.status);
  return final ? 'Failure notified to PAS' : 'Outcome delivered to PAS';
}

function chain(messages: StoredMessage[], current: StoredMessage, view: ViewContext): SafeHtml {
  return html`<table><thead><tr><th>Created</th><th></th><th>Message</th><th>Interaction</th><th>State</th><th>Answers</th></tr></thead><tbody>${messages.map(
    (m) =>
      html`<tr${m.messageId === current.messageId ? html` class="current"` : ''}><td class="nowrap">${formatTime(m.createdAt)}</td><td class="dir" title="${m.direction}">${m.direction === 'outbound' ? '→' : '←'}</td><td>${m.messageId === current.messageId ? html`<span class="mono">${m.messageId.slice(0, 8)}… (this)</span>` : messageLink(m.messageId, `${m.messageId.slice(0, 8)}…`)}</td><td>${interactionLabel(m.interactionId, view)}</td><td>${stateBadge(m.status)}</td><td>${m.refToMessageId ? messageLink(m.refToMessageId, `${m.refToMessageId.slice(0, 8)}…`) : ''}</td></tr>`,
  )}</tbody></table>`;
}

function errorList(error: unknown, showPatientData: boolean): SafeHtml {
  if (!Array.isArray(error) || error.length === 0) return html``;
  const rows = error as Record<string, unknown>[];
  const text = (value: unknown) =>
    value === undefined || value === null
      ? ''
      : showPatientData
        ? String(value)
        : maskNhsNumbers(String(value));
  return html`<section class="card"><h2>Errors</h2><table><thead><tr><th>Type</th><th>Code</th><th>Severity</th><th>Description</th><th>Location</th></tr></thead><tbody>${rows.map(
    (e) =>
      html`<tr><td>${text(e.errorType)}</td><td class="mono">${text(e.errorCode)}</td><td>${text(e.severity)}</td><td class="wrap">${text(e.description)}</td><td class="mono">${text(e.location)}</td></tr>`,
  )}</tbody></table></section>`;
}

function httpSection(title: string, http: StoredHttp | undefined, showPatientData: boolean): SafeHtml {
  if (!http || http.body.length === 0) return html``;
  const truncated = http.body.length > BODY_LIMIT_BYTES;
  // Bounded before redaction: the redaction is textual and safe on a cut-off document.
  const text = http.body.subarray(0, BODY_LIMIT_BYTES).toString('utf8');
  const shown = showPatientData ? text : redactHttpBody(text, http.contentType);
  return html`<section class="card"><h2>${title}</h2>
<p class="muted mono">${http.contentType ? `Content-Type: ${http.contentType}` : ''}${http.soapAction ? ` · SOAPAction: ${http.soapAction}` : ''} · ${http.body.length} bytes</p>
<pre>${shown}${truncated ? `\n… ${http.body.length - BODY_LIMIT_BYTES} more bytes not shown` : ''}</pre></section>`;
}

function bounded(text: string): string {
  if (text.length <= BODY_LIMIT_BYTES) return text;
  return `${text.slice(0, BODY_LIMIT_BYTES)}\n… ${text.length - BODY_LIMIT_BYTES} more characters not shown`;
}

function json(value: unknown): string {
  return bounded(JSON.stringify(value, null, 2) ?? '');
}

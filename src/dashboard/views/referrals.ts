import type { StoredMessage } from '../../store/index.js';
import { formatTime } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { interactionLabel, messageLink, referralLink, stateBadge, type ViewContext } from './layout.js';

/** What the referrals page shows: the e-RS FHIR sync, read by the gateway from its services. */
export interface ReferralsPanel {
  budget: { day: string; limit: number; services: { service: string; used: number; left: number }[] };
  lastRuns: {
    service: string;
    list: string;
    at: string;
    outcome: string;
    detail?: string;
    entries?: number;
    added?: number;
    changed?: number;
    removed?: number;
  }[];
  byState: { state: string; count: number }[];
  attachmentFailures: {
    ubrn: string;
    attachmentId: string;
    title: string;
    status: string;
    detail?: string;
    updatedAt: string;
  }[];
}

export function referralsContent(panel: ReferralsPanel): SafeHtml {
  return html`<div class="page-head"><h1>Referrals <span class="muted">(e-RS FHIR)</span></h1></div>
<div class="grid-2">
<section class="card"><h2>A008 budget <span class="muted">${panel.budget.day}, ${panel.budget.limit} a day per service</span></h2>
<table><thead><tr><th>Service</th><th class="num">Used</th><th class="num">Left</th></tr></thead>
<tbody>${panel.budget.services.map(
    (s) =>
      html`<tr data-budget="${s.service}"><td class="mono">${s.service}</td><td class="num">${s.used}</td><td class="num">${s.left === 0 ? html`<span class="badge warn">0</span>` : s.left}</td></tr>`,
  )}</tbody></table></section>
<section class="card"><h2>Referrals held, by state</h2>${
    panel.byState.length === 0
      ? html`<p class="muted">None yet.</p>`
      : html`<table><tbody>${panel.byState.map(
          (s) =>
            html`<tr data-state="${s.state}"><td class="mono">${s.state}</td><td class="num">${s.count}</td></tr>`,
        )}</tbody></table>`
  }</section>
</div>
<section class="card"><h2>Last sync per service and worklist</h2>${
    panel.lastRuns.length === 0
      ? html`<p class="muted">No sync has run since start.</p>`
      : html`<table><thead><tr><th>When</th><th>Service</th><th>Worklist</th><th>Outcome</th><th class="num">Entries</th><th class="num">New</th><th class="num">Changed</th><th class="num">Left</th><th>Detail</th></tr></thead>
<tbody>${panel.lastRuns.map(
          (r) =>
            html`<tr><td class="nowrap">${formatTime(r.at)}</td><td class="mono">${r.service}</td><td class="mono">${r.list}</td><td>${r.outcome === 'synced' ? r.outcome : html`<span class="badge warn">${r.outcome}</span>`}</td><td class="num">${r.entries ?? ''}</td><td class="num">${r.added ?? ''}</td><td class="num">${r.changed ?? ''}</td><td class="num">${r.removed ?? ''}</td><td class="wrap">${r.detail ?? ''}</td></tr>`,
        )}</tbody></table>`
  }</section>
<section class="card"><h2>Attachment failures</h2>${
    panel.attachmentFailures.length === 0
      ? html`<p class="muted">None.</p>`
      : html`<table><thead><tr><th>When</th><th>UBRN</th><th>Attachment</th><th>Status</th><th>Detail</th></tr></thead>
<tbody>${panel.attachmentFailures.map(
          (a) =>
            html`<tr data-attachment="${a.attachmentId}"><td class="nowrap">${formatTime(a.updatedAt)}</td><td>${referralLink(a.ubrn)}</td><td>${a.title}</td><td><span class="badge warn">${a.status}</span></td><td class="wrap">${a.detail ?? ''}</td></tr>`,
        )}</tbody></table>`
  }</section>`;
}

/** One referral as the e-RS FHIR side holds it (no patient identifiers); absent when not held. */
export interface HeldReferralFacts {
  ubrn: string;
  version: number;
  state?: string;
  priority?: string;
  specialty?: string;
  service?: string;
  fetchedAt?: string;
}

/** A referral's page: the copy held (when the e-RS FHIR side has one) and its HL7 V3 messages. */
export function referralContent(
  ubrn: string,
  held: HeldReferralFacts | undefined,
  messages: StoredMessage[],
  view: ViewContext,
  fhirEnabled: boolean,
): SafeHtml {
  const fact = (label: string, value: string | undefined) =>
    value ? html`<dt>${label}</dt><dd class="mono">${value}</dd>` : '';
  return html`<div class="page-head"><h1>Referral <span class="mono">${ubrn}</span></h1></div>
<section class="card"><h2>e-RS FHIR</h2>${
    held
      ? html`<dl class="facts" data-held="${held.version}">${fact('Version', String(held.version))}${fact('State', held.state)}${fact('Priority', held.priority)}${fact('Specialty', held.specialty)}${fact('Service', held.service)}${held.fetchedAt ? html`<dt>Read from e-RS</dt><dd>${formatTime(held.fetchedAt)}</dd>` : ''}</dl>
<p class="muted">The PAS reads it as JSON at <span class="mono">GET /ers/referrals/${ubrn}</span>.</p>`
      : html`<p class="muted">${fhirEnabled ? 'Not held: this referral has not been on a worklist the gateway syncs, nor read through it.' : 'The e-RS FHIR side is off (ersFhir.enabled).'}</p>`
  }</section>
<section class="card"><h2>HL7 V3 messages <span class="muted">(Choose and Book, newest first)</span></h2>${
    messages.length === 0
      ? html`<p class="muted" data-results="0">No stored message names this UBRN.</p>`
      : html`<table data-results="${messages.length}"><thead><tr><th>Created</th><th>Message</th><th>Dir</th><th>Interaction</th><th>State</th></tr></thead>
<tbody>${messages.map(
          (m) =>
            html`<tr><td class="nowrap">${formatTime(m.createdAt)}</td><td class="nowrap">${messageLink(m.messageId)}</td><td class="dir" title="${m.direction}">${m.direction === 'outbound' ? '→' : '←'}</td><td>${interactionLabel(m.interactionId, view)}</td><td>${stateBadge(m.status)}</td></tr>`,
        )}</tbody></table>`
  }</section>`;
}

import { html, type SafeHtml } from '../html.js';

export type Section = 'overview' | 'messages' | 'referrals' | 'login';

export interface PageOptions {
  title: string;
  section: Section;
  /** Shown when the operator signed in (so there is something to log out of). */
  signedInAs?: string;
  /** The session's CSRF token: the script sends it with Replay/Discard, the logout form with itself. */
  csrfToken?: string;
  /** Patient data visible on this gateway: say so on every page. */
  showPatientData?: boolean;
}

export const ASSETS = {
  css: '/dashboard/assets/dashboard.css',
  js: '/dashboard/assets/dashboard.js',
  icon: '/dashboard/assets/favicon.svg',
};

/** What every view needs besides its data. */
export interface ViewContext {
  /** dashboard.showPatientData */
  showPatientData: boolean;
  /** The routing catalogue's name for an interaction, if it has one. */
  interactionName: (interactionId: string) => string | undefined;
}

/** The page shell: header with navigation, the content, the script that makes it live. */
export function page(options: PageOptions, content: SafeHtml): SafeHtml {
  const link = (section: Section, href: string, label: string) =>
    html`<a href="${href}"${options.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · mhs-gateway</title>
<link rel="icon" href="${ASSETS.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${ASSETS.css}">
${options.csrfToken ? html`<meta name="csrf-token" content="${options.csrfToken}">` : ''}
<script src="${ASSETS.js}" defer></script>
</head>
<body>
<header class="top">
  <div class="brand">mhs-gateway <span class="muted">operations</span></div>
  ${
    options.section === 'login'
      ? ''
      : html`<nav>${link('overview', '/dashboard', 'Overview')}${link('messages', '/dashboard/messages', 'Messages')}${link('referrals', '/dashboard/referrals', 'Referrals')}<a href="/dashboard/metrics">Metrics</a></nav>
  <div class="session">${options.showPatientData ? html`<span class="badge warn" title="dashboard.showPatientData is true">patient data visible</span>` : ''}${
    options.signedInAs
      ? html`<span class="muted">key ${options.signedInAs}</span><form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${options.csrfToken ?? ''}"><button class="link" type="submit">Log out</button></form>`
      : ''
  }</div>`
  }
</header>
<main>
${content}
</main>
</body>
</html>
`;
}

/** A state name as a coloured badge. */
export function stateBadge(state: string): SafeHtml {
  return html`<span class="badge state-${state.toLowerCase()}">${state}</span>`;
}

/** A link to a message's page. */
export function messageLink(messageId: string, text: string = messageId): SafeHtml {
  return html`<a class="mono" href="/dashboard/messages/${encodeURIComponent(messageId)}">${text}</a>`;
}

/** A link to a referral's page (its HL7 V3 messages, and the e-RS FHIR copy when held). */
export function referralLink(ubrn: string): SafeHtml {
  return html`<a class="mono" href="/dashboard/referrals/${encodeURIComponent(ubrn)}">${ubrn}</a>`;
}

/** A link to the search for one conversation. */
export function conversationLink(conversationId: string): SafeHtml {
  return html`<a class="mono" href="/dashboard/messages?id=${encodeURIComponent(conversationId)}">${conversationId}</a>`;
}

/**
 * An interaction's code with its catalogue name, the code linking to its messages; `direction`
 * adds the arrow. The arrow and the code never wrap apart; a long name may wrap under them.
 */
export function interactionLabel(
  interactionId: string,
  context: ViewContext,
  options: { direction?: string; link?: boolean } = {},
): SafeHtml {
  const name = context.interactionName(interactionId);
  const code = options.link
    ? html`<a class="mono" href="/dashboard/messages?interaction=${encodeURIComponent(interactionId)}">${interactionId}</a>`
    : html`<span class="mono">${interactionId}</span>`;
  const arrow = options.direction
    ? html`<span class="dir" title="${options.direction}">${options.direction === 'outbound' ? '→' : '←'}</span> `
    : '';
  return html`<span class="interaction"><span class="code">${arrow}${code}</span>${name ? html` <span class="iname">${name}</span>` : ''}</span>`;
}

import { html, type SafeHtml } from '../html.js';

export type Section = 'overview' | 'messages' | 'login';

export interface PageOptions {
  title: string;
  section: Section;
  /** Shown when the operator logged in with a key (so there is something to log out of). */
  signedInAs?: string;
  /** Patient data visible on this gateway: say so on every page. */
  showPatientData?: boolean;
}

export const ASSETS = {
  css: '/dashboard/assets/dashboard.css',
  js: '/dashboard/assets/dashboard.js',
};

/** The page shell: header with navigation, the content, the script that makes it live. */
export function page(options: PageOptions, content: SafeHtml): SafeHtml {
  const link = (section: Section, href: string, label: string) =>
    html`<a href="${href}"${options.section === section ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · mhs-gateway</title>
<link rel="stylesheet" href="${ASSETS.css}">
<script src="${ASSETS.js}" defer></script>
</head>
<body>
<header class="top">
  <div class="brand">mhs-gateway <span class="muted">operations</span></div>
  ${
    options.section === 'login'
      ? ''
      : html`<nav>${link('overview', '/dashboard', 'Overview')}${link('messages', '/dashboard/messages', 'Messages')}<a href="/metrics">Metrics</a></nav>
  <div class="session">${options.showPatientData ? html`<span class="badge warn" title="dashboard.showPatientData is true">patient data visible</span>` : ''}${
    options.signedInAs
      ? html`<span class="muted">key ${options.signedInAs}</span><form method="post" action="/dashboard/logout"><button class="link" type="submit">Log out</button></form>`
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

/** A link to the search for one conversation. */
export function conversationLink(conversationId: string): SafeHtml {
  return html`<a class="mono" href="/dashboard/messages?id=${encodeURIComponent(conversationId)}">${conversationId}</a>`;
}

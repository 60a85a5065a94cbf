import { formatDuration } from '../format.js';
import { html, type SafeHtml } from '../html.js';

/** The login form: the operator pastes an API key (created with `mhs-gateway apikey create`). */
export function loginContent(options: {
  next: string;
  lifetimeMs: number;
  idleMs: number;
  problem?: string;
  notice?: string;
}): SafeHtml {
  return html`<section class="card login">
<h1>Sign in</h1>
<p>The dashboard uses the gateway's API keys. Paste a key: it is checked once and not kept; the
browser gets a session that ends after ${formatDuration(options.idleMs / 1000)} unused,
${formatDuration(options.lifetimeMs / 1000)} after signing in, or when you log out.</p>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${options.problem ? html`<p class="problem" role="alert">${options.problem}</p>` : ''}
<form method="post" action="/dashboard/login">
  <input type="hidden" name="next" value="${options.next}">
  <label>API key<input type="password" name="key" autocomplete="current-password" required autofocus></label>
  <div class="actions"><button type="submit">Sign in</button></div>
</form>
</section>`;
}
